/**
 * Outputs are written under a temporary name beside the final one and renamed
 * into place only when complete, so a failed or interrupted run never leaves
 * a half-written file under the final name, and an existing file stays intact
 * until its replacement is whole. Temporary files register themselves so an
 * interrupt can remove them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

const pending = new Set<string>();

/** Removes every temporary output not yet committed (for interrupts and fatal errors). */
export function removePendingOutputs(): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
}

export class PendingOutput {
  readonly tempPath: string;
  private state: 'pending' | 'committed' | 'discarded' = 'pending';

  /** Prepares a temporary path for `finalPath`; the extension is kept so tools recognise the format. */
  constructor(readonly finalPath: string) {
    mkdirSync(dirname(finalPath), { recursive: true });
    const ext = extname(finalPath);
    const stem = basename(finalPath, ext);
    this.tempPath = join(dirname(finalPath), `.${stem}.partial-${process.pid}-${randomBytes(3).toString('hex')}${ext}`);
    pending.add(this.tempPath);
  }

  /** A further temporary path beside this one (work files), removed on interrupt like the output itself. */
  scratch(suffix: string): string {
    const path = `${this.tempPath}.${suffix}`;
    pending.add(path);
    return path;
  }

  /** Moves the finished temporary file (or folder) into place, replacing any old one. */
  commit(): void {
    if (this.state === 'committed') return;
    if (this.state === 'discarded') throw new Error(`${this.finalPath}: the output was discarded and cannot be committed`);
    // rename() replaces a file atomically; a folder (PNG frames) must be moved aside first.
    if (existsSync(this.finalPath) && lstatSync(this.finalPath).isDirectory()) {
      const old = `${this.tempPath}.old`;
      renameSync(this.finalPath, old);
      renameSync(this.tempPath, this.finalPath);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(this.tempPath, this.finalPath);
    }
    pending.delete(this.tempPath);
    this.state = 'committed';
  }

  /** Deletes the temporary file; the final path is untouched. */
  discard(): void {
    if (this.state !== 'pending') return;
    rmSync(this.tempPath, { recursive: true, force: true });
    pending.delete(this.tempPath);
    this.state = 'discarded';
  }

  /** Deletes a scratch path made by `scratch`. */
  removeScratch(path: string): void {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
}

/** Writes a whole file atomically. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const output = new PendingOutput(path);
  try {
    writeFileSync(output.tempPath, data);
    output.commit();
  } catch (error) {
    output.discard();
    throw error;
  }
}
