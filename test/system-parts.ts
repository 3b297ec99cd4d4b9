/**
 * The system parts some suites need besides npm's packages: Debian's
 * chromium (the preview page, headless; it also ships SwiftShader, the
 * software Vulkan driver the GPU tests use on a machine without a GPU),
 * redis-server (the cluster) and the Vulkan loader, libvulkan1 (the GPU
 * backend). Where one is missing, the suites that need it skip, and the run
 * ends by naming them and the one command that installs all three
 * (run-summary.ts).
 *
 * To see what a machine without them gets: CHROMIUM_PATH=/nonexistent,
 * REDIS_SERVER=/nonexistent, CPPN_MOTION_TEST_NO_GPU=1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestOptions } from 'vitest';

export const INSTALL_COMMAND = 'sudo apt-get install -y chromium redis-server libvulkan1';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
export const HAS_REDIS = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;

/** Set, the GPU tests act as on a machine without a Vulkan loader. */
export const NO_GPU = process.env.CPPN_MOTION_TEST_NO_GPU === '1';

export type SystemPart = 'chromium' | 'redis-server' | 'gpu';

/** What each part's tag says in the run's summary. */
export const PARTS: Record<SystemPart, { tag: string; what: string }> = {
  chromium: { tag: 'needs-chromium', what: 'chromium (headless Chromium for the preview page)' },
  'redis-server': { tag: 'needs-redis-server', what: 'redis-server (the cluster)' },
  gpu: { tag: 'needs-gpu', what: 'a GPU adapter (the Vulkan loader libvulkan1, with SwiftShader from chromium where there is no GPU)' },
};

const AVAILABLE = { chromium: HAS_CHROMIUM, 'redis-server': HAS_REDIS };

/**
 * Whether `part` is known to be missing: chromium and redis-server are looked
 * for here; the GPU only by the suites that use it, so for it this says
 * undefined.
 */
export function knownMissing(part: SystemPart): boolean | undefined {
  return part === 'gpu' ? undefined : !AVAILABLE[part];
}

/**
 * The options of a suite or test that needs each of `parts`: tagged with
 * each, and skipped where one is missing. The GPU's presence is found
 * asynchronously (gpu-helpers.ts), so for it the caller says. (No `skip:
 * false` where all are present: an explicit option would outweigh the skip
 * of the full-tier tag.)
 */
export function needs(...parts: Array<'chromium' | 'redis-server' | ['gpu', boolean]>): TestOptions {
  const tags = parts.map((part) => PARTS[Array.isArray(part) ? part[0] : part].tag);
  const missing = parts.some((part) => (Array.isArray(part) ? !part[1] : knownMissing(part)));
  return missing ? { tags, skip: true } : { tags };
}

/**
 * Within a test that runs, a part of it that was left out for want of `part`
 * (the README's cluster commands without redis-server): recorded so that the
 * run's summary names it. The arguments of a test's `annotate`.
 */
export function leftOut(part: SystemPart, what: string): [message: string, type: string] {
  return [what, PARTS[part].tag];
}
