/**
 * Which adapter is there, asked in a child process. Dawn prints its
 * discoveries' failures on stderr (an old Mesa lavapipe it cannot use, a
 * Vulkan loader with no device) from native code, where this process cannot
 * quiet them; a child's stderr is ours to keep. The answer costs a process
 * start, once per command, and only where a GPU may be used. The child runs
 * adapter-probe-child.ts, which prints the answer as one line of JSON.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { option, words } from '../../errors.js';
import { threadModule } from '../../threads.js';
import type { AdapterDescription, NoAdapter } from './dawn.js';

export type ProbeResult = { adapter: AdapterDescription } | NoAdapter;

/** A probe that takes longer than this has hung in a driver: no adapter. */
const PROBE_TIMEOUT_MS = 30_000;

export function probeAdapter(): Promise<ProbeResult> {
  const { filename, execArgv } = threadModule('render/gpu/adapter-probe-child');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...execArgv, fileURLToPath(filename)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => resolve({ reason: `the GPU probe could not start: ${error.message}`, hint: words`render with ${option('backend')} cpu` }));
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ProbeResult);
      } catch {
        const why = signal ? `it was stopped by ${signal}` : `it exited with code ${code}`;
        const said = stderr.trim().split('\n').slice(-3).join(' / ');
        resolve({ reason: `the GPU probe failed (${why})${said ? `: ${said}` : ''}`, hint: words`render with ${option('backend')} cpu, or check the GPU driver` });
      }
    });
  });
}
