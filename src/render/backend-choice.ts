/**
 * Which backend renders: the one place that turns `--backend cpu|gpu|auto`
 * into a frame backend, for render, still and batch alike (and, later, a
 * cluster's worker).
 *
 * - cpu: this machine's threads and the exact reference kernels.
 * - gpu: WebGPU through Dawn, on whatever adapter it finds, software ones
 *   included (that is how it is tested without a GPU); none at all is a
 *   user error saying what to install.
 * - auto (the default): the GPU when a hardware adapter is there, else the
 *   CPU — a software adapter renders slower than the CPU kernels.
 *
 * The `webgpu` package is loaded only once a GPU is asked for, and looked
 * for (by auto) in a child process, so the CPU path never pays for it.
 *
 * On a cluster (`--redis`) the coordinator renders nothing: the request only
 * says which workers' queue the jobs go to (see clusterPixelBackend).
 */
import { option, UserError, words } from '../errors.js';
import type { LoadedScene } from '../scene/index.js';
import type { FrameBackend, RenderedBy } from './frame-backend.js';
import type { BackendRequest } from '../scene/options/values.js';
import type { AdapterDescription } from './gpu/dawn.js';
import type { GpuBackendOptions } from './gpu/gpu-backend.js';
import { codingCores, createLocalBackend, piecesHere } from './local-backend.js';
import type { PixelBackend } from './pixel-backend.js';
import type { RenderPool } from './pool.js';

export { BACKEND_REQUESTS, type BackendRequest } from '../scene/options/values.js';
export type BackendKind = PixelBackend;

export interface BackendDecision {
  kind: BackendKind;
  /** The adapter found (also when auto chose the CPU over a software one). */
  adapter?: AdapterDescription;
  /** Why auto chose the CPU, in the user's words. */
  note?: string;
}

/** Decides where frames will be rendered; `gpu` with no adapter at all is a UserError naming what to install. */
export async function decideBackend(request: BackendRequest): Promise<BackendDecision> {
  if (request === 'cpu') return { kind: 'cpu' };
  const { probeAdapter } = await import('./gpu/adapter-probe.js');
  const found = await probeAdapter();
  if (!('adapter' in found)) {
    if (request === 'gpu') throw new UserError(words`${option('backend')} gpu: ${found.reason}`, found.hint);
    return { kind: 'cpu', note: `no GPU: ${found.reason}` };
  }
  if (request === 'gpu' || !found.adapter.software) return { kind: 'gpu', adapter: found.adapter };
  return { kind: 'cpu', adapter: found.adapter, note: `the only GPU adapter is a software one (${found.adapter.name}), slower than the CPU kernels` };
}

export interface FrameBackendOptions {
  /** CPU: worker threads; GPU: the cores that code the pieces (default one per core either way). */
  workers?: number;
  /** CPU: threads already started (not destroyed by the backend's close). */
  pool?: RenderPool;
  /** GPU: tiles, units and window (see GpuBackendOptions). */
  gpu?: GpuBackendOptions;
}

export interface ChosenBackend {
  backend: FrameBackend;
  kind: BackendKind;
  adapter?: AdapterDescription;
  /** Why auto chose the CPU. */
  note?: string;
}

/**
 * A frame backend for `--backend` (a request, or a decision already made).
 * The caller closes it. For the cluster's worker too: it renders its chunks
 * on what this returns.
 */
export async function createFrameBackend(choice: BackendRequest | BackendDecision, options: FrameBackendOptions = {}): Promise<ChosenBackend> {
  const decision = typeof choice === 'string' ? await decideBackend(choice) : choice;
  if (decision.kind === 'cpu') return { backend: createLocalBackend({ workers: options.workers, pool: options.pool }), kind: 'cpu', adapter: decision.adapter, note: decision.note };
  const { createGpuBackend } = await import('./gpu/gpu-backend.js');
  const gpu = await createGpuBackend({ ...options.gpu, hardwareOnly: decision.adapter !== undefined && !decision.adapter.software });
  // The GPU computes the pixels; this machine's cores (as many as --workers allows) code the pieces.
  return { backend: piecesHere(gpu, options.workers ?? codingCores()), kind: 'gpu', adapter: gpu.adapter };
}

/**
 * Which workers a cluster render's jobs go to. `auto` means the CPU: the
 * coordinator cannot know which machines will take the pieces (workers come
 * and go), the CPU's pixels are the exact reference that every worker
 * serves, and a render started again must pick the pieces it left, which
 * a choice made from the workers connected at the time would not.
 */
export function clusterPixelBackend(request: BackendRequest): PixelBackend {
  return request === 'gpu' ? 'gpu' : 'cpu';
}

/**
 * The scene as its outputs store it: with what rendered it (scene key
 * `rendered`). What was stored before (a --from source's) is replaced.
 */
export function withRenderedBy(loaded: LoadedScene, renderedBy: RenderedBy | undefined): LoadedScene {
  const { rendered: _previous, ...scene } = loaded.scene;
  return { ...loaded, scene: renderedBy ? { ...scene, rendered: { ...renderedBy } } : scene };
}

/** "on the GPU: NVIDIA …" / "on the CPU (4 threads)", with auto's reason for the CPU. */
export function describeChoice(chosen: ChosenBackend): string {
  if (chosen.kind === 'gpu') return `on the GPU: ${chosen.adapter?.name ?? 'unknown adapter'}`;
  // No GPU at all is the common case, said on every render: in a few words (`doctor` says why).
  const note = chosen.note?.startsWith('no GPU') ? 'no GPU found' : chosen.note;
  return `on the CPU (${chosen.backend.description})${note ? `; ${note}` : ''}`;
}
