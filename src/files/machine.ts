/**
 * This machine's identity, for names that must not be mistaken for another
 * machine's: a process id means nothing on a folder shared between machines
 * (NFS, a mounted bucket), where the same number can be a live process
 * elsewhere. The id is the host name and the system's machine id, hashed,
 * so two containers made from one image (same machine id) still differ.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

let cached: string | undefined;

function systemMachineId(): string {
  for (const path of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      // Not on this system: try the next, or go by the host name alone.
    }
  }
  return '';
}

/** Eight hexadecimal digits naming this machine. */
export function machineId(): string {
  cached ??= createHash('sha256').update(`${hostname()}\n${systemMachineId()}`).digest('hex').slice(0, 8);
  return cached;
}

/** Whether process `pid` runs on this machine (a process of another user counts). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
