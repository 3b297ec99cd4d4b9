/**
 * A piece on this machine: its frames rendered in order by the frame
 * scheduler (on the shared threads, a few frames in flight) and streamed
 * into a piece encoder of every format at once. Also what a cluster's worker
 * runs for each piece it takes, so both write the same bytes.
 */
import { createPieceEncoder, decideEncoding, framesToDecide } from '../encode/formats/index.js';
import type { EncodingSettings, PieceEncoder } from '../encode/encoder.js';
import type { Format, LoadedScene } from '../scene/index.js';
import { videoEncodeJob } from './encode-job.js';
import type { EncodedPiece, FrameSource, PieceContext, PieceRequest } from './frame-backend.js';
import { scheduleFrames } from './scheduler.js';

export async function encodePieceHere(source: FrameSource, request: PieceRequest, context: PieceContext, window: number): Promise<EncodedPiece> {
  const { loaded, range, formats, settings } = request;
  const video = videoEncodeJob(loaded, request.label, false);
  const files: Partial<Record<Format, string>> = {};
  const encoders: PieceEncoder[] = [];
  let reported = 0;
  const frames = scheduleFrames(source, loaded, {
    range,
    window,
    signal: context.signal,
    onProgress: (p) => {
      context.onFrames(p.done - reported);
      reported = p.done;
    },
  });
  try {
    for (const format of formats) {
      const path = request.piecePath(format);
      files[format] = path;
      encoders.push(createPieceEncoder(format, { ...video, path, range, settings, label: request.label }));
    }
    let index = range.start;
    for await (const frame of frames) {
      const at = index++;
      await Promise.all(encoders.map((encoder) => encoder.writeFrame(frame, at)));
    }
    await Promise.all(encoders.map((encoder) => encoder.finish()));
  } catch (error) {
    await Promise.allSettled(encoders.map((encoder) => encoder.abort()));
    throw error;
  }
  return { files, renderMs: frames.renderMs, release: async () => undefined };
}

/** The formats' settings for the whole video, from its first frames rendered here when they need them (a GIF's size budget). */
export async function encodingSettingsHere(source: FrameSource, loaded: LoadedScene, formats: Format[], pieces: number, signal?: AbortSignal): Promise<EncodingSettings> {
  const job = videoEncodeJob(loaded, loaded.origin);
  const count = framesToDecide(formats, job);
  const sample: Uint8Array[] = [];
  if (count > 0) {
    for await (const frame of scheduleFrames(source, loaded, { range: { start: 0, end: count }, signal })) sample.push(frame.slice());
  }
  return decideEncoding(formats, job, sample, pieces);
}
