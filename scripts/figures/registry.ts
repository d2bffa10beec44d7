/**
 * Every figure the README and docs/ quote: the command that measures it, the seeds, how its values come out of a
 * run (results.json, metrics.jsonl or the printed lines), the text its block shows, a tolerance, and whether it
 * is fast (seconds: closed forms, exact solvers, small-budget learners; `--check` recomputes these) or slow
 * (long learning runs, timings; recomputed by `--slow` or `--only`).
 */
import type { SeedStats } from './stats.js';
import { fixed, meanStdRange, pct, range, sci, seedsText } from './stats.js';
import type { Tolerance } from './blocks.js';
import { UsageError } from '../../src/core/errors.js';
import { evaluateRun } from '../../src/node/train/commands.js';

/** What one seed of one command left behind. */
export interface RunOutput {
  readonly command: string;
  readonly seed: number;
  /** the run folder of a train command (there while the figures are measured), else null */
  readonly dir: string | null;
  /** printed lines (ctx.print) */
  readonly lines: readonly string[];
  /** results.json, when the run wrote one */
  readonly results: unknown;
  /** metrics.jsonl rows */
  readonly metrics: ReadonlyArray<{ step: number; scalars: Record<string, number> }>;
  readonly wallSeconds: number;
  /** os.loadavg() when the run started */
  readonly load: readonly number[];
}

export interface RenderArgs {
  /** the summary over seeds of each value `extract` returned */
  readonly v: (key: string) => SeedStats;
  readonly seeds: readonly number[];
}

export interface Figure {
  readonly name: string;
  /** one line: what the figure is */
  readonly what: string;
  /** `priorlab` commands without `--seed`/`--out` (each seed runs every one); run in-process; `{run:K}`: command K's run folder */
  readonly commands: readonly string[];
  readonly seeds: readonly number[];
  readonly speed: 'fast' | 'slow';
  /** a timing: never compared by --check, its drift only reported */
  readonly timing?: boolean;
  readonly tolerance: Tolerance;
  /** files holding its block (relative to the repository root) */
  readonly files: readonly string[];
  /** the values of one seed (runs in the order of `commands`) */
  extract(runs: readonly RunOutput[]): Record<string, number>;
  /** the block's text */
  render(a: RenderArgs): string;
}

const code = (c: string) => `\`${c}\``;

/** The metrics row logged at `step` (IRL logs one row per demonstration count N). */
function rowAt(run: RunOutput, step: number): Record<string, number> {
  const row = run.metrics.find((m) => m.step === step);
  if (!row) throw new Error(`figures: ${run.command} (seed ${run.seed}) logged no metrics row at step ${step}`);
  return row.scalars;
}

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`figures: ${what}: got ${JSON.stringify(value)}; allowed: a finite number`);
  return value;
}

/** The printed line matching `re`; its first group as a number. */
function printed(run: RunOutput, re: RegExp): number {
  for (const l of run.lines) {
    const m = re.exec(l);
    if (m) return Number(m[1].replace(/−/g, '-'));
  }
  throw new Error(`figures: ${run.command} printed no line matching ${re}`);
}

const IRL = {
  uniform: 'irl-gridworld',
  guide: 'irl-gridworld --prior reference',
  cliff: 'irl-gridworld --env CliffWalking-v1 --alpha 1',
} as const;
const IRL_SEEDS = [1, 2, 3];
const IRL_COUNTS = [10, 30, 100, 300, 1000, 3000, 10000];

function irlExtract(runs: readonly RunOutput[]): Record<string, number> {
  const out: Record<string, number> = {};
  (['uniform', 'guide', 'cliff'] as const).forEach((k, i) => {
    for (const n of IRL_COUNTS) {
      const r = rowAt(runs[i], n);
      out[`${k}/kl/${n}`] = num(r['irl/kl_visited'], `${runs[i].command} KL at N=${n}`);
      out[`${k}/rms/${n}`] = num(r['irl/reward_rms'], `${runs[i].command} rms at N=${n}`);
      if (k !== 'cliff') out[`${k}/corr/${n}`] = num(r['irl/reward_corr'], `${runs[i].command} corr at N=${n}`);
    }
  });
  return out;
}

const TOKENS = 'tokens-rlhf --betas 0.1,0.3';
function tokensExtract(runs: readonly RunOutput[]): Record<string, number> {
  const rows = (runs[0].results as { rows?: Array<{ beta: number; tv: number }> } | null)?.rows;
  if (!rows) throw new Error(`figures: ${TOKENS} (seed ${runs[0].seed}) wrote no results.json rows`);
  return Object.fromEntries(rows.map((r) => [`tv/${r.beta}`, num(r.tv, `${TOKENS} TV at β=${r.beta}`)]));
}

const GRID = 'gridworld-priors';
function gridExtract(runs: readonly RunOutput[]): Record<string, number> {
  type Row = { prior: string; method: string; klToExact: number | null; routes: Record<string, number> };
  const rows = (runs[0].results as { rows?: Row[] } | null)?.rows;
  if (!rows) throw new Error(`figures: ${GRID} (seed ${runs[0].seed}) wrote no results.json rows`);
  const out: Record<string, number> = {};
  for (const r of rows) {
    if (r.klToExact !== null) out[`${r.prior}/${r.method}/kl`] = r.klToExact;
    out[`${r.prior}/${r.method}/ledge`] = num(r.routes.ledge, `${GRID} ${r.prior}/${r.method} ledge share`);
  }
  out.wall = runs[0].wallSeconds;
  out.load = runs[0].load[0];
  return out;
}

const SAC = 'sac-pendulum';
function sacExtract(runs: readonly RunOutput[]): Record<string, number> {
  const evals = runs[0].metrics.filter((m) => m.scalars['charts/eval_return'] !== undefined);
  const last = evals.at(-1);
  if (!last) throw new Error(`figures: ${SAC} (seed ${runs[0].seed}) logged no charts/eval_return`);
  return { final: last.scalars['charts/eval_return'], step: last.step };
}

function lessonExtract(runs: readonly RunOutput[]): Record<string, number> {
  const r = runs[0];
  const gaps = r.lines.filter((l) => /gap by definition\s/.test(l)).map((l) => Number(l.trim().split(/\s+/).at(-1)));
  const kls = r.lines.filter((l) => /KL to the posterior\s/.test(l)).map((l) => Number(l.trim().split(/\s+/).at(-1)));
  const diffs = gaps.map((g, i) => Math.abs(g - kls[i]));
  const elbos = r.lines
    .filter((l) => /^\s+ELBO\s/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[2].replace(/−/g, '-')));
  if (gaps.length !== 2 || kls.length !== 2 || elbos.length !== 2)
    throw new Error(`figures: lesson printed ${gaps.length} gaps and ${elbos.length} ELBOs; expected 2 of each`);
  return {
    gap1: gaps[0],
    gap2: gaps[1],
    elbo1: elbos[0],
    elbo2: elbos[1],
    maxDiff: Math.max(...diffs, 1e-16),
    agree: printed(r, /^all (\d+) values the lesson states agree/),
  };
}

/** `priorlab eval <the run's folder> --episodes 50` (seed 1), under other env options if given. */
function evaluated(run: RunOutput, envOptions?: Record<string, unknown>) {
  if (!run.dir) throw new Error(`figures: ${run.command} (seed ${run.seed}) has no run folder to evaluate`);
  return evaluateRun(run.dir, { episodes: MC_EPISODES, seed: 1, envOptions });
}

const MC_EPISODES = 50;
const MC = {
  uniform: 'train --algo sac --env MountainCarContinuous-v0 --prior uniform --alpha auto',
  pumping: 'train --algo sac --env MountainCarContinuous-v0 --prior reference --alpha auto_0.1 --target-kl 1.69',
  klppo: 'train --algo klppo --env MountainCarContinuous-v0 --prior reference --alpha 0.1 --set distill=5',
} as const;
const MC_ROWS = [
  ['uniform', 'SAC, uniform (`--alpha auto`, target entropy −1)'],
  ['pumping', 'SAC, `pumping` reference (`--alpha auto_0.1 --target-kl 1.69`)'],
  ['klppo', 'KL-PPO, `pumping` reference (`--alpha 0.1 --set distill=5`)'],
] as const;

function mcExtract(runs: readonly RunOutput[]): Record<string, number> {
  const out: Record<string, number> = {};
  MC_ROWS.forEach(([k], i) => {
    const e = evaluated(runs[i]);
    out[`${k}/successes`] = num(e.successes, `${runs[i].command} successes`);
    out[`${k}/return`] = e.mean;
    out[`${k}/std`] = e.std;
    out[`${k}/kl`] = e.kl;
  });
  return out;
}

/** `lo–hi`, or `x on every seed` when the two read the same. */
function spread(s: SeedStats, f: (x: number) => string): string {
  return f(s.min) === f(s.max) ? `${f(s.min)} on every seed` : `${f(s.min)}–${f(s.max)}`;
}

/** The fine-tune: the task changed to 10× the force penalty; the reference is the pretrained run (command 0). */
const FINETUNE_OPTIONS = { actionCost: 1 };
const FINETUNE = `train --algo sac --env MountainCarContinuous-v0 --prior reference --reference {run:0} --alpha auto_0.1 --target-kl 0.5 --env-options ${JSON.stringify(FINETUNE_OPTIONS)} --steps 15000`;

function finetuneExtract(runs: readonly RunOutput[]): Record<string, number> {
  const pre = evaluated(runs[0], FINETUNE_OPTIONS);
  const tuned = evaluated(runs[1]);
  const last = runs[1].metrics.at(-1);
  if (!last) throw new Error(`figures: ${runs[1].command} (seed ${runs[1].seed}) logged no metrics`);
  return {
    pre: pre.mean,
    preStd: pre.std,
    tuned: tuned.mean,
    tunedStd: tuned.std,
    tunedSuccess: num(tuned.successes, 'fine-tuned successes') / MC_EPISODES,
    kl: tuned.kl,
    trainKl: num(last.scalars['charts/kl_prior'], 'the last charts/kl_prior'),
    alpha: num(last.scalars['charts/alpha'], 'the last charts/alpha'),
  };
}

/** Each command's wall time (s) and the 1-minute load when it started. */
function wallExtract(runs: readonly RunOutput[]): Record<string, number> {
  return Object.fromEntries(
    runs.flatMap((r, i) => [
      [`wall/${i}`, r.wallSeconds],
      [`load/${i}`, r.load[0]],
    ]),
  );
}

/** `a–b` of the seeds' values with `f`, one value when they read the same. */
function between(s: SeedStats, f: (x: number) => string): string {
  return f(s.min) === f(s.max) ? f(s.min) : `${f(s.min)}–${f(s.max)}`;
}

export const FIGURES: readonly Figure[] = [
  {
    name: 'lesson-table',
    what: "the lesson's worked example and practice (ELBO and gap), analytic",
    commands: ['lesson'],
    seeds: [1],
    speed: 'fast',
    tolerance: { abs: 0.0005 },
    files: ['README.md'],
    extract: lessonExtract,
    render: ({ v }) =>
      `ELBO ≈ ${fixed(v('elbo1').mean, 3)}, gap ≈ ${fixed(v('gap1').mean, 3)}) and practice (ELBO ≈ ${fixed(v('elbo2').mean, 3)}, gap ≈ ${fixed(v('gap2').mean, 3)}`,
  },
  {
    name: 'lesson-gaps',
    what: 'the lesson: gap by definition vs KL to the posterior (closed form), and how many stated values agree',
    commands: ['lesson'],
    seeds: [1],
    speed: 'fast',
    tolerance: { abs: 1e-12 },
    files: ['README.md'],
    extract: lessonExtract,
    render: ({ v }) =>
      `agree to ${sci(v('maxDiff').mean, 0)} (${v('gap1').mean.toFixed(12)}, ${v('gap2').mean.toFixed(12)}); all ${v('agree').mean} stated values agree to three decimals (${code('lesson')})`,
  },
  {
    name: 'irl-kl',
    what: 'MaxEnt IRL: KL(π_demo ‖ π_recovered) on visited states at N = 1,000 and 10,000, and reward correlation',
    commands: [IRL.uniform, IRL.guide, IRL.cliff],
    seeds: IRL_SEEDS,
    speed: 'fast',
    tolerance: { rel: 0.02 },
    files: ['README.md'],
    extract: irlExtract,
    render: ({ v, seeds }) => {
      const e = (x: number) => sci(x, 1);
      const at = (k: string, n: number) => `${e(v(`${k}/kl/${n}`).mean)} (${range(v(`${k}/kl/${n}`), e)})`;
      const worst10k = Math.max(...(['uniform', 'guide', 'cliff'] as const).map((k) => v(`${k}/kl/10000`).max));
      const corr = ['uniform', 'guide'].map((k) => v(`${k}/corr/1000`));
      const lo = Math.min(...corr.map((c) => c.min));
      const hi = Math.max(...corr.map((c) => c.max));
      return (
        `MaxEnt IRL (seeds ${seedsText(seeds)}: mean, then lowest … highest seed): KL(π_demo ‖ π_recovered) on visited states from 1,000 demonstrations ` +
        `${at('uniform', 1000)} (TwoRoute, uniform: ${code(IRL.uniform)}), ${at('guide', 1000)} (guide prior: ${code(IRL.guide)}), ` +
        `${at('cliff', 1000)} (CliffWalking at α = 1: ${code(IRL.cliff)}); ${e(worst10k)} and below from 10,000; ` +
        `the recovered reward correlates ${fixed(lo, 2)}–${fixed(hi, 2)} with the true one on the cells the demonstrations enter (TwoRoute, N = 1,000)`
      );
    },
  },
  {
    name: 'irl-table',
    what: 'docs/irl.md: the IRL table (KL · corr · rms per N), seed 1',
    commands: [IRL.uniform, IRL.guide, IRL.cliff],
    seeds: [1],
    speed: 'fast',
    tolerance: { rel: 0.02, abs: 0.001 },
    files: ['docs/irl.md'],
    extract: irlExtract,
    render: ({ v }) => {
      const kl = (x: number) => (x >= 1 ? x.toFixed(2) : sci(x, 1));
      const lines = IRL_COUNTS.map((n) => {
        const c = (k: string) => `${kl(v(`${k}/kl/${n}`).mean)} · ${v(`${k}/corr/${n}`).mean.toFixed(3)}`;
        const rms = (k: string) => v(`${k}/rms/${n}`).mean;
        return (
          `| ${n.toLocaleString('en-US')} | ${c('uniform')} · ${rms('uniform').toFixed(3)} | ${c('guide')} · ${rms('guide').toFixed(3)} | ` +
          `${kl(v(`cliff/kl/${n}`).mean)} · ${rms('cliff') >= 1 ? rms('cliff').toFixed(2) : rms('cliff').toFixed(3)} |`
        );
      });
      const head =
        '| N | TwoRoute, uniform (α 0.15): KL · corr · rms | TwoRoute, guide: KL · corr · rms | CliffWalking, uniform (α 1): KL · rms |\n' +
        '|---:|---|---|---|';
      return `\n\n${head}\n${lines.join('\n')}\n\n`;
    },
  },
  {
    name: 'tokens-rlhf-tv',
    what: 'KL-PPO on TokenSeq-v0: TV to the closed-form optimum at β = 0.1 and 0.3',
    commands: [TOKENS],
    seeds: [1, 2, 3],
    speed: 'fast',
    tolerance: { rel: 0.05, abs: 0.0002 },
    files: ['README.md'],
    extract: tokensExtract,
    render: ({ v, seeds }) => {
      const f = (x: number) => fixed(x, 4);
      return (
        `${meanStdRange(v('tv/0.1'), f)} at β = 0.1 and ${meanStdRange(v('tv/0.3'), f)} at β = 0.3 ` +
        `(${code(TOKENS)}, seeds ${seedsText(seeds)}: mean ± std, lowest … highest seed)`
      );
    },
  },
  {
    name: 'tokens-rlhf-tv-max',
    what: "the same TV, the highest seed's (beside RLOO's and DPO's bounds)",
    commands: [TOKENS],
    seeds: [1, 2, 3],
    speed: 'fast',
    tolerance: { rel: 0.05, abs: 0.0002 },
    files: ['README.md'],
    extract: tokensExtract,
    render: ({ v, seeds }) =>
      `KL-PPO in ${code(TOKENS)}, seeds ${seedsText(seeds)}: ≤ ${fixed(v('tv/0.1').max, 4)} and ≤ ${fixed(v('tv/0.3').max, 4)}`,
  },
  {
    name: 'gridworld-kl',
    what: 'TwoRoute: KL(π_learned ‖ π*) of discrete SAC and KL-PPO under the uniform and reference priors',
    commands: [GRID],
    seeds: [1, 2, 3],
    speed: 'slow',
    tolerance: { rel: 0.1, abs: 0.00005 },
    files: ['README.md'],
    extract: gridExtract,
    render: ({ v, seeds }) => {
      const f = (x: number) => (x < 0.001 ? fixed(x, 5) : fixed(x, 4));
      const one = (k: string) => `${f(v(k).mean)} (${range(v(k), f)})`;
      return (
        `discrete SAC ${one('uniform/sac/kl')} (uniform prior), ${one('reference/sac/kl')} (reference); ` +
        `KL-PPO ${one('uniform/klppo/kl')} (uniform), ${one('reference/klppo/kl')} (reference) ` +
        `(${code(GRID)}, mean and lowest … highest of seeds ${seedsText(seeds)}`
      );
    },
  },
  {
    name: 'gridworld-ledge',
    what: 'TwoRoute: the ledge share of 1,000 rollouts of the exact π* under the uniform prior',
    commands: [GRID],
    seeds: [1, 2, 3],
    speed: 'slow',
    tolerance: { abs: 1 },
    files: ['README.md'],
    extract: gridExtract,
    render: ({ v, seeds }) =>
      `${pct(v('uniform/exact/ledge').mean)} ledge, ${range(v('uniform/exact/ledge'), pct)} over seeds ${seedsText(seeds)}`,
  },
  {
    name: 'gridworld-time',
    what: 'gridworld-priors wall time (seed 1, in-process) and the load it ran at',
    commands: [GRID],
    seeds: [1],
    speed: 'slow',
    timing: true,
    tolerance: {},
    files: ['README.md'],
    extract: gridExtract,
    render: ({ v }) =>
      `\`gridworld-priors\` (seed 1) took ${v('wall').mean.toFixed(0)} s wall at load ${v('load').mean.toFixed(1)} (1-minute load average when it started; \`npm run figures -- --only gridworld-time\`)`,
  },
  {
    name: 'sac-pendulum',
    what: 'SAC on Pendulum-v1 (15k steps, 64×64, the engine): final deterministic evaluation per seed',
    commands: [SAC],
    seeds: [1, 2, 3, 4, 5],
    speed: 'slow',
    tolerance: { abs: 3 },
    files: ['README.md'],
    extract: sacExtract,
    render: ({ v, seeds }) => {
      const s = v('final');
      const f = (x: number) => fixed(x, 0);
      return `${seeds.map((seed) => f(s.perSeed[String(seed)])).join(', ')} over seeds ${seedsText(seeds)} (mean ${f(s.mean)} ± ${f(s.std)}, ${range(s, f)}; ${code(SAC)})`;
    },
  },
  {
    name: 'mountaincar-table',
    what: 'MountainCarContinuous-v0, 5 seeds × 50k steps per learner: success, return and KL of `eval --episodes 50`',
    commands: [MC.uniform, MC.pumping, MC.klppo],
    seeds: [1, 2, 3, 4, 5],
    speed: 'slow',
    tolerance: { rel: 0.05, abs: 0.5 },
    files: ['README.md'],
    extract: mcExtract,
    render: ({ v, seeds }) => {
      const f2 = (x: number) => fixed(x, 2);
      const rows = MC_ROWS.map(([k, label]) => {
        const n = MC_EPISODES * seeds.length;
        const ok = Object.values(v(`${k}/successes`).perSeed).reduce((a, b) => a + b, 0);
        return (
          `| ${label} | ${ok}/${n} (${fixed((100 * ok) / n, ok === n || ok === 0 ? 0 : 1)}%) | ` +
          `${spread(v(`${k}/return`), f2)} (± ${between(v(`${k}/std`), f2)}) | ${between(v(`${k}/kl`), f2)} |`
        );
      });
      const lines = [
        `| learner, prior | success (${MC_EPISODES} episodes × ${seeds.length} seeds) | return per seed (± std over episodes) | KL(π‖prior)/step |`,
        '|---|---|---|---|',
        ...rows,
        '| rl-baselines3-zoo SAC (50k steps, gSDE, one run) | — | 94.68 ± 1.13 | — |',
      ];
      // Inside the README's list item: indented by two spaces.
      return `\n\n  ${lines.join('\n  ')}\n\n  `;
    },
  },
  {
    name: 'mountaincar-finetune',
    what: 'the RLHF recipe on MountainCar: pretrain (SAC + pumping), fine-tune under 10× the force penalty with a KL to it',
    commands: [MC.pumping, FINETUNE],
    seeds: [1, 2],
    speed: 'slow',
    tolerance: { rel: 0.1, abs: 0.5 },
    files: ['README.md'],
    extract: finetuneExtract,
    render: ({ v, seeds }) => {
      const f1 = (x: number) => fixed(x, 1);
      const f2 = (x: number) => fixed(x, 2);
      const each = (k: string, f: (x: number) => string, sd?: string) =>
        seeds.map((s) => `${f(v(k).perSeed[String(s)])}${sd ? ` ± ${f(v(sd).perSeed[String(s)])}` : ''}`).join(' and ');
      return (
        `Under the new reward the pretrained agents (seeds ${seedsText(seeds)}) return ${each('pre', f1, 'preStd')}; ` +
        `the fine-tuned ones ${each('tuned', f1, 'tunedStd')} (${pct(v('tunedSuccess').min)}${v('tunedSuccess').min === v('tunedSuccess').max ? '' : `–${pct(v('tunedSuccess').max)}`} success, ${MC_EPISODES} episodes), ` +
        `with KL to the pretrained policy ${each('kl', f2)} nats/step at evaluation (${each('trainKl', f2)} at the last training log; target 0.5, α ${each('alpha', f2)}; \`npm run figures -- --only mountaincar-finetune\`)`
      );
    },
  },
  {
    name: 'mountaincar-time',
    what: "the MountainCar table's training wall time per seed (one seed after another, in-process) and the load",
    commands: [MC.uniform, MC.pumping, MC.klppo],
    seeds: [1, 2, 3, 4, 5],
    speed: 'slow',
    timing: true,
    tolerance: {},
    files: ['README.md'],
    extract: wallExtract,
    render: ({ v }) => {
      const min = (x: number) => fixed(x / 60, 1);
      const one = (i: number) => `${between(v(`wall/${i}`), min)} min`;
      return (
        `${one(0)}, ${one(1)} and ${one(2)} per seed (SAC uniform, SAC pumping, KL-PPO; one seed at a time in one process, ` +
        `at load ${between(v('load/0'), (x) => fixed(x, 1))}, ${between(v('load/1'), (x) => fixed(x, 1))} and ${between(v('load/2'), (x) => fixed(x, 1))}: ` +
        `\`npm run figures -- --only mountaincar-time\`)`
      );
    },
  },
  {
    name: 'mountaincar-finetune-time',
    what: "the fine-tune's wall time per seed (15k steps, in-process) and the load",
    commands: [MC.pumping, FINETUNE],
    seeds: [1, 2],
    speed: 'slow',
    timing: true,
    tolerance: {},
    files: ['README.md'],
    extract: wallExtract,
    render: ({ v }) =>
      `${between(v('wall/1'), (x) => fixed(x, 0))} s per fine-tune at load ${between(v('load/1'), (x) => fixed(x, 1))} (\`npm run figures -- --only mountaincar-finetune-time\`)`,
  },
];

export function figureByName(name: string): Figure {
  const f = FIGURES.find((x) => x.name === name);
  if (!f) throw new UsageError(`--only: got '${name}'; allowed: ${FIGURES.map((x) => x.name).join(', ')}`);
  return f;
}
