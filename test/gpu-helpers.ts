/**
 * The GPU the GPU tests run on: a hardware adapter where there is one, else
 * SwiftShader's software Vulkan driver (shipped by Debian's chromium), which
 * Dawn uses when VK_ICD_FILENAMES points at it. Set here for this process and
 * every CLI it spawns. Where neither exists the tests skip, and the run's
 * summary names them (system-parts.ts).
 */
import { existsSync } from 'node:fs';
import { probeAdapter } from '../src/render/gpu/adapter-probe.js';
import type { AdapterDescription } from '../src/render/gpu/dawn.js';
import { NO_GPU } from './system-parts.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface TestGpu {
  adapter?: AdapterDescription;
  /** Why the GPU tests cannot run here, when they cannot. */
  missing?: string;
}

async function findTestGpu(): Promise<TestGpu> {
  if (NO_GPU) return { missing: 'CPPN_MOTION_TEST_NO_GPU=1' };
  const found = await probeAdapter();
  if ('adapter' in found && !found.adapter.software) return { adapter: found.adapter };
  if (!existsSync(SWIFTSHADER_ICD)) return { missing: `no hardware GPU adapter (${'adapter' in found ? found.adapter.name : found.reason}) and no SwiftShader at ${SWIFTSHADER_ICD}` };
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const software = await probeAdapter();
  if ('adapter' in software) return { adapter: software.adapter };
  return { missing: `no GPU adapter: ${software.reason}` };
}

let finding: Promise<TestGpu> | undefined;

export function testGpu(): Promise<TestGpu> {
  finding ??= findTestGpu();
  return finding;
}
