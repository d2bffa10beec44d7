/**
 * The visualizer's shipped world-model run: `npm run viewer-worldmodel` runs the rssm-pendulum experiment
 * (PendulumNoVel-v1, its default budget, seed 1) in a temporary folder and copies what the World model tab
 * reads into `src/viz/worldmodel/`: `rssm-trajectories.json` (its numbers rounded to 4 significant digits, so
 * the file stays a few kB) and `index.json` (the command, and the run's held-out imagination error and θ̇
 * read-out R² from imagination.json). Every file is written atomically; the run folder is kept with `--keep`.
 * Re-running reproduces the files on the same backend (a run is a function of its options and seed).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/atomicfs.js';
import { SHIPPED_WORLD_MODEL_DIR, type ShippedWorldModel } from '../src/viz/worldmodel/shipped.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const ARGS = ['rssm-pendulum', '--seed', '1', '--checkpoint-every', '0'];

/** Every number in `v` rounded to `digits` significant digits. */
const rounded = (v: unknown, digits: number): unknown =>
  typeof v === 'number'
    ? Number(v.toPrecision(digits))
    : Array.isArray(v)
      ? v.map((x) => rounded(x, digits))
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x, digits)]))
        : v;

function main(): void {
  const keep = process.argv.includes('--keep');
  const out = mkdtempSync(join(tmpdir(), 'priorlab-viewer-worldmodel-'));
  const t0 = Date.now();
  execFileSync(process.execPath, [join(repo, 'bin/priorlab.mjs'), ...ARGS, '--out', out], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [run] = readdirSync(out);
  const read = (f: string) => JSON.parse(readFileSync(join(out, run, f), 'utf8')) as Record<string, unknown>;
  const trajectories = rounded(read('rssm-trajectories.json'), 4);
  const imagination = read('imagination.json') as { rssmMse: number[]; naiveMse: number[]; velocityR2: number };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const index: ShippedWorldModel = {
    command: `priorlab ${ARGS.join(' ')}`,
    imaginationMse: mean(imagination.rssmMse),
    repeatLastMse: mean(imagination.naiveMse),
    velocityR2: imagination.velocityR2,
  };
  const target = resolve(repo, SHIPPED_WORLD_MODEL_DIR);
  mkdirSync(target, { recursive: true });
  writeFileAtomic(join(target, 'rssm-trajectories.json'), `${JSON.stringify(trajectories)}\n`);
  writeFileAtomic(join(target, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  console.log(
    `${SHIPPED_WORLD_MODEL_DIR}: imagination MSE ${index.imaginationMse.toFixed(4)} vs repeat-last ${index.repeatLastMse.toFixed(4)}, θ̇ read-out R² ${index.velocityR2.toFixed(3)}, in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (keep) console.log(`run folder kept in ${join(out, run)}`);
  else rmSync(out, { recursive: true, force: true });
}

main();
