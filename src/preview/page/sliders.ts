/**
 * The adjust panel: a slider for each animatable parameter the scene uses
 * (from the parameter registry: its range, and whether it does anything
 * here). A slider shows the value at the playhead and follows the keyframes
 * while the scene plays; dragging it sets the value by hand, shown live,
 * until Keep or Keyframe here writes it (or ↺ lets it go).
 */
import { inertReason, PARAMETERS, tidy, type NumberParameter, type ParameterOverrides, type ParameterValues, type SliderRange } from '../../browser/index.js';
import { ui } from './dom.js';
import type { Playback } from './playback.js';
import type { Preview } from './session.js';

/** Slider positions: fine enough that a step is below what a person sees. */
const STEPS = 1000;

interface Row {
  /** The parameter, and the component for vectors (center, z). */
  name: string;
  component: number | undefined;
  element: HTMLElement;
  input: HTMLInputElement;
  output: HTMLOutputElement;
  range: SliderRange;
}

const GROUPS: Record<string, string> = { network: 'Network', z: 'Network', view: 'View', colour: 'Colour' };

function toPosition(range: SliderRange, value: number): number {
  const u = range.log ? Math.log(value / range.min) / Math.log(range.max / range.min) : (value - range.min) / (range.max - range.min);
  return Math.round(Math.min(1, Math.max(0, u)) * STEPS);
}

function fromPosition(range: SliderRange, position: number): number {
  const u = position / STEPS;
  return tidy(range.log ? range.min * (range.max / range.min) ** u : range.min + (range.max - range.min) * u);
}

function formatValue(value: number): string {
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 0.01 || abs >= 10000) ? value.toExponential(2) : String(Number(value.toFixed(abs < 1 ? 3 : 2)));
}

export class SliderPanel {
  private rows: Row[] = [];
  private dragging: Row | undefined;

  constructor(
    private readonly preview: Preview,
    private readonly playback: Playback,
  ) {
    preview.on('scene', () => this.build());
    preview.on('overrides', () => this.follow());
    preview.on('time', () => this.follow());
  }

  private valueOf(values: ParameterValues, row: Row): number {
    if (row.name === 'center') return values.center[row.component!];
    if (row.name === 'z') return values.z[row.component!];
    return values.numbers[row.name as NumberParameter];
  }

  private overridden(row: Row): boolean {
    return this.preview.session?.overrides[row.name as keyof ParameterOverrides] !== undefined;
  }

  /** The rows for the scene shown: one per parameter it uses, each vector component a row of its own. */
  private build(): void {
    const { state } = this.preview;
    const loaded = state.loaded;
    if (!loaded || !state.builder) return;
    const scene = loaded.scene;
    const values = state.builder.parameterValues(state.time, this.preview.session?.overrides);
    const nodes: HTMLElement[] = [];
    this.rows = [];
    const used = PARAMETERS.filter((entry) => entry.kind !== 'network' && 'slider' in entry && inertReason(entry.name, scene) === undefined);
    for (const heading of [...new Set(Object.values(GROUPS))]) {
      const entries = used.filter((entry) => GROUPS[('home' in entry ? entry.home[0] : undefined) ?? 'network'] === heading);
      if (entries.length === 0) continue;
      nodes.push(Object.assign(document.createElement('div'), { className: 'slider-group', textContent: heading }));
      for (const entry of entries) {
        const components = entry.name === 'center' ? [0, 1] : entry.name === 'z' ? values.z.map((_, i) => i) : [undefined];
        for (const component of components) {
          const label = component === undefined ? entry.name : entry.name === 'center' ? `center ${component === 0 ? 'x' : 'y'}` : `z[${component}]`;
          const row = this.makeRow(entry.name, component, label, (entry as { slider: SliderRange }).slider, scene.keyframes.some((k) => k[entry.name] !== undefined));
          // Values beyond the registry's range (a zoom of 0.005, say) widen the slider to hold them.
          const value = this.valueOf(values, row);
          row.range = { ...row.range, min: Math.min(row.range.min, value), max: Math.max(row.range.max, value) };
          if (row.range.log && row.range.min <= 0) row.range = { ...row.range, log: false };
          this.rows.push(row);
          nodes.push(row.element);
        }
      }
    }
    ui.sliders.replaceChildren(...nodes);
    this.follow();
  }

  private makeRow(name: string, component: number | undefined, label: string, range: SliderRange, animated: boolean): Row {
    const element = document.createElement('div');
    element.className = `slider-row${animated ? ' animated' : ''}`;
    element.dataset.parameter = component === undefined ? name : `${name}.${component}`;
    const id = `slider-${element.dataset.parameter.replace(/\W/g, '-')}`;
    const caption = Object.assign(document.createElement('label'), { textContent: label, htmlFor: id, title: animated ? `${label}: the keyframes animate it` : label });
    const input = Object.assign(document.createElement('input'), { type: 'range', min: '0', max: String(STEPS), step: '1', id });
    const output = document.createElement('output');
    const reset = Object.assign(document.createElement('button'), { className: 'slider-reset', textContent: '↺', title: 'Back to the scene\'s own value' });
    reset.setAttribute('aria-label', `reset ${label}`);
    element.append(caption, input, output, reset);
    const row: Row = { name, component, element, input, output, range };
    input.addEventListener('pointerdown', () => (this.dragging = row));
    input.addEventListener('input', () => this.set(row, fromPosition(row.range, Number(input.value))));
    input.addEventListener('change', () => (this.dragging = undefined));
    input.addEventListener('pointerup', () => (this.dragging = undefined));
    reset.addEventListener('click', () => this.reset(row));
    return row;
  }

  /** Sets a value by hand (the slider moved), and shows it at once. */
  set(row: Row, value: number): void {
    const { session, state } = this.preview;
    if (!session || !state.builder) return;
    const overrides = { ...session.overrides } as Record<string, unknown>;
    if (row.component === undefined) {
      overrides[row.name] = value;
    } else {
      const values = state.builder.parameterValues(state.time, session.overrides);
      const vector = [...(row.name === 'center' ? values.center : values.z)];
      vector[row.component] = value;
      overrides[row.name] = vector;
    }
    session.overrides = overrides as ParameterOverrides;
    this.preview.emit('overrides');
    this.playback.paint();
  }

  /** Sets parameter `name` (component `component` of a vector) by hand, as dragging its slider would. */
  setByName(name: string, value: number, component?: number): void {
    const row = this.rows.find((r) => r.name === name && r.component === component);
    if (!row) throw new Error(`no slider for ${name}${component === undefined ? '' : `[${component}]`} in this scene`);
    this.set(row, tidy(value));
  }

  private reset(row: Row): void {
    const session = this.preview.session;
    if (!session) return;
    const overrides = { ...session.overrides } as Record<string, unknown>;
    delete overrides[row.name];
    session.overrides = overrides as ParameterOverrides;
    this.preview.emit('overrides');
    this.playback.paint();
  }

  /** Every slider to the value at the playhead (the one being dragged stays under the pointer). */
  follow(): void {
    const { state, session } = this.preview;
    if (!state.builder || this.rows.length === 0) return;
    const values = state.builder.parameterValues(state.time, session?.overrides);
    for (const row of this.rows) {
      const value = this.valueOf(values, row);
      if (row !== this.dragging) row.input.value = String(toPosition(row.range, value));
      const text = formatValue(value);
      if (row.output.value !== text) row.output.value = text;
      row.element.classList.toggle('changed', this.overridden(row));
    }
  }

  /** Once a tick while playing: the sliders move with the keyframes. */
  tick(): void {
    if (this.preview.state.playing && !ui.panels.adjust.hidden) this.follow();
  }
}
