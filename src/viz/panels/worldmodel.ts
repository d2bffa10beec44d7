/**
 * World model panel: an RSSM run's `rssm-trajectories.json` (format `priorlab.rssm-trajectories/1`, see
 * `src/worldmodel/trajectories.ts`), from a run folder served under `/runs/` or a picked file. For one
 * trajectory at a time, each observation component is charted three ways: observed, reconstructed by the
 * posterior (which saw every o_t), and imagined open-loop by the prior from the end of the context. The
 * stats and charts compare the imagination with the naive "repeat the last context observation" forecast;
 * a hidden state the model never observes (θ̇) is charted against its linear read-out from the latent.
 * A small run ships with the viewer (`src/viz/worldmodel/`, `npm run viewer-worldmodel`), so the tab shows a
 * model on first open; so does a small dreamer agent on Pendulum-v1 under three objectives (`dreamer/`): a
 * prior menu switches between them, each one's rollouts imagined under its own actor from the filtered start
 * state against what really happened, with its final deterministic return beside the others'.
 */
import { z } from 'zod';
import { TRAJECTORY_FORMAT, type RssmTrajectory, type RssmTrajectoryFile } from '../../worldmodel/trajectories.js';
import { lineChart } from '../chart.js';
import { COLORS } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { extraNumber } from '../state.js';
import { parseJsonFile, serverRuns } from '../recorded/data.js';
import { h, section, select, setControl, slider, statTable, whatToNotice } from '../ui.js';
import type { ShippedDreamer, ShippedWorldModel } from '../worldmodel/shipped.js';

export const TRAJECTORY_FILE = 'rssm-trajectories.json';

const SHIPPED_FILE = import.meta.glob<string>('../worldmodel/rssm-trajectories.json', {
  query: '?raw',
  import: 'default',
});
const SHIPPED_INDEX = import.meta.glob<ShippedWorldModel>('../worldmodel/index.json', {
  import: 'default',
  eager: true,
});
/** The shipped run's name in the run menu. */
export const SHIPPED_RUN = 'shipped: rssm-pendulum, seed 1';
const DREAMER_FILES = import.meta.glob<string>('../worldmodel/dreamer/*.json', { query: '?raw', import: 'default' });
const DREAMER_INDEX = import.meta.glob<ShippedDreamer>('../worldmodel/dreamer/index.json', {
  import: 'default',
  eager: true,
});
/** The shipped dreamer agent's name in the run menu (its prior picked beside it). */
export const DREAMER_RUN = 'shipped: dreamer agent, Pendulum-v1, seed 1';

const matrix = z.array(z.array(z.number()));
const fileSchema = z.object({
  format: z.literal(TRAJECTORY_FORMAT),
  env: z.string(),
  dt: z.number().positive(),
  obsLabels: z.array(z.string()).min(1),
  truthLabels: z.array(z.string()).optional(),
  context: z.number().int().min(1),
  horizon: z.number().int().min(1),
  readout: z
    .object({ label: z.string(), truthIndex: z.number().int().min(0), r2: z.number(), burnIn: z.number().int().min(0) })
    .optional(),
  trajectories: z
    .array(
      z.object({
        observed: matrix,
        reconstructed: matrix,
        imagined: matrix,
        actions: matrix,
        rewards: z.array(z.number()),
        truth: matrix.optional(),
        readout: z.array(z.number()).optional(),
      }),
    )
    .min(1),
});

/** Parses and checks the file as data; errors name the file, the field and the problem. */
export function parseTrajectoryFile(name: string, text: string): RssmTrajectoryFile {
  const f: RssmTrajectoryFile = parseJsonFile(name, text, fileSchema);
  const T = f.context + f.horizon;
  f.trajectories.forEach((t, i) => {
    const bad = (field: string, rows: number) =>
      new Error(`${name}: trajectories.${i}.${field}: ${rows} rows, expected ${field === 'imagined' ? f.horizon : T}`);
    if (t.observed.length !== T) throw bad('observed', t.observed.length);
    if (t.reconstructed.length !== T) throw bad('reconstructed', t.reconstructed.length);
    if (t.imagined.length !== f.horizon) throw bad('imagined', t.imagined.length);
    if (t.readout && t.readout.length !== T) throw bad('readout', t.readout.length);
  });
  return f;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean over rows and components of the squared difference. */
const mse = (a: number[][], b: number[][]): number =>
  mean(a.map((row, t) => mean(row.map((v, i) => (v - b[t][i]) ** 2))));

/** The observations after the context, and the naive forecast of them: the last context observation repeated. */
function forecasts(f: RssmTrajectoryFile, tr: RssmTrajectory): { future: number[][]; repeatLast: number[][] } {
  const future = tr.observed.slice(f.context);
  return { future, repeatLast: future.map(() => tr.observed[f.context - 1]) };
}

/** The file's read-out and the hidden state it reads, for one trajectory (null when the file has none). */
function readoutOf(f: RssmTrajectoryFile, tr: RssmTrajectory) {
  if (!f.readout || !tr.readout || !tr.truth) return null;
  const { truthIndex, burnIn } = f.readout;
  const truth = tr.truth.map((row) => row[truthIndex]);
  const settled = (xs: number[]) => xs.slice(burnIn).map((v) => [v]);
  return { ...f.readout, truth, values: tr.readout, mse: mse(settled(tr.readout), settled(truth)) };
}

export const mount: PanelModule['mount'] = async (host, view) => {
  const files = new Map<string, () => Promise<string>>();
  let current: RssmTrajectoryFile | null = null;
  /** The run menu's name of the file on show. */
  let shown = '';
  let index = Math.max(0, Math.floor(extraNumber(view.state, 'traj', 0)));

  const src = section(
    host.sidebar,
    'Trajectories',
    `Run folders under runs/ that hold ${TRAJECTORY_FILE} (written by the rssm-pendulum experiment), or pick the file.`,
  );
  const runBox = h('div');
  src.append(runBox);
  const input = h('input', { type: 'file', accept: '.json', 'data-testid': 'wm-file' });
  src.append(input);
  const trajBox = h('div');
  src.append(trajBox);
  let trajInput: HTMLInputElement | null = null;
  src.append(
    h(
      'p',
      { class: 'note' },
      'Observed: the real o_t. Reconstructed: the decoder mean under the posterior q(z_t | o_≤t). Imagined: the decoder mean rolled out with the prior p(z_t | z_t−1, a_t−1) from the end of the context, with no further observations. Repeat last: the naive forecast, the last context observation held. Hidden θ̇: the true velocity beside its linear read-out from the latent [h_t, μ_q,t].',
    ),
  );

  // The dreamer agent's prior menu sits above its charts, in the first screen on a phone too.
  const priorBox = h('div', { class: 'wm-prior' });
  priorBox.style.cssText = 'max-width:920px;margin-bottom:8px';
  priorBox.hidden = true;
  host.main.append(priorBox);
  const info = h('div');
  info.style.cssText = 'display:flex;gap:12px;flex-wrap:wrap;align-items:flex-start';
  host.main.append(info);

  async function open(name: string, read: () => Promise<string>): Promise<void> {
    info.replaceChildren();
    host.charts.replaceChildren();
    try {
      current = parseTrajectoryFile(name, await read());
    } catch (e) {
      current = null;
      info.append(h('p', { class: 'panel-error', 'data-testid': 'wm-error' }, (e as Error).message));
      document.body.dataset.wmShown = 'error';
      return;
    }
    if (files.has(name)) view.update({}, { run: name });
    shown = name;
    priorBox.hidden = name !== DREAMER_RUN;
    index = Math.min(index, current.trajectories.length - 1);
    trajBox.replaceChildren();
    trajInput = slider(trajBox, {
      id: 'wm-traj',
      label: 'trajectory',
      min: 0,
      max: current.trajectories.length - 1,
      step: 1,
      value: index,
      format: (v) => `${v + 1} of ${current!.trajectories.length}`,
      onInput: (v) => ((index = v), draw()),
    });
    draw();
  }

  function draw(): void {
    const f = current!;
    const tr = f.trajectories[index];
    view.update({}, { traj: String(index) });
    info.replaceChildren();
    host.charts.replaceChildren();
    const { future, repeatLast } = forecasts(f, tr);
    const readout = readoutOf(f, tr);
    statTable(
      info,
      `${f.env}: trajectory ${index + 1} of ${f.trajectories.length}`,
      [
        { key: 'context', label: 'context steps (posterior)', value: f.context, digits: 0 },
        { key: 'horizon', label: 'imagined steps (prior only)', value: f.horizon, digits: 0 },
        {
          key: 'reconMse',
          label: 'reconstruction MSE (all steps)',
          value: mse(tr.reconstructed, tr.observed),
          digits: 4,
        },
        { key: 'imagMse', label: 'imagination MSE (horizon)', value: mse(tr.imagined, future), digits: 4 },
        {
          key: 'repeatMse',
          label: '“repeat last” MSE (horizon)',
          value: mse(repeatLast, future),
          digits: 4,
          hint: 'forecast every future step as the last context observation',
        },
        { key: 'return', label: 'reward sum', value: tr.rewards.reduce((a, b) => a + b, 0), digits: 2 },
        ...(dreamerOpen()
          ? [
              {
                key: 'finalReturn',
                label: `final return (${dreamerOpen()!.finalReturn.episodes} episodes)`,
                value: dreamerOpen()!.finalReturn.mean,
                digits: 1,
                hint: 'the agent’s mean return over its final deterministic episodes (200 steps each)',
              },
            ]
          : []),
        ...(readout
          ? [
              {
                key: 'readoutMse',
                label: `${readout.label} read-out MSE (t ≥ ${readout.burnIn})`,
                value: readout.mse,
                digits: 4,
                hint: `a linear read-out of ${readout.label} from the latent [h_t, μ_q,t], this trajectory`,
              },
              {
                key: 'readoutR2',
                label: `${readout.label} read-out R² (held out)`,
                value: readout.r2,
                digits: 3,
                hint: 'on the run’s held-out windows: 1 = the latent carries it exactly, 0 = no better than its mean',
              },
            ]
          : []),
      ],
      'wm-stats',
    );
    if (dreamerOpen()) dreamerReturns();
    const time = (t: number) => +(t * f.dt).toFixed(6);
    const at = (rows: number[][], i: number, from = 0) => rows.map((row, t) => [time(t + from), row[i]] as const);
    const start = time(f.context - 1);
    f.obsLabels.forEach((label, i) => {
      const seen = tr.observed[f.context - 1][i];
      const c = lineChart({
        title: `observation ${label}`,
        xLabel: 'time (s)',
        series: [
          { name: 'observed', color: COLORS.text, points: at(tr.observed, i) },
          { name: 'reconstructed', color: COLORS.posterior, dashed: true, points: at(tr.reconstructed, i) },
          // The imagination starts from the last context step's observation, so the line joins the data.
          { name: 'imagined', color: COLORS.q, points: [[start, seen] as const, ...at(tr.imagined, i, f.context)] },
          {
            name: 'repeat last',
            color: COLORS.muted,
            dashed: true,
            points: [[start, seen] as const, ...at(repeatLast, i, f.context)],
          },
        ],
        markers: [{ x: start, label: 'imagination starts' }],
        width: 460,
        height: 230,
      });
      c.dataset.testid = 'wm-chart';
      host.charts.append(c);
    });
    if (tr.truth && f.truthLabels) {
      const hidden = f.truthLabels.map((l, i) => ({ l, i })).filter(({ l }) => !f.obsLabels.includes(l));
      for (const { l, i } of hidden) {
        const read = readout?.truthIndex === i ? readout : null;
        const c = lineChart({
          title: `hidden state ${l} (never observed by the model)`,
          xLabel: 'time (s)',
          series: [
            { name: l, color: COLORS.text, points: at(tr.truth, i) },
            ...(read
              ? [
                  {
                    name: `read out from the latent`,
                    color: COLORS.posterior,
                    dashed: true,
                    points: read.values.map((v, t) => [time(t), v] as const),
                  },
                ]
              : []),
          ],
          markers: read ? [{ x: time(read.burnIn), label: `read-out R² ${read.r2.toFixed(2)}` }] : [],
          width: 460,
          height: 230,
        });
        c.dataset.testid = 'wm-truth';
        host.charts.append(c);
      }
    }
    document.body.dataset.wmShown = String(index);
  }

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void open(file.name, () => file.text());
  });

  const shipped = Object.values(SHIPPED_FILE) as Array<() => Promise<string>>;
  const about = Object.values(SHIPPED_INDEX)[0] as ShippedWorldModel | undefined;
  if (shipped.length > 0 && about) {
    files.set(SHIPPED_RUN, shipped[0]);
    runBox.append(
      h(
        'p',
        { class: 'note', 'data-testid': 'wm-shipped' },
        `“${SHIPPED_RUN}” ships with the viewer: made by ${about.command} (npm run viewer-worldmodel).`,
      ),
    );
  }
  const dreamer = Object.values(DREAMER_INDEX)[0] as ShippedDreamer | undefined;
  let prior = dreamer?.runs.find((r) => r.prior === view.state.extra.dprior)?.prior ?? dreamer?.runs[0].prior;
  /** The shipped dreamer run on show, or null when another run is open. */
  const dreamerOpen = () => (dreamer && shown === DREAMER_RUN ? dreamer.runs.find((r) => r.prior === prior)! : null);
  /** Every objective's final return, the one on show marked. */
  const dreamerReturns = () => {
    const box = statTable(
      info,
      'final deterministic return, per prior',
      dreamer!.runs.map((r) => ({
        key: r.prior,
        label: `${r.prior === prior ? '▸ ' : ''}${r.label}`,
        value: r.finalReturn.mean,
        digits: 1,
        hint: `${r.command} (min ${r.finalReturn.min}, max ${r.finalReturn.max})`,
      })),
      'wm-returns',
    );
    box.append(
      h(
        'p',
        { class: 'note' },
        'Pendulum-v1 returns: −200 or more is a swing-up held upright; about −1200 hangs down.',
      ),
    );
  };
  if (dreamer) {
    const loaders = new Map(Object.entries(DREAMER_FILES).map(([path, load]) => [path.split('/').pop()!, load]));
    files.set(DREAMER_RUN, () => loaders.get(dreamer.runs.find((r) => r.prior === prior)!.file)!());
    select(
      priorBox,
      'wm-prior',
      'prior',
      dreamer.runs.map((r) => ({ value: r.prior, label: r.label })),
      prior!,
      (v) => {
        prior = v;
        view.update({}, { dprior: v });
        void open(DREAMER_RUN, files.get(DREAMER_RUN)!);
      },
    );
    priorBox.append(
      h(
        'p',
        { class: 'note', 'data-testid': 'wm-dreamer-note' },
        `“${DREAMER_RUN}” ships with the viewer (npm run viewer-worldmodel -- --only dreamer): one agent trained under each prior. From the state filtered at o_0, imagined is the world model dreaming under the agent's own actor (no observations, no real actions); observed is what the same actor really did.`,
      ),
    );
  }
  try {
    for (const run of await serverRuns(import.meta.env.BASE_URL, TRAJECTORY_FILE))
      files.set(run.name, run.files.get(TRAJECTORY_FILE)!);
  } catch (e) {
    runBox.append(h('p', { class: 'note' }, `No /runs/ listing (${(e as Error).message}); pick a file instead.`));
  }
  /** The trajectory where imagination beats (or loses to, `sign` = −1) "repeat last" by the largest factor. */
  const extreme = (sign: 1 | -1) => () => {
    if (!current || !trajInput) return;
    const f = current;
    const ratio = (i: number) => {
      const { future, repeatLast } = forecasts(f, f.trajectories[i]);
      return mse(repeatLast, future) / Math.max(1e-12, mse(f.trajectories[i].imagined, future));
    };
    const best = f.trajectories.map((_, i) => i).reduce((a, b) => (sign * ratio(b) > sign * ratio(a) ? b : a));
    setControl(trajInput, best);
  };
  whatToNotice(
    host.sidebar,
    'wm',
    'After the marker the model sees no observations: its prior p(z_t | z_t−1, a_t−1) imagines the rest. One click picks:',
    files.size > 0
      ? 'Compare the imagination MSE with "repeat last" in the table.'
      : 'No trajectories yet: npm run exp -- rssm-pendulum writes them.',
    files.size > 0
      ? [
          {
            id: 'best',
            label: 'imagination at its best',
            note: 'The trajectory where imagination beats "repeat last" by the widest factor: the model carries the velocity θ̇ it never observes.',
            apply: extreme(1),
          },
          {
            id: 'worst',
            label: 'imagination at its worst',
            note: 'The trajectory where imagination fares worst against "repeat last": with no observations to correct it, the prior rollout drifts.',
            apply: extreme(-1),
          },
        ]
      : [],
  );
  if (files.size === 0) {
    runBox.append(
      h(
        'p',
        { class: 'note' },
        `No run folder with ${TRAJECTORY_FILE} yet: run the rssm-pendulum experiment, or pick a file.`,
      ),
    );
    info.append(
      h(
        'p',
        { class: 'note', 'data-testid': 'wm-empty' },
        `Nothing to show yet: pick a ${TRAJECTORY_FILE} on the left (the rssm-pendulum experiment writes one into its run folder).`,
      ),
    );
  } else {
    // The newest run folder opens first; the shipped run when there is none.
    const ours = [SHIPPED_RUN, DREAMER_RUN];
    const runs = [...files.keys()].filter((n) => !ours.includes(n)).sort();
    const names = [...runs, ...ours.filter((n) => files.has(n))];
    const first = names.includes(view.state.extra.run) ? view.state.extra.run : (runs.at(-1) ?? SHIPPED_RUN);
    select(runBox, 'wm-run', 'run', names, first, (v) => void open(v, files.get(v)!));
    await open(first, files.get(first)!);
  }
  return () => undefined;
};
