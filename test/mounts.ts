/**
 * Small file systems for the fault tests: a tmpfs of a few hundred KB (a full
 * disk), or one mounted read-only. Mounting needs root; where it is not
 * allowed the suites that need it skip with a plain message.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mount {
  path: string;
  /** Makes the file system read-only (remount), keeping what it holds. */
  readOnly(): void;
  /** Fills it up but for about `leaveBytes`. */
  fill(leaveBytes: number): void;
  /** Frees what fill() took. */
  unfill(): void;
  remove(): void;
}

function tryMount(path: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine lets the tests mount a tmpfs (root, and a kernel that allows it). */
export const canMount: boolean = (() => {
  const probe = mkdtempSync(join(tmpdir(), 'cppn-motion-mount-'));
  const ok = tryMount(probe, 'size=64k');
  if (ok) execFileSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

export const MOUNT_SKIP = 'skipped: these fault tests mount a small tmpfs, which needs root (run them as root, e.g. in CI)';

export function mountTmpfs(sizeKb: number): Mount {
  const path = mkdtempSync(join(tmpdir(), 'cppn-motion-fs-'));
  if (!tryMount(path, `size=${sizeKb}k`)) throw new Error(`cannot mount a tmpfs on ${path}`);
  const filler = join(path, 'filler');
  return {
    path,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', path]),
    fill: (leaveBytes) => {
      const stats = statfsSync(path);
      const free = stats.bavail * stats.bsize;
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - leaveBytes)));
    },
    unfill: () => rmSync(filler, { force: true }),
    remove: () => {
      execFileSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
