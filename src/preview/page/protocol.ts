/**
 * What the preview server and its page say to each other. The page fetches
 * scene text and weights files and runs the project's own scene code on them;
 * the server only reads files, watches them and measures (inspect).
 */

/** One scene the preview was started with. */
export interface SceneEntry {
  id: number;
  /** The path as given on the command line: what error messages show, as `validate` does. */
  file: string;
  /** The file name without extension. */
  name: string;
}

/** GET /api/scenes/:id */
export interface SceneSource extends SceneEntry {
  /** Absolute folder of the scene file: relative weights paths resolve against it. */
  folder: string;
  text: string;
  /** Names this text: a write must send it back (the file must not have changed since). */
  version: string;
  /** Whether this page may write the file (it was opened at the address the preview printed, with its key). */
  writable: boolean;
}

/** PUT /api/scenes/:id: the file's new text, over the version the page loaded. */
export interface SceneWrite {
  text: string;
  version: string;
}

/** The answer to a write that went through: the file's new version. */
export interface SceneWritten {
  version: string;
}

/** GET /api/scenes/:id/inspect?at=seconds */
export interface SceneMeasures {
  /** The network in a few words. */
  network: string;
  /** `inspect`'s table for the frame at that time. */
  stats: string;
  /** The grey-goo warning, when the picture is flat. */
  greyGoo?: string;
  /** Why nothing could be measured (the file on disk does not load, say). */
  error?: string;
}

/** Server-sent event `change`: a scene file, or a file it uses, was saved. */
export interface SceneChanged {
  id: number;
}

export const API = {
  scenes: '/api/scenes',
  scene: (id: number): string => `/api/scenes/${id}`,
  measures: (id: number, at: number, width: number, height: number): string => `/api/scenes/${id}/inspect?at=${at}&size=${width}x${height}`,
  file: (id: number, relative: string): string => `/files/${id}/${relative.split('/').map(encodeURIComponent).join('/')}`,
  events: '/events',
} as const;
