/**
 * Controls: the transport (play, scrubber, frame steps), the resolution, the
 * side panel's tabs, the keys, saving the frame as a PNG, and the command
 * lines that render what is shown.
 */
import { commandLine, flagWord, overrideScene, validateSceneData } from '../../browser/index.js';
import { ui, type Tab } from './dom.js';
import type { Playback } from './playback.js';
import { withPngText, METADATA_KEYWORD } from './png-text.js';
import type { Preview } from './session.js';

export class Controls {
  /** The last PNG saved, for the command that re-renders it. */
  private savedAs: { name: string; at: string } | undefined;
  /** Called when a tab is opened (the explore panel breeds when first shown). */
  onTab: (tab: Tab) => void = () => {};
  /** Keys the other panels answer: b breeds, Alt ← → walk the history. */
  onKey: (event: KeyboardEvent) => boolean = () => false;

  constructor(
    private readonly preview: Preview,
    private readonly playback: Playback,
  ) {
    playback.onClock = () => this.showCommands();
    preview.on('scene', () => {
      this.savedAs = undefined;
      this.showCommands();
    });
  }

  openTab(tab: Tab): void {
    for (const [name, button] of Object.entries(ui.tabs) as Array<[Tab, HTMLButtonElement]>) {
      const open = name === tab;
      button.setAttribute('aria-selected', String(open));
      ui.panels[name].hidden = !open;
    }
    this.onTab(tab);
  }

  get openedTab(): Tab {
    return (Object.keys(ui.tabs) as Tab[]).find((name) => !ui.panels[name].hidden) ?? 'scene';
  }

  setResolution(value: string): void {
    ui.resolution.value = value;
    this.playback.resolutionPicked = true;
    this.playback.paint();
  }

  /** The frame shown as a PNG carrying the resolved scene at the size shown, as `still` writes it. */
  async savePng(): Promise<void> {
    const { state } = this.preview;
    const loaded = state.loaded;
    if (!loaded) return;
    const [width, height] = this.playback.previewSize(loaded);
    const scene = validateSceneData(overrideScene(loaded.scene, { size: [width, height] }));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const pixels = this.playback.painter.readPixels();
    canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(pixels), width, height), 0, 0);
    const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), 'image/png'));
    const png = withPngText(new Uint8Array(await blob.arrayBuffer()), METADATA_KEYWORD, JSON.stringify(scene));
    const at = state.time.toFixed(2);
    const name = `${loaded.model.name}-${at.replace('.', '_')}s.png`;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([png.slice().buffer as ArrayBuffer], { type: 'image/png' }));
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    this.savedAs = { name, at };
    this.playback.updateClock();
  }

  /** The command lines that render the whole video and the frame shown (or the PNG just saved). */
  private showCommands(): void {
    const { state, session } = this.preview;
    const entry = state.entries.find((e) => e.id === state.current);
    if (!entry) return;
    if (this.savedAs && this.savedAs.at !== state.time.toFixed(2)) this.savedAs = undefined;
    const stillOfSaved = this.savedAs && `npx ${commandLine('still', ['from', this.savedAs.name], ['at', this.savedAs.at])}`;
    const lines = session?.dirty
      ? ['# the scene shown has changes the file does not: Keep them first, or', stillOfSaved ?? `# save the frame as a PNG and render it with still ${flagWord('from')}`]
      : [`npx ${commandLine('render', entry.file)}`, stillOfSaved ?? `npx ${commandLine('still', entry.file, ['at', state.time.toFixed(2)])}`];
    const text = lines.join('\n');
    if (ui.commands.textContent !== text) ui.commands.textContent = text;
  }

  bind(): void {
    const { playback } = this;
    ui.play.addEventListener('click', () => playback.setPlaying(!this.preview.state.playing));
    ui.scrubber.addEventListener('input', () => {
      playback.setPlaying(false);
      playback.seek(Number(ui.scrubber.value));
    });
    ui.resolution.addEventListener('change', () => {
      playback.resolutionPicked = true;
      playback.paint();
    });
    ui.gpuCanvas.addEventListener('webglcontextlost', () => {
      ui.notice.hidden = false;
      ui.notice.textContent = 'The GPU gave up on a frame (too much work at this size): pick a smaller resolution and reload the page.';
    });
    ui.save.addEventListener('click', () => void this.savePng());
    for (const [name, button] of Object.entries(ui.tabs) as Array<[Tab, HTMLButtonElement]>) button.addEventListener('click', () => this.openTab(name));
    window.addEventListener('keydown', (event) => {
      const target = event.target;
      if (target instanceof HTMLInputElement && target.type !== 'range') return;
      if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
      if (this.onKey(event)) {
        event.preventDefault();
        return;
      }
      if (event.key === ' ') {
        event.preventDefault();
        playback.setPlaying(!this.preview.state.playing);
      } else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && !event.altKey && !(target instanceof HTMLInputElement && target !== ui.scrubber)) {
        event.preventDefault();
        playback.stepFrame(event.key === 'ArrowRight' ? 1 : -1);
      } else if (event.key === 's' && !event.metaKey && !event.ctrlKey) {
        void this.savePng();
      }
    });
  }
}
