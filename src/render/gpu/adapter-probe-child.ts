/**
 * The GPU probe's child process (adapter-probe.ts): asks Dawn for an
 * adapter and prints the answer as one line of JSON on stdout.
 */
import { isNoAdapter, requestAdapter } from './dawn.js';
import type { ProbeResult } from './adapter-probe.js';

const found = await requestAdapter();
const result: ProbeResult = isNoAdapter(found) ? found : { adapter: found.description };
process.stdout.write(`${JSON.stringify(result)}\n`);
// Dawn's instance may keep the event loop alive; the answer is out.
process.exit(0);
