import { describe, expect, it } from 'vitest';
import { scenePayload } from '../render/scene-payload.js';
import { sceneFromFile, validateSceneData, type NetworkWeights } from '../index.js';
import { acceptClusterJob, itemJob, MismatchedJobError, pieceJob, pieceKey, RejectedJobError } from './chunk-job.js';
import { toolIdentity } from './tool-identity.js';

const tool = toolIdentity(['gif']);
const settings = { gif: { settings: { width: 32, height: 24, fps: 10, coding: { colors: 256, dither: 'none' as const, bayerScale: 2, tolerance: 2 } } } };
/** A worker without a GPU, taking jobs from the CPU's queue. */
const cpuWorker = { serves: ['cpu'], queue: 'cpu' } as const;
const chunkJob = (l: typeof loaded, range: { start: number; end: number }) => pieceJob(l, range, ['gif'], settings, tool);

const scene = validateSceneData({
  name: 'job',
  output: { size: [32, 24], fps: 10, duration: 2 },
  network: { inputs: ['x', 'y'], layers: { depth: 2, width: 4 } },
  keyframes: [{ at: 0, seed: 1 }, { at: 1, weights: '/nowhere/w.json' }],
});
const weights: NetworkWeights = {
  layers: [
    { inputs: 2, outputs: 4, weight: new Float32Array(8).map((_, i) => Math.fround(i / 7 - 0.3)), bias: new Float32Array(4).fill(0.125) },
    { inputs: 4, outputs: 4, weight: new Float32Array(16).map((_, i) => Math.fround(Math.sin(i))), bias: new Float32Array(4) },
    { inputs: 4, outputs: 3, weight: new Float32Array(12).map((_, i) => Math.fround(Math.cos(i) / 3)), bias: new Float32Array(3) },
  ],
};
const loaded = sceneFromFile(scene, 'test', '/', 'job', new Map([['/nowhere/w.json', weights]]));

describe('cluster jobs', () => {
  it('carry the scene and its weights: a worker rebuilds the same scene, with the same hash, without reading any file', () => {
    const job = JSON.parse(JSON.stringify(chunkJob(loaded, { start: 4, end: 8 })));
    const accepted = acceptClusterJob(job, cpuWorker);
    if (accepted.kind !== 'piece') throw new Error('not a piece');
    expect(accepted.key).toBe(pieceKey(job.set, { start: 4, end: 8 }));
    expect(scenePayload(accepted.loaded).key).toBe(scenePayload(loaded).key);
    expect(Array.from(accepted.loaded.library.get('/nowhere/w.json')!.layers[1].weight)).toEqual(Array.from(weights.layers[1].weight));
  });

  it('are refused when they are not well-formed, with the reason', () => {
    const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(chunkJob(loaded, { start: 0, end: 4 })));
    const refused = (data: unknown): string => {
      try {
        acceptClusterJob(data, cpuWorker);
      } catch (error) {
        expect(error).toBeInstanceOf(RejectedJobError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('text')).toMatch(/not an object/);
    expect(refused({ ...good(), sceneHash: '../../etc' })).toMatch(/sceneHash/);
    expect(refused({ ...good(), range: { start: 0, end: 21 } })).toMatch(/not within the scene's 20 frames/);
    expect(refused({ ...good(), range: { start: 3, end: 3 } })).toMatch(/not within/);
    expect(refused({ ...good(), weights: {} })).toMatch(/names weights \/nowhere\/w.json, which the job does not carry/);
    expect(refused({ ...good(), scene: { ...(good().scene as object), network: { layers: { depth: 0 } } } })).toMatch(/its scene is not valid/);
    // Another scene under this scene's hash: a stale or forged job.
    const other = good();
    (other.scene as { keyframes: Array<{ seed?: number }> }).keyframes[0].seed = 2;
    expect(refused(other)).toMatch(/hashes to [0-9a-f]{16}, not the/);
    expect(refused({ unreadable: 'the job data is not JSON' })).toMatch(/the job data is not JSON/);
    expect(refused({ ...good(), formats: ['gif', 'tiff'] })).toMatch(/formats is not a list/);
    expect(refused({ ...good(), settings: { gif: { settings: { width: -1 } } } })).toMatch(/GIF size/);
    // Settings other than those the set was made from: the pieces would be filed under another's key.
    const resettled = good();
    (resettled.settings as typeof settings).gif.settings.fps = 5;
    expect(refused(resettled)).toMatch(/belong to set [0-9a-f]{16}, not the/);
    expect(refused({ ...JSON.parse(JSON.stringify(itemJob(loaded, ['gif'], tool))), thumbnail: { size: [0, 9], at: 1 } })).toMatch(/thumbnail/);
  });

  it('made by another version, for another pixel backend or another ffmpeg are refused as such, before anything else', () => {
    const mismatched = (change: (job: Record<string, unknown>) => void, worker: Parameters<typeof acceptClusterJob>[1] = cpuWorker): string => {
      const job = JSON.parse(JSON.stringify(pieceJob(loaded, { start: 0, end: 4 }, ['gif', 'mp4'], settings, toolIdentity(['gif', 'mp4']))));
      change(job);
      try {
        acceptClusterJob(job, worker);
      } catch (error) {
        expect(error).toBeInstanceOf(MismatchedJobError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(mismatched((job) => ((job.tool as { version: string }).version = '0.0.1'))).toMatch(/the job comes from cppn-motion 0\.0\.1, this worker runs \S+; run the same version/);
    // Even when the rest is from another world.
    expect(mismatched((job) => Object.assign(job, { tool: { ...(job.tool as object), version: '9.9.9' }, formats: ['tiff'] }))).toMatch(/cppn-motion 9\.9\.9/);
    expect(mismatched((job) => ((job.tool as { backend: string }).backend = 'webgpu'))).toMatch(/asks for the webgpu backend, this worker renders on the CPU only/);
    // A GPU job (made by hand: the coordinator queues them where only GPU workers listen) reaching a worker without a GPU.
    const gpuJob = (job: Record<string, unknown>): void => void ((job.tool as { backend: string }).backend = 'gpu');
    expect(mismatched(gpuJob)).toMatch(/asks for the GPU, this worker renders on the CPU only \(pixels differ between backends, and a video is never a mix\); GPU jobs go to workers started on a machine with a GPU/);
    // Or a GPU worker, but from the CPU's queue: each backend's jobs wait in their own.
    expect(mismatched(gpuJob, { serves: ['gpu', 'cpu'], queue: 'cpu' })).toMatch(/asks for the GPU but waited in the queue for the CPU \(cppn-motion-chunks\); each backend's jobs go in their own queue \(cppn-motion-chunks-gpu\)/);
    // And the other way round: a CPU job in the GPU's queue.
    expect(mismatched(() => undefined, { serves: ['gpu', 'cpu'], queue: 'gpu' })).toMatch(/asks for the CPU but waited in the queue for the GPU/);
    expect(mismatched((job) => ((job.tool as { ffmpeg: string }).ffmpeg = 'ffmpeg version 1.0'))).toMatch(/coded by ffmpeg version 1\.0, this worker has/);
    expect(mismatched((job) => (job.format = 1))).toMatch(/format 1, this worker reads format 2/);
  });

  it('for the GPU are accepted by a worker with a GPU from the GPU\'s queue, and filed apart from the CPU\'s pieces', () => {
    const onGpu = pieceJob(loaded, { start: 0, end: 4 }, ['gif'], settings, toolIdentity(['gif'], 'gpu'));
    const accepted = acceptClusterJob(JSON.parse(JSON.stringify(onGpu)), { serves: ['gpu', 'cpu'], queue: 'gpu' });
    expect(accepted.data.tool.backend).toBe('gpu');
    // The same scene, frames and settings on the CPU: another set, so neither's pieces stand in for the other's.
    expect(onGpu.set).not.toBe(chunkJob(loaded, { start: 0, end: 4 }).set);
  });
});
