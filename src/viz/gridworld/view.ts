/**
 * The Gridworld panel's drawing, from the state and its scenes: the grids on a canvas (with the hover
 * read-out), the value colour bar, one stats table per prior (`data-testid="grid-stats-<prior>"`, one
 * `data-stat` cell per number, the start state's policy in `data-pi-start`) and the exact α-sweep charts.
 * Layout-dependent parts (painters, tables, charts) are rebuilt only when the env, the priors on screen
 * or the cell size change; otherwise their numbers are updated in place.
 */
import { klAt } from '../../agents/exact/index.js';
import type { PriorName } from '../../priors/objective.js';
import { fmtTick, lineChart, setMarker, ticks } from '../chart.js';
import { PRIOR_COLORS, css, rampGradient, valueRamp } from '../palette.js';
import { CanvasStage } from '../stage.js';
import { h, legend, statTable, updateStatTable, type Stat } from '../ui.js';
import type { GridEnvEntry, GridScene, SweepPoint } from './compute.js';
import { GridScenePainter } from './draw.js';
import type { GridPanelState, GridSolutions } from './state.js';

/**
 * One stacked bar of outcome shares in the env's fixed order (same colours for every prior), each
 * segment carrying `data-stat="<prefix>:<outcome>"` and its share in `data-value`.
 */
function outcomeBar(
  parent: HTMLElement,
  entry: GridEnvEntry,
  label: string,
  shares: Record<string, number>,
  prefix: string,
): void {
  const row = h('div', { class: 'obar-row' });
  row.append(h('span', { class: 'obar-label' }, label));
  const bar = h('div', { class: 'obar', 'data-testid': `grid-bar-${prefix}` });
  for (const o of entry.outcomes) {
    const seg = h('span', { 'data-stat': `${prefix}:${o.name}` });
    seg.style.background = css(o.color);
    bar.append(seg);
  }
  row.append(bar);
  parent.append(row);
  setOutcomes(parent, entry, shares, prefix);
}

function setOutcomes(parent: HTMLElement, entry: GridEnvEntry, shares: Record<string, number>, prefix: string): void {
  for (const o of entry.outcomes) {
    const v = shares[o.key] ?? 0;
    const seg = parent.querySelector<HTMLElement>(`[data-stat="${prefix}:${o.name}"]`)!;
    seg.dataset.value = String(v);
    seg.title = `${o.name}: ${(100 * v).toFixed(1)} %`;
    const full = v >= 0.12 ? `${o.name} ${Math.round(100 * v)}%` : '';
    seg.textContent = full;
    seg.style.width = `${100 * v}%`;
    // A label never shows cut (`tim`, `ledge 3`): once laid out, a segment too narrow for it keeps the share
    // alone, or nothing (the title and the legend still name it).
    if (full)
      requestAnimationFrame(() => {
        if (seg.scrollWidth <= seg.clientWidth) return;
        seg.textContent = `${Math.round(100 * v)}%`;
        if (seg.scrollWidth > seg.clientWidth) seg.textContent = '';
      });
  }
}

/** The outcome colours, named as the bars name them. */
function outcomeLegend(parent: HTMLElement, entry: GridEnvEntry): void {
  legend(
    parent,
    entry.outcomes.map((o) => ({ color: css(o.color), label: `${o.name}${o.name === o.key ? '' : ` (${o.key})`}` })),
  );
}

function sceneStats(s: GridScene): Stat[] {
  const a = s.stats;
  return [
    { key: 'startValue', label: 'soft value V(start)', value: a.startValue },
    { key: 'klReference', label: 'KL(π ‖ reference)', value: Number.isNaN(a.klReference) ? 'n/a' : a.klReference },
    { key: 'klPrior', label: 'KL(π ‖ prior)', value: a.klPrior, hint: s.priorLabel },
    { key: 'entropy', label: 'entropy H(π) (nats)', value: a.entropy },
    {
      key: 'expectedLength',
      label: 'expected length (exact)',
      value: a.expectedLength,
      digits: 1,
      hint: 'within the time limit',
    },
    { key: 'meanLength', label: 'mean length (sampled)', value: a.meanLength, digits: 1 },
    { key: 'meanReturn', label: 'mean return (sampled)', value: a.meanReturn },
    { key: 'successRate', label: 'reached goal', value: a.successRate },
  ];
}

export class GridView {
  private readonly stage: CanvasStage;
  private readonly colorBar = h('div', { class: 'colorbar', 'data-testid': 'grid-colorbar' });
  private readonly statsRow = h('div', { class: 'stats-row' });
  private readonly tip = h('div', { class: 'grid-tip', 'data-testid': 'grid-tooltip', hidden: '' });
  private painters: GridScenePainter[] = [];
  private scenes: GridScene[] = [];
  private layout = '';

  constructor(
    private readonly main: HTMLElement,
    private readonly charts: HTMLElement,
  ) {
    const canvasHost = h('div');
    main.append(canvasHost, this.colorBar, this.statsRow);
    this.stage = new CanvasStage(canvasHost, 900, 400);
    this.stage.canvas.dataset.testid = 'grid-canvas';
    this.box.append(this.tip);
    this.box.addEventListener('mousemove', this.onMove);
    this.box.addEventListener('mouseleave', this.onLeave);
  }

  /** The canvas's parent: the hover area and the tooltip's frame. */
  private get box(): HTMLElement {
    return this.stage.canvas.parentElement!;
  }

  draw(state: GridPanelState, scenes: GridScene[], solutions: GridSolutions): void {
    this.scenes = scenes;
    const { entry, envName, mode, alpha } = state;
    const priors = state.shownPriors();
    const vRange = solutions.valueScale(envName, state.priors());
    const avail = Math.max(280, this.main.clientWidth - 8);
    const grid = solutions.grid(envName);
    const stacked = mode === 'compare';
    const across = stacked ? scenes.length : 2;
    // Stacked (side by side) scenes hold two grids one above the other: keep them within about 720 px.
    const tallest = stacked ? Math.floor((720 - 90) / (2 * grid.nRows)) : 56;
    const cell = Math.max(14, Math.min(56, tallest, Math.floor((avail - 30 * across) / (grid.nCols * across))));
    const key = `${envName}|${priors.join()}|${cell}`;
    const rebuild = key !== this.layout;
    if (rebuild) {
      this.layout = key;
      let x = 0;
      this.painters = scenes.map((s) => {
        const v = new GridScenePainter(x, 4, s, cell, stacked, entry.regions);
        x += v.width + 30;
        return v;
      });
      this.stage.resize(x - 30, Math.max(...this.painters.map((v) => v.height)) + 8);
      this.stage.animate(this.painters.map((v) => v.animation));
      this.drawColorBar(vRange, entry);
    }
    scenes.forEach((s, i) => this.painters[i].paint(this.stage.ctx, s, vRange));

    if (rebuild) this.statsRow.replaceChildren();
    scenes.forEach((s, i) => {
      const stats = sceneStats(s);
      const a = s.stats;
      if (rebuild) {
        const box = statTable(this.statsRow, `prior: ${s.prior}`, stats, `grid-stats-${s.prior}`);
        box.style.borderTop = `3px solid ${css(PRIOR_COLORS[s.prior])}`;
        box.dataset.prior = s.prior;
        outcomeBar(box, entry, 'exact', a.exactOutcomes, 'exact');
        outcomeBar(box, entry, `sampled (${a.rollouts})`, a.outcomes, 'outcome');
      }
      const box = this.statsRow.children[i] as HTMLElement;
      if (!rebuild) {
        updateStatTable(box, stats);
        setOutcomes(box, entry, a.exactOutcomes, 'exact');
        setOutcomes(box, entry, a.outcomes, 'outcome');
      }
      box.dataset.piStart = JSON.stringify(a.piStart);
    });
    const marker = { x: alpha, label: `α = ${alpha.toPrecision(2)}` };
    if (rebuild) this.drawSweeps(state, priors, solutions, marker);
    else
      for (const c of this.charts.querySelectorAll<SVGSVGElement>('svg[data-testid^="grid-sweep-"]'))
        setMarker(c, marker);
  }

  destroy(): void {
    this.box.removeEventListener('mousemove', this.onMove);
    this.box.removeEventListener('mouseleave', this.onLeave);
    this.stage.destroy();
  }

  private drawColorBar([lo, hi]: [number, number], entry: GridEnvEntry): void {
    this.colorBar.dataset.lo = String(lo);
    this.colorBar.dataset.hi = String(hi);
    const bar = h('div', { class: 'colorbar-ramp' });
    bar.style.background = rampGradient(valueRamp);
    const axis = h('div', { class: 'colorbar-ticks' });
    for (const t of ticks(lo, hi, 5)) {
      const tk = h('span', {}, fmtTick(t));
      tk.style.left = `${(100 * (t - lo)) / (hi - lo || 1)}%`;
      axis.append(tk);
    }
    this.colorBar.replaceChildren(h('span', { class: 'colorbar-label' }, 'V(s), fixed over α and priors'), bar, axis);
    outcomeLegend(this.colorBar, entry);
  }

  private drawSweeps(
    state: GridPanelState,
    priors: readonly PriorName[],
    solutions: GridSolutions,
    current: { x: number; label: string },
  ): void {
    const { entry, envName } = state;
    const marker = [current];
    const line = (p: PriorName, f: (pt: SweepPoint) => number, dashed = false, suffix = '') => ({
      name: `${p}${suffix}`,
      color: PRIOR_COLORS[p],
      dashed,
      points: solutions.sweep(envName, p).map((pt) => [pt.alpha, f(pt)] as const),
    });
    const chart = (title: string, series: ReturnType<typeof line>[]) =>
      lineChart({ title, xLabel: 'α (log scale)', logX: true, markers: marker, width: 356, height: 210, series });
    // The first two outcomes are the ones to compare (ledge vs room, or goal vs hazard).
    const [o1, o2] = entry.outcomes;
    const charts = [
      chart(
        `share: ${o1.name} (solid), ${o2.name} (dashed)`,
        priors.flatMap((p) => [
          line(p, (pt) => pt.summary.outcomes[o1.key], false, ` ${o1.name}`),
          line(p, (pt) => pt.summary.outcomes[o2.key], true, ` ${o2.name}`),
        ]),
      ),
      chart(
        'entropy H(π) (nats), exact',
        priors.map((p) => line(p, (pt) => pt.summary.entropy)),
      ),
      entry.reference
        ? chart(
            'KL(π ‖ reference), exact',
            priors.map((p) => line(p, (pt) => pt.summary.klReference)),
          )
        : chart(
            'KL(π ‖ prior), exact',
            priors.map((p) => line(p, (pt) => pt.summary.klPrior)),
          ),
    ];
    charts.forEach((c, i) => c.setAttribute('data-testid', `grid-sweep-${i}`));
    this.charts.replaceChildren(...charts);
  }

  // The hover read-out of one cell: V(s), π(·|s), p(·|s) and KL(π ‖ p) at s, for the scene under the pointer.
  private readonly onMove = (ev: MouseEvent): void => {
    const r = this.stage.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const i = this.painters.findIndex((v) => x >= v.x && x < v.x + v.width && y >= v.y && y < v.y + v.height);
    const s = i < 0 ? null : this.painters[i].stateAt(x, y);
    if (s === null || !this.scenes[i]) return void this.tip.setAttribute('hidden', '');
    this.showTip(this.scenes[i], s, x, y);
  };

  private readonly onLeave = (): void => this.tip.setAttribute('hidden', '');

  private showTip(sc: GridScene, s: number, x: number, y: number): void {
    const { env } = sc;
    const tip = this.tip;
    const nA = env.actions.length;
    const [row, col] = env.toRowCol(s);
    const kind = env.kinds[s];
    tip.replaceChildren(h('b', {}, `${sc.prior} · cell (${row}, ${col}) · ${kind}`));
    tip.dataset.state = String(s);
    tip.dataset.prior = sc.prior;
    if (kind === 'wall' || env.model.terminalStates.has(s)) {
      tip.append(h('div', {}, kind === 'wall' ? 'a wall: never occupied' : 'terminal: the episode ends here'));
    } else {
      const kl = klAt(sc.pi, sc.priorTable, s, nA);
      tip.dataset.v = String(sc.V[s]);
      tip.dataset.kl = String(kl);
      tip.append(h('div', {}, `V(s) = ${sc.V[s].toFixed(3)}`));
      const t = h('table');
      t.append(h('tr', {}, ''));
      t.lastElementChild!.append(h('th', {}, 'a'), h('th', {}, 'π(a|s)'), h('th', {}, 'p(a|s)'));
      env.actions.forEach((act, a) => {
        const tr = h('tr');
        tr.append(
          h('td', {}, act.name),
          h('td', { 'data-pi': String(sc.pi[s * nA + a]) }, sc.pi[s * nA + a].toFixed(3)),
          h('td', { 'data-p': String(sc.priorTable[s * nA + a]) }, sc.priorTable[s * nA + a].toFixed(3)),
        );
        t.append(tr);
      });
      tip.append(
        t,
        h('div', {}, `KL(π ‖ p) at s = ${kl.toFixed(3)} nats${sc.alpha === 0 ? ' (α = 0: not penalised)' : ''}`),
        h('div', {}, `visits: ${sc.visits[s]} of ${sc.stats.rollouts} rollouts`),
      );
    }
    tip.removeAttribute('hidden');
    tip.style.left = `${x + 14}px`;
    tip.style.top = `${y + 14}px`;
  }
}
