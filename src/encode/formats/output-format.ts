/**
 * The contract of an output format: one module per format (mp4.ts, gif.ts, …)
 * says everything about it, and the registry (index.ts) is the only list of
 * them. A format codes a video in pieces (frame ranges, each starting
 * afresh) and joins them into one output without coding again. The scene
 * side of a format (its name, options and smallest frame) is in
 * src/scene/output-formats.ts, which the browser can load too.
 */
import type { Format } from '../../scene/index.js';
import type { OutputCheck } from '../../files/index.js';
import type { EncodeJob, JoinJob, PieceEncoder, PieceJob } from '../encoder.js';
import type { Text } from '../../errors.js';

export interface OutputFormat {
  readonly name: Format;
  /** Extensions (lower case, with the dot) whose files `--from` reads with this format. */
  readonly extensions: readonly string[];
  /** Where the output of a render goes, given the output stem (folder + name). */
  outputPath(stem: string): string;
  /** The output is a folder (PNG frames), and so is each piece. */
  readonly folder?: boolean;
  /**
   * The shortest piece worth starting afresh, in frames, when more than the
   * render's own minimum: a format whose encoder looks far ahead (VP9's
   * alternate reference frames) pays more for short pieces.
   */
  readonly minPieceFrames?: number;
  /** A piece's name in a folder of pieces (a cluster's chunk store): e.g. piece.mp4. */
  readonly pieceName: string;
  /** Throws when this output cannot be made at all (a scene too large for its metadata): asked before any work starts. */
  validate?(job: EncodeJob): void;
  /** Codes frames job.range of the video into a piece at job.path. */
  createPieceEncoder(job: PieceJob): PieceEncoder;
  /**
   * Joins the pieces (paths, in the video's order) into `temp`, the output's
   * temporary path, with the scene's metadata (job.metadata). Returns what to
   * tell the user about the output, if anything.
   */
  join(pieces: string[], job: JoinJob, temp: string): Promise<Text | undefined>;
  /** What makes a joined output complete, checked before it may replace anything. */
  check(job: JoinJob): OutputCheck;
  /** Whether an existing folder at the output's path may be replaced (a folder format's own earlier output); files are always replaceable. */
  replaces?(existing: string): boolean;
  /** The resolved scene stored in a finished output, or undefined when there is none. */
  readMetadata(path: string): Promise<string | undefined>;
  /** What `doctor` checks: the ffmpeg encoders and filters this format uses. */
  readonly needs: { readonly encoders: readonly string[]; readonly filters?: readonly string[] };
}
