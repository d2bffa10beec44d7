/**
 * The visualizer's shipped world-model runs, copied into `src/viz/worldmodel/` from experiments run in a
 * temporary folder (seed 1, every file written atomically, numbers rounded to 4 significant digits so the
 * files stay a few kB each; the run folders are kept with `--keep`):
 * - `rssm`: the rssm-pendulum experiment (PendulumNoVel-v1, its default budget): `rssm-trajectories.json` and
 *   `index.json` (the command, the held-out imagination error and θ̇ read-out R² from imagination.json);
 * - `dreamer`: a small dreamer agent on Pendulum-v1 under each of three objectives (uniform α 0.05, the
 *   swing-up reference α 0.5, none): `dreamer/<prior>.json` (its imagined rollouts under its own policy
 *   against what really happened) and `dreamer/index.json` (per objective the command and the final
 *   deterministic return from results.json).
 * `npm run viewer-worldmodel -- --only dreamer` makes one of them. Re-running reproduces the files on the same
 * backend (a run is a function of its options and seed).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/atomicfs.js';
import {
  SHIPPED_DREAMER_RUNS,
  SHIPPED_DREAMER_SEED,
  SHIPPED_WORLD_MODEL_DIR,
  type ShippedDreamer,
  type ShippedDreamerRun,
  type ShippedWorldModel,
} from '../src/viz/worldmodel/shipped.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const RSSM_ARGS = ['rssm-pendulum', '--seed', '1', '--checkpoint-every', '0'];

/** Every number in `v` rounded to `digits` significant digits. */
const rounded = (v: unknown, digits: number): unknown =>
  typeof v === 'number'
    ? Number(v.toPrecision(digits))
    : Array.isArray(v)
      ? v.map((x) => rounded(x, digits))
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x, digits)]))
        : v;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs `priorlab <args>` into `out`; returns a reader of its run folder's JSON files. */
function experiment(args: string[], out: string) {
  mkdirSync(out, { recursive: true });
  execFileSync(process.execPath, [join(repo, 'bin/priorlab.mjs'), ...args, '--out', out], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [run] = readdirSync(out);
  return (f: string) => JSON.parse(readFileSync(join(out, run, f), 'utf8')) as Record<string, unknown>;
}

const target = resolve(repo, SHIPPED_WORLD_MODEL_DIR);
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function rssm(out: string): string {
  const read = experiment(RSSM_ARGS, out);
  const imagination = read('imagination.json') as { rssmMse: number[]; naiveMse: number[]; velocityR2: number };
  const index: ShippedWorldModel = {
    command: `priorlab ${RSSM_ARGS.join(' ')}`,
    imaginationMse: mean(imagination.rssmMse),
    repeatLastMse: mean(imagination.naiveMse),
    velocityR2: imagination.velocityR2,
  };
  mkdirSync(target, { recursive: true });
  writeFileAtomic(
    join(target, 'rssm-trajectories.json'),
    `${JSON.stringify(rounded(read('rssm-trajectories.json'), 4))}\n`,
  );
  writeFileAtomic(join(target, 'index.json'), json(index));
  return `imagination MSE ${index.imaginationMse.toFixed(4)} vs repeat-last ${index.repeatLastMse.toFixed(4)}, θ̇ read-out R² ${index.velocityR2.toFixed(3)}`;
}

function dreamer(out: string): string {
  // The budget (in SHIPPED_DREAMER_RUNS): Pendulum-v1 first reaches −200 near 5–6k steps (docs/dreamer.md).
  const runs: ShippedDreamerRun[] = SHIPPED_DREAMER_RUNS.map(({ prior, label, command }) => {
    const full = [...command.split(' '), '--seed', String(SHIPPED_DREAMER_SEED)];
    const read = experiment(full, join(out, prior));
    const results = read('results.json') as {
      finalReturn: ShippedDreamerRun['finalReturn'];
      evals: ShippedDreamerRun['evals'];
    };
    const file = `${prior}.json`;
    mkdirSync(join(target, 'dreamer'), { recursive: true });
    writeFileAtomic(join(target, 'dreamer', file), `${JSON.stringify(rounded(read('rssm-trajectories.json'), 4))}\n`);
    return {
      prior,
      label,
      command: `priorlab ${full.join(' ')}`,
      file,
      finalReturn: rounded(results.finalReturn, 4) as ShippedDreamerRun['finalReturn'],
      evals: rounded(results.evals, 4) as ShippedDreamerRun['evals'],
    };
  });
  const index: ShippedDreamer = { env: 'Pendulum-v1', seed: SHIPPED_DREAMER_SEED, runs };
  writeFileAtomic(join(target, 'dreamer', 'index.json'), json(index));
  return runs.map((r) => `${r.prior} ${r.finalReturn.mean.toFixed(1)}`).join(', ');
}

const PARTS: Record<string, (out: string) => string> = { rssm, dreamer };

function main(): void {
  const keep = process.argv.includes('--keep');
  const only = process.argv.indexOf('--only');
  const names = only >= 0 ? [process.argv[only + 1]] : Object.keys(PARTS);
  for (const n of names)
    if (!(n in PARTS)) throw new Error(`viewer-worldmodel --only: got ${n}, allowed: ${Object.keys(PARTS).join(', ')}`);
  const out = mkdtempSync(join(tmpdir(), 'priorlab-viewer-worldmodel-'));
  for (const n of names) {
    const t0 = Date.now();
    const said = PARTS[n](join(out, n));
    console.log(`${SHIPPED_WORLD_MODEL_DIR} ${n}: ${said}, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  if (keep) console.log(`run folders kept in ${out}`);
  else rmSync(out, { recursive: true, force: true });
}

main();
