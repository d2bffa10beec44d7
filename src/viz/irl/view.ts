/**
 * The Inverse RL panel's drawing: three grids (the true reward under the demonstrator's arrows, the
 * recovered reward (shaping aligned to the truth; cells the demonstrations never enter left dark) under the
 * arrows of its soft-optimal policy, and the demonstrations' visits with one replaying), the numbers of the
 * fit (`data-testid="irl-stats"`), and the KL-vs-N curve as far as it is fitted.
 */
import { Container, Graphics, Text } from 'pixi.js';
import type { GridWorld } from '../../envs/gridworld.js';
import { lineChart } from '../chart.js';
import { policyGraphics, visitGrid } from '../gridworld/draw.js';
import { COLORS, PRIOR_COLORS, css } from '../palette.js';
import { Stage, shifted } from '../stage.js';
import { h, statTable } from '../ui.js';
import { COUNTS, visitCounts, type Fit, type IrlPanelState, type Setting } from './state.js';

/** Blue (< 0) through the panel colour (0) to orange (> 0), t ∈ [−1, 1]. */
export function diverging(t: number): number {
  const to = t < 0 ? 0x3a7bd5 : 0xe0703a;
  const f = Math.min(1, Math.abs(t));
  const ch = (sh: number) => Math.round(((COLORS.panel >> sh) & 255) * (1 - f) + ((to >> sh) & 255) * f);
  return (ch(16) << 16) | (ch(8) << 8) | ch(0);
}

function label(text: string, x: number, y: number): Text {
  const t = new Text({
    text,
    style: { fill: COLORS.muted, fontSize: 12, fontFamily: 'system-ui, DejaVu Sans, sans-serif', fontWeight: '600' },
  });
  t.position.set(x, y);
  return t;
}

/** The reward labels' font size in a cell of `cell` px. */
const labelSize = (cell: number): number => Math.max(8, Math.round(cell / 3.6));
/** The top share of a cell the arrows keep to, so they end above the reward printed at its bottom. */
const arrowRoom = (cell: number): number => 1 - (labelSize(cell) + 3) / cell;

/** The reward printed in the lower part of each cell where `show(j)` (goal and hazard cells keep their fixed colours). */
function rewardLabels(grid: GridWorld, reward: Float64Array, cell: number, show: (j: number) => boolean): Container {
  const c = new Container();
  for (let j = 0; j < reward.length; j++) {
    if (!show(j)) continue;
    const t = new Text({
      text: String(+reward[j].toFixed(2)),
      style: {
        fill: COLORS.text,
        fontSize: labelSize(cell),
        fontFamily: 'system-ui, DejaVu Sans, sans-serif',
      },
    });
    const [r, col] = grid.toRowCol(j);
    t.anchor.set(0.5, 1);
    t.position.set(col * cell + cell / 2, r * cell + cell - 2);
    c.addChild(t);
  }
  return c;
}

export class IrlView {
  private root: Container | null = null;

  private constructor(
    private readonly main: HTMLElement,
    private readonly charts: HTMLElement,
    private readonly stage: Stage,
    private readonly statsRow: HTMLElement,
  ) {}

  static async create(main: HTMLElement, charts: HTMLElement): Promise<IrlView> {
    const canvasHost = h('div');
    const statsRow = h('div', { class: 'stats-row' });
    main.append(canvasHost, statsRow);
    return new IrlView(main, charts, await Stage.create(canvasHost, 900, 300), statsRow);
  }

  /** The grids and the numbers of `fit` (the state's N) in setting `s`, and the curve so far. */
  draw(state: IrlPanelState, s: Setting, fit: Fit): void {
    const { prior, alpha, n } = state;
    const { grid } = s;
    // Three grids side by side when they fit at 16 px a cell, else one above the other (a phone's width).
    const avail = Math.max(200, this.main.clientWidth - 8);
    const perRow = avail >= 3 * 16 * grid.nCols + 40 ? 3 : 1;
    const cell = Math.max(12, Math.min(40, Math.floor((avail - 20 * (perRow - 1)) / (perRow * grid.nCols))));
    const gh = 20 + grid.nRows * cell + 12;
    const gw = grid.nCols * cell;
    const scale = (v: Float64Array, keep: (j: number) => boolean) =>
      Math.max(
        1e-9,
        ...Array.from(v)
          .filter((_, j) => keep(j))
          .map(Math.abs),
      );
    // One colour scale for both grids (the truth's), so equal rewards look equal.
    const trueScale = scale(s.truth, (j) => grid.cells[j].kind !== 'wall');
    // Terminal cells have no arrows; the recovered grid still shows what entering them pays.
    const trueGrid = policyGraphics(
      grid,
      s.demonstrator.pi,
      cell,
      (j) => diverging(s.truth[j] / trueScale),
      arrowRoom(cell),
    );
    const fitGrid = policyGraphics(
      grid,
      fit.pi,
      cell,
      (j) => (fit.entered.has(j) ? diverging(fit.reward[j] / trueScale) : COLORS.panel),
      arrowRoom(cell),
    );
    // pixi v8: a Graphics takes no children; each grid and its labels share a Container.
    const trueBox = new Container();
    trueBox.addChild(
      trueGrid,
      rewardLabels(grid, s.truth, cell, (j) => grid.cells[j].kind !== 'wall'),
    );
    const fitBox = new Container();
    fitBox.addChild(
      fitGrid,
      rewardLabels(grid, fit.reward, cell, (j) => fit.entered.has(j)),
    );
    const replay = visitGrid(
      grid,
      visitCounts(grid, s.pool.slice(0, n)),
      s.pool.slice(0, 12).map((d) => d.states),
      PRIOR_COLORS[prior],
      cell,
    );
    this.root?.destroy({ children: true });
    const root = (this.root = new Container());
    const boxes: Array<[string, Container]> = [
      ['true reward · demonstrator π*', trueBox],
      [`recovered reward (N = ${n}) · its π*`, fitBox],
      [`demonstrations: visits (first ${n})`, replay.root],
    ];
    const at = (i: number): [number, number] => (perRow === 3 ? [i * (gw + 20), 0] : [0, i * gh]);
    boxes.forEach(([text, g], i) => {
      const [x, y] = at(i);
      root.addChild(label(text, x, y));
      g.position.set(x, y + 20);
      root.addChild(g);
    });
    this.stage.app.stage.addChild(root);
    if (perRow === 3) this.stage.resize(3 * gw + 40, 20 + grid.nRows * cell + 4);
    else this.stage.resize(gw, 3 * gh);
    const [rx, ry] = at(2);
    this.stage.animate([shifted(replay.animation, rx, ry + 20)]);

    this.statsRow.replaceChildren();
    const box = statTable(
      this.statsRow,
      `${grid.id}, prior ${prior}, α = ${+alpha.toPrecision(3)}, N = ${n}`,
      [
        { key: 'kl', label: 'KL(π_demo ‖ π_recovered), visited states', value: fit.kl, digits: 5 },
        { key: 'featureGap', label: 'feature-count gap (0 at the maximum)', value: fit.featureGap.toExponential(1) },
        {
          key: 'corr',
          label: 'reward correlation, cells entered (after shaping)',
          value: Number.isNaN(fit.corr) ? 'n/a (truth constant there)' : fit.corr,
        },
        { key: 'rms', label: 'reward RMS error, cells entered (after shaping)', value: fit.rms },
        { key: 'logLik', label: 'log-likelihood per demonstration', value: fit.logLik },
        { key: 'iterations', label: 'L-BFGS iterations', value: fit.iterations, digits: 0 },
      ],
      'irl-stats',
    );
    box.style.borderTop = `3px solid ${css(PRIOR_COLORS[prior])}`;
    this.drawChart(state, s);
  }

  /** The KL-vs-N curve of `s` over the Ns fitted so far. */
  drawChart(state: IrlPanelState, s: Setting): void {
    const points = COUNTS.filter((n) => s.fits.has(n)).map(
      (n) => [Math.log10(n), Math.log10(s.fits.get(n)!.kl)] as const,
    );
    this.charts.replaceChildren(
      lineChart({
        title: 'KL(π_demo ‖ π_recovered) on visited states vs N',
        xLabel: 'log10 N (demonstrations)',
        yLabel: 'log10 KL (nats)',
        series: [{ name: `prior ${state.prior}`, color: PRIOR_COLORS[state.prior], points }],
        emptyText: 'fitting…',
      }),
    );
  }

  destroy(): void {
    this.stage.destroy();
  }
}
