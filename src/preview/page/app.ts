/**
 * The preview page: plays a scene's loop in real time, on the GPU where the
 * browser offers WebGL2 and with the CPU kernel in a Web Worker where not.
 * Saving the scene file reloads it in place (same time); a scene that does
 * not validate shows its located problems over the last good picture. The
 * side panel explores (variations, sliders) and keeps what is found in the
 * scene's YAML. This module only wires the parts together:
 *
 *   playback.ts   the renderer, the playhead, painting
 *   loading.ts    the scene list, loading, problems, marks, measures
 *   controls.ts   transport, tabs, keys, PNG, commands
 *   explore.ts    variations and the history
 *   sliders.ts    a slider per animatable parameter
 *   keep-bar.ts   Keep, Keyframe here, Revert, Undo
 */
import { Controls } from './controls.js';
import { ui, type Tab } from './dom.js';
import { ExplorePanel } from './explore.js';
import { KeepBar } from './keep-bar.js';
import { Loading } from './loading.js';
import { Playback } from './playback.js';
import { Preview } from './session.js';
import { SliderPanel } from './sliders.js';

const params = new URLSearchParams(location.search);
const preview = new Preview();
const playback = new Playback(preview, params);
const loading = new Loading(preview, playback, params);
const controls = new Controls(preview, playback);
const explore = new ExplorePanel(preview, playback, params);
const sliders = new SliderPanel(preview, playback);
const keepBar = new KeepBar(preview, playback, loading);

preview.on('overrides', () => ui.frame.classList.toggle('changed', !!preview.session?.dirty));
controls.onTab = (tab) => {
  if (tab === 'explore') explore.opened();
  if (tab === 'adjust') sliders.follow();
};
controls.onKey = (event) => explore.key(event);
playback.onTick = (now) => {
  explore.tick(now);
  sliders.tick();
  keepBar.tick();
  void loading.measure(now);
};

async function start(): Promise<void> {
  playback.choosePainter();
  controls.bind();
  explore.bind();
  keepBar.bind();
  loading.listen();
  await loading.listScenes();
  if (params.get('paused') !== null) playback.setPlaying(false);
  const resolution = params.get('resolution');
  if (resolution && [...ui.resolution.options].some((o) => o.value === resolution)) {
    ui.resolution.value = resolution;
    playback.resolutionPicked = true;
  }
  const tab = params.get('tab');
  if (tab === 'explore' || tab === 'adjust' || tab === 'scene') controls.openTab(tab);
  const first = loading.firstScene();
  if (first) loading.selectScene(first.id);
  playback.start();
}

/** For tests and the benchmark: the page's state and a few handles on it. */
declare global {
  interface Window {
    cppnPreview: unknown;
  }
}
window.cppnPreview = {
  state: preview.state,
  get session() {
    return preview.session;
  },
  explore: explore.state,
  keep: keepBar,
  seek: (time: number) => playback.seek(time),
  setPlaying: (playing: boolean) => playback.setPlaying(playing),
  savePng: () => controls.savePng(),
  selectScene: (id: number) => loading.selectScene(id),
  setResolution: (value: string) => controls.setResolution(value),
  openTab: (tab: Tab) => controls.openTab(tab),
  breed: (fresh: boolean) => explore.breed(fresh),
  tilePixels: (index: number) => explore.tilePixels(index),
  setParameter: (name: string, value: number, component?: number) => sliders.setByName(name, value, component),
  /** Resolves once the picture for the present state is on the canvas. */
  settled: () => playback.settled(),
  /** The canvas's pixels as base64 RGBA rows from the top. */
  pixels(): { width: number; height: number; base64: string } {
    const data = playback.painter.readPixels();
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: playback.painter.canvas.width, height: playback.painter.canvas.height, base64: btoa(binary) };
  },
  benchmark: (count: number) => playback.benchmark(count),
};

void start();
