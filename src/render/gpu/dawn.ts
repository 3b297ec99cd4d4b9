/**
 * The one module that knows the `webgpu` package (Google's Dawn for Node):
 * loading it (lazily: nothing that renders on the CPU pays for its native
 * library), preparing the environment it expects, finding an adapter, and
 * saying in the user's words what it is — or why there is none and what to
 * install.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as Dawn from 'webgpu';
import { option, words, type Text } from '../../errors.js';

export type DawnModule = typeof Dawn;

/** What the user learns of an adapter: enough to tell a real GPU from a software one. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU pretending to be a GPU: SwiftShader, lavapipe/llvmpipe, WARP. */
  software: boolean;
  /** One line: "NVIDIA H100 80GB HBM3 (nvidia hopper)", "SwiftShader driver 5.0.0 (google swiftshader, software)". */
  name: string;
}

/** Why no adapter can be used, and what to install. */
export interface NoAdapter {
  reason: string;
  hint: Text;
}

export const INSTALL_VULKAN_HINT =
  'install a Vulkan loader and your GPU\'s Vulkan driver (Debian/Ubuntu: sudo apt-get install libvulkan1, plus the NVIDIA driver or mesa-vulkan-drivers); ' +
  'without a GPU, Chromium\'s software driver works for testing: sudo apt-get install chromium, then VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render|software/i;

export function describeAdapter(info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean }): AdapterDescription {
  const software = info.isFallbackAdapter === true || SOFTWARE.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
  const title = info.description || info.device || 'unnamed adapter';
  const kind = [info.vendor, info.architecture].filter(Boolean).join(' ');
  const details = [kind, software ? 'software' : ''].filter(Boolean).join(', ');
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, software, name: details ? `${title} (${details})` : title };
}

/**
 * Dawn on Linux reaches the GPU through the Vulkan loader, and prints a
 * warning on stderr when it cannot load it: look for the loader first, and
 * leave Dawn unloaded where there is none.
 */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const name = 'libvulkan.so.1';
  const folders = [...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib'];
  if (folders.some((folder) => existsSync(join(folder, name)))) return false;
  try {
    return !readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return true;
  }
}

/**
 * Dawn's Vulkan back end wants XDG_RUNTIME_DIR (and says so on stderr
 * without it): a private folder of this user's when the session has none.
 */
function prepareEnvironment(): void {
  if (process.platform !== 'linux' || process.env.XDG_RUNTIME_DIR) return;
  const folder = join(tmpdir(), `cppn-motion-runtime-${userInfo().uid}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (statSync(folder).isDirectory()) process.env.XDG_RUNTIME_DIR = folder;
  } catch {
    // Only a warning is lost.
  }
}

let loading: Promise<DawnModule | NoAdapter> | undefined;

/** The `webgpu` package, loaded once, or why it cannot be. */
export function loadDawn(): Promise<DawnModule | NoAdapter> {
  loading ??= (async () => {
    if (vulkanLoaderMissing()) return { reason: 'no Vulkan loader (libvulkan.so.1) is installed', hint: INSTALL_VULKAN_HINT };
    prepareEnvironment();
    try {
      return await import('webgpu');
    } catch (error) {
      return {
        reason: `the webgpu package (Dawn) cannot be loaded here: ${(error as Error).message.split('\n')[0]}`,
        hint: words`it is an optional dependency with builds for Linux, macOS and Windows on x64 and arm64: reinstall with \`npm install webgpu\`, or render with ${option('backend')} cpu`,
      };
    }
  })();
  return loading;
}

export function isNoAdapter(value: unknown): value is NoAdapter {
  return typeof value === 'object' && value !== null && 'reason' in value && 'hint' in value;
}

export interface OpenAdapter {
  dawn: DawnModule;
  gpu: GPU;
  adapter: GPUAdapter;
  description: AdapterDescription;
}

/**
 * Mesa's lavapipe (a software Vulkan driver) is installed beside many real
 * GPUs' drivers, and Dawn, finding Debian 12's too old, says so on stderr in
 * every run. Where a hardware adapter is known to be there (the probe found
 * one) and the user has not chosen drivers, the loader is told to skip it.
 */
function skipLavapipe(): void {
  const chosen = ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'VK_LOADER_DRIVERS_SELECT', 'VK_LOADER_DRIVERS_DISABLE'].some((name) => process.env[name]);
  if (process.platform === 'linux' && !chosen) process.env.VK_LOADER_DRIVERS_DISABLE = '*lvp_icd*';
}

/**
 * The adapter Dawn would render on (the most powerful it finds), or why
 * there is none. `hardwareOnly`: a hardware adapter is known to be there.
 */
export async function requestAdapter(options: { hardwareOnly?: boolean } = {}): Promise<OpenAdapter | NoAdapter> {
  if (options.hardwareOnly) skipLavapipe();
  const dawn = await loadDawn();
  if (isNoAdapter(dawn)) return dawn;
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { reason: 'Dawn found no GPU adapter (no Vulkan, Metal or Direct3D 12 device it can use)', hint: INSTALL_VULKAN_HINT };
  return { dawn, gpu, adapter, description: describeAdapter(adapter.info) };
}
