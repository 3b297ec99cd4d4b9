/**
 * Samples a process tree through /proc (Linux): peak resident memory of each
 * process and of the whole tree, and how busy the machine's cores are.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessPeak {
  pid: number;
  command: string;
  peakKiB: number;
  /** CPU seconds (user + system) at the last sample. */
  cpuSeconds: number;
}

const TICKS_PER_SECOND = 100;

export interface TreeSample {
  peaks: Map<number, ProcessPeak>;
  /** Largest sum of resident memory over the tree at one moment. */
  peakTreeKiB: number;
  /** Fraction of all cores busy (user + system), per sample. */
  busy: Array<{ atMs: number; fraction: number }>;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

function cpuTotals(): { busy: number; total: number } {
  const line = (read('/proc/stat') ?? '').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + line[4];
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Samples the tree under `root` every `intervalMs` until `stop()` is called.
 * Finding the tree reads every process's stat file; `rescanMs` sets how often
 * that happens (by default every sample). A benchmark that samples its own
 * process should rescan rarely: a full scan of /proc every 50 ms costs about
 * 8 % of a core, which it would measure as part of what it times.
 */
export function sampleTree(root: number, intervalMs = 20, rescanMs = intervalMs): { stop: () => TreeSample } {
  // One last sample at stop() catches what short-lived children did.
  const peaks = new Map<number, ProcessPeak>();
  const busy: TreeSample['busy'] = [];
  let peakTreeKiB = 0;
  const started = performance.now();
  let lastCpu = cpuTotals();
  let tree: number[] = [];
  let scannedAt = -Infinity;
  const tick = (rescan = false): void => {
    if (rescan || performance.now() - scannedAt >= rescanMs) {
      tree = descendants(root);
      scannedAt = performance.now();
    }
    let sum = 0;
    for (const pid of tree) {
      const status = read(`/proc/${pid}/status`);
      if (!status) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      sum += rss;
      const command = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
      const stat = read(`/proc/${pid}/stat`) ?? '';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
      const known = peaks.get(pid);
      // Right after fork a child still shows its parent's command line; keep the latest.
      peaks.set(pid, {
        pid,
        command: command || known?.command || '',
        peakKiB: Math.max(known?.peakKiB ?? 0, hwm, rss),
        cpuSeconds: Math.max(known?.cpuSeconds ?? 0, ticks / TICKS_PER_SECOND),
      });
    }
    peakTreeKiB = Math.max(peakTreeKiB, sum);
    const cpu = cpuTotals();
    if (cpu.total > lastCpu.total) busy.push({ atMs: performance.now() - started, fraction: (cpu.busy - lastCpu.busy) / (cpu.total - lastCpu.total) });
    lastCpu = cpu;
  };
  const timer = setInterval(tick, intervalMs);
  tick();
  return {
    stop: () => {
      clearInterval(timer);
      tick(true);
      return { peaks, peakTreeKiB, busy };
    },
  };
}

/** What a process of a render is, from its command line. */
export function processRole(command: string): string {
  if (!command.includes('ffmpeg')) return 'node: main thread + render workers';
  if (command.includes('palettegen')) return 'ffmpeg: gif pass 1 (palette, lossless copy)';
  if (command.includes('paletteuse')) return 'ffmpeg: gif pass 2 (palette mapping)';
  if (command.includes('libx264')) return 'ffmpeg: mp4 (libx264)';
  return 'ffmpeg';
}
