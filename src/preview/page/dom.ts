/** The page's elements, looked up once (index.html declares them). */

const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
};

export const ui = {
  scenes: $('scenes'),
  renderer: $('renderer'),
  frame: $('frame'),
  gpuCanvas: $<HTMLCanvasElement>('gpu-canvas'),
  cpuCanvas: $<HTMLCanvasElement>('cpu-canvas'),
  overlay: $('overlay'),
  overlayTitle: $('overlay-title'),
  overlayText: $('overlay-text'),
  notice: $('notice'),
  play: $<HTMLButtonElement>('play'),
  marks: $('marks'),
  scrubber: $<HTMLInputElement>('scrubber'),
  clock: $('clock'),
  loop: $<HTMLInputElement>('loop'),
  resolution: $<HTMLSelectElement>('resolution'),
  size: $('size'),
  fps: $('fps'),
  sceneName: $('scene-name'),
  network: $('network'),
  warnings: $('warnings'),
  save: $<HTMLButtonElement>('save'),
  commands: $('commands'),
  stats: $('stats'),
  tabs: {
    explore: $<HTMLButtonElement>('tab-explore'),
    adjust: $<HTMLButtonElement>('tab-adjust'),
    scene: $<HTMLButtonElement>('tab-scene'),
  },
  panels: {
    explore: $('panel-explore'),
    adjust: $('panel-adjust'),
    scene: $('panel-scene'),
  },
  historyBack: $<HTMLButtonElement>('history-back'),
  historyForward: $<HTMLButtonElement>('history-forward'),
  historyLabel: $('history-label'),
  breed: $<HTMLButtonElement>('breed'),
  strength: $<HTMLInputElement>('strength'),
  strengthValue: $<HTMLOutputElement>('strength-value'),
  tiles: $('tiles'),
  breedInfo: $('breed-info'),
  sliders: $('sliders'),
  changes: $('changes'),
  keep: $<HTMLButtonElement>('keep'),
  keyframe: $<HTMLButtonElement>('keyframe'),
  revert: $<HTMLButtonElement>('revert'),
  status: $('status'),
};

export type Tab = keyof typeof ui.tabs;
