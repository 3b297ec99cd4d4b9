/**
 * The contract of an output format: one module per format (mp4.ts, gif.ts, …)
 * says everything about it, and the registry (index.ts) is the only list of
 * them. The scene side of a format (its name, options and smallest frame)
 * is in src/scene/output-formats.ts, which the browser can load too.
 */
import type { Format } from '../../scene/index.js';
import type { EncodeJob, Encoder } from '../encoder.js';

export interface OutputFormat {
  readonly name: Format;
  /** Extensions (lower case, with the dot) whose files `--from` reads with this format. */
  readonly extensions: readonly string[];
  /** Where the output of a render goes, given the output stem (folder + name). */
  outputPath(stem: string): string;
  createEncoder(job: EncodeJob): Encoder;
  /** The resolved scene stored in a finished output, or undefined when there is none. */
  readMetadata(path: string): Promise<string | undefined>;
  /** What `doctor` checks: the ffmpeg encoders and filters this format uses. */
  readonly needs: { readonly encoders: readonly string[]; readonly filters?: readonly string[] };
}
