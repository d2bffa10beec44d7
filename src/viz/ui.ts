/**
 * Sidebar controls and stat read-outs. Every control has a visible label and a stable `data-testid`;
 * every displayed number is also written to a `data-value` attribute so tests read exactly what is shown.
 */
export interface PanelHost {
  /** Controls column. */
  readonly sidebar: HTMLElement;
  /** Main area: canvas and text. */
  readonly main: HTMLElement;
  /** Charts row under the main area. */
  readonly charts: HTMLElement;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
export { h };

export function section(parent: HTMLElement, title: string, note?: string): HTMLElement {
  const s = h('section', { class: 'ctl-section' });
  s.append(h('h3', {}, title));
  if (note) s.append(h('p', { class: 'note' }, note));
  parent.append(s);
  return s;
}

export interface SliderSpec {
  id: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  format?: (v: number) => string;
  onInput: (v: number) => void;
}

/** A labelled range input showing its current value. */
export function slider(parent: HTMLElement, spec: SliderSpec): HTMLInputElement {
  const row = h('label', { class: 'slider' });
  const head = h('span', { class: 'slider-head' });
  const out = h('output', {}, (spec.format ?? String)(spec.value));
  head.append(h('span', {}, spec.label), out);
  const input = h('input', {
    type: 'range',
    min: String(spec.min),
    max: String(spec.max),
    step: String(spec.step),
    'data-testid': spec.id,
  });
  input.value = String(spec.value);
  input.addEventListener('input', () => {
    const v = Number(input.value);
    out.textContent = (spec.format ?? String)(v);
    spec.onInput(v);
  });
  row.append(head, input);
  parent.append(row);
  return input;
}

/** A row of mutually exclusive buttons; `onPick` gets the chosen value. */
export function segmented<T extends string>(
  parent: HTMLElement,
  id: string,
  label: string,
  options: ReadonlyArray<{ value: T; label: string; color?: string }>,
  value: T,
  onPick: (v: T) => void,
): void {
  const wrap = h('div', { class: 'segmented-wrap' });
  wrap.append(h('span', { class: 'seg-label' }, label));
  const row = h('div', { class: 'segmented', role: 'radiogroup', 'data-testid': id });
  for (const o of options) {
    const b = h('button', { type: 'button', 'data-value': o.value, role: 'radio' }, o.label);
    if (o.color) b.style.setProperty('--accent', o.color);
    b.setAttribute('aria-checked', String(o.value === value));
    b.addEventListener('click', () => {
      for (const x of row.querySelectorAll('button')) x.setAttribute('aria-checked', String(x === b));
      onPick(o.value);
    });
    row.append(b);
  }
  wrap.append(row);
  parent.append(wrap);
}

/**
 * Shows a slider's value as fixed when the model ignores it (an Objective whose α is 0 for the prior
 * `none`): disabled and greyed, reading `fixed`; `fixed = null` hands it back to the user, reading `shown`.
 */
export function fixSlider(input: HTMLInputElement, fixed: number | null, shown: string): void {
  input.disabled = fixed !== null;
  input.closest('label')!.classList.toggle('inactive', fixed !== null);
  input.parentElement!.querySelector('output')!.textContent = fixed !== null ? `${fixed} (fixed by the prior)` : shown;
}

/** A labelled drop-down; an option is its value, or `{ value, label }` to show a shorter label (the value is its tooltip). */
export function select(
  parent: HTMLElement,
  id: string,
  label: string,
  options: ReadonlyArray<string | { value: string; label: string }>,
  value: string,
  onPick: (v: string) => void,
): HTMLSelectElement {
  const row = h('label', { class: 'select' });
  row.append(h('span', {}, label));
  const s = h('select', { 'data-testid': id });
  for (const o of options)
    s.append(
      typeof o === 'string' ? h('option', { value: o }, o) : h('option', { value: o.value, title: o.value }, o.label),
    );
  s.value = value;
  s.addEventListener('change', () => onPick(s.value));
  row.append(s);
  parent.append(row);
  return s;
}

export function button(parent: HTMLElement, id: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'btn', 'data-testid': id }, label);
  b.addEventListener('click', onClick);
  parent.append(b);
  return b;
}

export interface Stat {
  key: string;
  label: string;
  value: number | string;
  digits?: number;
  hint?: string;
}

/** A key/value table; each value cell carries `data-stat=<key>` and `data-value=<full precision>`. */
export function statTable(parent: HTMLElement, title: string, stats: Stat[], testid?: string): HTMLElement {
  const box = h('div', { class: 'stats' });
  if (testid) box.setAttribute('data-testid', testid);
  box.append(h('h4', {}, title));
  const table = h('table');
  for (const s of stats) {
    const tr = h('tr');
    const th = h('th', {}, s.label);
    if (s.hint) th.title = s.hint;
    const td = h('td', { 'data-stat': s.key, 'data-value': String(s.value) }, formatStat(s));
    tr.append(th, td);
    table.append(tr);
  }
  box.append(table);
  parent.append(box);
  return box;
}

/** Writes new values into a table `statTable` built with the same keys (no rebuild: a slider drag only changes numbers). */
export function updateStatTable(box: HTMLElement, stats: Stat[]): void {
  for (const s of stats) {
    const td = box.querySelector<HTMLElement>(`[data-stat="${s.key}"]`);
    if (!td) throw new Error(`updateStatTable: no cell for '${s.key}' (build the table again when its rows change)`);
    td.dataset.value = String(s.value);
    td.textContent = formatStat(s);
  }
}

function formatStat(s: Stat): string {
  return typeof s.value === 'number'
    ? Number.isFinite(s.value)
      ? s.value.toFixed(s.digits ?? 3)
      : String(s.value)
    : s.value;
}

/** A colour-swatch legend. */
export function legend(
  parent: HTMLElement,
  items: Array<{ color: string; label: string; shape?: 'box' | 'line' | 'ramp' }>,
): void {
  const ul = h('ul', { class: 'legend' });
  for (const it of items) {
    const li = h('li');
    const sw = h('span', { class: `swatch ${it.shape ?? 'box'}` });
    sw.style.background = it.color;
    li.append(sw, h('span', {}, it.label));
    ul.append(li);
  }
  parent.append(ul);
}

/**
 * Coalesces calls into one `run()` at the next animation frame, so a burst of input events within a frame
 * recomputes once. `cancel()` drops a pending frame (on unmount).
 */
export function frameScheduler(run: () => void): { schedule: () => void; cancel: () => void } {
  let pending = 0;
  return {
    schedule: () => {
      if (pending) return;
      pending = requestAnimationFrame(() => {
        pending = 0;
        run();
      });
    },
    cancel: () => cancelAnimationFrame(pending),
  };
}

/** Sets a slider or drop-down as the user would: its own listener runs (`input` for a slider, `change` for a menu). */
export function setControl(el: HTMLInputElement | HTMLSelectElement, value: number | string): void {
  el.value = String(value);
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input'));
}

export interface Preset {
  /** `data-testid` suffix of the preset's button. */
  id: string;
  label: string;
  /** What the view set by this preset shows, in one sentence. */
  note: string;
  apply: () => void;
}

/**
 * A tab's "What to notice" box: one line of guidance and one button per preset that sets the view showing it
 * (the note then says what to look at). Test ids: `<prefix>-notice`, `<prefix>-preset-<id>`.
 */
export function whatToNotice(
  parent: HTMLElement,
  prefix: string,
  intro: string,
  start: string,
  presets: ReadonlyArray<Preset>,
): void {
  const box = section(parent, 'What to notice', intro);
  const text = h('p', { class: 'note', 'data-testid': `${prefix}-notice` }, start);
  for (const p of presets) {
    button(box, `${prefix}-preset-${p.id}`, p.label, () => {
      text.textContent = p.note;
      p.apply();
    });
  }
  box.append(text);
}
