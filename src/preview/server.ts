/**
 * The preview server: 127.0.0.1 only. It serves the page (built into
 * dist/preview/static by `npm run build`), the scene files it was given and
 * the weights files they name, `inspect`'s measures of a frame, and a stream
 * of server-sent events saying which scene was saved. Every other path is 404.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { readRegularFile } from '../regular-file.js';
import { describeNetwork, formatInspection, inspectScene } from '../inspect/index.js';
import { applyOverrides, INPUT_LIMITS, loadScene } from '../scene/index.js';
import type { SceneMeasures, SceneSource } from './page/protocol.js';
import { servableFile, type PreviewScene } from './scene-files.js';
import { watchScenes } from './watch-scenes.js';

export const PREVIEW_HOST = '127.0.0.1';

const STATIC_FOLDER = fileURLToPath(new URL('./static/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
};

/** `inspect` measures at most this many pixels on the longer side: enough for its statistics, quick to compute. */
const MEASURE_SIDE = 64;

export interface PreviewServerOptions {
  scenes: readonly PreviewScene[];
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface PreviewServer {
  url: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}

const notFound = (response: ServerResponse): void => send(response, 404, 'not found\n');
const json = (response: ServerResponse, value: unknown): void => send(response, 200, JSON.stringify(value), TYPES['.json']);

function measures(scene: PreviewScene, at: number, size: [number, number] | undefined): SceneMeasures {
  try {
    const loaded = applyOverrides(loadScene(scene.path), { size });
    const inspection = inspectScene(loaded, { at, maxSide: MEASURE_SIDE });
    return { network: describeNetwork(loaded.model), stats: formatInspection(inspection), greyGoo: inspection.greyGoo?.message };
  } catch (error) {
    return { network: '', stats: '', error: (error as Error).message };
  }
}

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  if (!existsSync(`${STATIC_FOLDER}index.html`)) throw new UserError(`the preview page is not built (${STATIC_FOLDER} is missing)`, 'run `npm run build`');
  const pages = new Set(readdirSync(STATIC_FOLDER));
  const { scenes } = options;
  const clients = new Set<ServerResponse>();

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'only GET\n');
    const [rawPath, query = ''] = (request.url ?? '/').split('?', 2);
    const parts = rawPath.split('/').slice(1);
    if (rawPath === '/') return send(response, 200, readFileSync(`${STATIC_FOLDER}index.html`), TYPES['.html']);
    if (parts.length === 1 && pages.has(parts[0])) return send(response, 200, readFileSync(STATIC_FOLDER + parts[0]), TYPES[extname(parts[0])] ?? 'application/octet-stream');
    if (rawPath === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write('retry: 500\n\n');
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    if (rawPath === '/api/scenes') return json(response, scenes.map(({ id, file, name }) => ({ id, file, name })));
    const idPart = parts[0] === 'api' ? parts[2] : parts[0] === 'files' ? parts[1] : undefined;
    const scene = idPart !== undefined && /^\d+$/.test(idPart) ? scenes[Number(idPart)] : undefined;
    if (!scene) return notFound(response);
    if (parts[0] === 'api' && parts[1] === 'scenes' && parts.length === 3) {
      let text: string;
      try {
        text = readRegularFile(scene.path, scene.file, INPUT_LIMITS.sceneFile, 'scene files').toString('utf8');
      } catch {
        return notFound(response);
      }
      const source: SceneSource = { id: scene.id, file: scene.file, name: scene.name, folder: scene.folder, text };
      return json(response, source);
    }
    if (parts[0] === 'api' && parts[1] === 'scenes' && parts[3] === 'inspect' && parts.length === 4) {
      const search = new URLSearchParams(query);
      const at = Number(search.get('at') ?? 0);
      const size = /^(\d+)x(\d+)$/.exec(search.get('size') ?? '');
      return json(response, measures(scene, Number.isFinite(at) ? at : 0, size ? [Number(size[1]), Number(size[2])] : undefined));
    }
    if (parts[0] === 'files' && parts.length >= 3) {
      const file = servableFile(scene, parts.slice(2));
      if (!file) return notFound(response);
      let data: Buffer;
      try {
        // A scene or weights file: a pipe put in its place must not freeze the server.
        data = readRegularFile(file, file, Math.max(INPUT_LIMITS.sceneFile, INPUT_LIMITS.weightsFile), 'scene and weights files');
      } catch {
        return notFound(response);
      }
      return send(response, 200, data, TYPES[extname(file)] ?? 'application/octet-stream');
    }
    return notFound(response);
  };

  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      send(response, 500, `${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'EADDRINUSE' ? new UserError(`port ${options.port} is already in use`, 'pick another with --port, or leave --port out for a free one') : error),
    );
    server.listen(options.port ?? 0, PREVIEW_HOST, done);
  });
  const watcher = watchScenes(scenes, (scene) => {
    for (const client of clients) client.write(`event: change\ndata: ${JSON.stringify({ id: scene.id })}\n\n`);
  });
  // Keeps idle event streams open through proxies and sleeping laptops.
  const keepAlive = setInterval(() => clients.forEach((c) => c.write(': still here\n\n')), 15_000);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${PREVIEW_HOST}:${port}/`,
    async close() {
      clearInterval(keepAlive);
      watcher.close();
      for (const client of clients) client.end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
