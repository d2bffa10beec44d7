/**
 * The visualizer's shipped continuous agents: `npm run viewer-agents` trains continuous SAC with `priorlab train`
 * on Pendulum-v1, PointMass-v0 and MountainCarContinuous-v0 under each prior (uniform, reference, none), seed 1,
 * small networks and budgets, and copies each run's saved agent (`agent.json` + `agent.bin`, unchanged) to
 * `src/viz/agents/<env>/<prior>/`, plus `src/viz/agents/index.json`: per agent the env, the objective, seed,
 * steps, the exact `train` command and its final evaluation return. Every file is written atomically. The
 * runs themselves go to a temporary folder (kept when `--keep`). Re-running reproduces the files on the same
 * backend (a run is a function of its config and seed): `--out <dir>` writes the set to `<dir>` instead and
 * says which files differ from the shipped ones (`npm run figures -- --only viewer-agents-time` times it so).
 *
 *   npx tsx scripts/viewer-agents.ts [--out <dir>] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/atomicfs.js';
import { AGENT_FILES } from '../src/agents/saved-agent.js';
import { VIEWER_AGENTS_DIR, type ViewerAgentEntry } from '../src/viz/control/shipped.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const SEED = 1;
/** Small actors (a few KB each) and short budgets: the whole set trains in minutes on two busy cores. */
const COMMON = 'hidden=[32,32],evalEvery=0,evalEpisodes=10,checkpointEvery=0';
const ENVS: ReadonlyArray<{ env: string; steps: number; set: string }> = [
  { env: 'Pendulum-v1', steps: 8000, set: COMMON },
  { env: 'PointMass-v0', steps: 6000, set: COMMON },
  // The tuned 5000-step warm-up would use up the whole budget; the reference learns in 3000 steps.
  { env: 'MountainCarContinuous-v0', steps: 3000, set: `${COMMON},learningStarts=1000` },
];
/** Per prior: the `--alpha` options (SAC's own auto-α for uniform, a KL target for the reference, α = 0 for none). */
const PRIORS: ReadonlyArray<{ prior: string; args: string[] }> = [
  { prior: 'uniform', args: ['--alpha', 'auto_1'] },
  { prior: 'reference', args: ['--alpha', 'auto_0.1', '--target-kl', '0.5'] },
  { prior: 'none', args: ['--alpha', '0'] },
];

/** The last `charts/eval_return` in a run's metrics.jsonl. */
function finalEvalReturn(runDir: string): number {
  const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, number>);
  const ret = rows
    .map((r) => r['charts/eval_return'])
    .filter(Number.isFinite)
    .at(-1);
  if (ret === undefined) throw new Error(`${runDir}/metrics.jsonl: no charts/eval_return (the run did not finish?)`);
  return ret;
}

/** `--keep` and `--out <dir>`; anything else is refused with one line (exit 2). */
function parseArgs(argv: readonly string[]): { keep: boolean; target: string | null } {
  let keep = false;
  let target: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--keep') keep = true;
    else if (argv[i] === '--out' && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) target = argv[++i];
    else {
      const got = argv[i] === '--out' ? '--out: missing value' : `got '${argv[i]}'`;
      console.error(`viewer-agents: ${got}; allowed: --out <dir>, --keep`);
      process.exit(2);
    }
  }
  return { keep, target };
}

/** The files of `dir` (relative paths, sorted), walked recursively. */
function filesUnder(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub), { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? filesUnder(dir, join(sub, d.name)) : [join(sub, d.name)]))
    .sort();
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const out = mkdtempSync(join(tmpdir(), 'priorlab-viewer-agents-'));
  const shipped = resolve(repo, VIEWER_AGENTS_DIR);
  const target = opts.target === null ? shipped : resolve(opts.target);
  const entries: ViewerAgentEntry[] = [];
  const t0 = Date.now();
  for (const e of ENVS) {
    for (const p of PRIORS) {
      const args = [
        'train',
        '--algo',
        'sac',
        '--env',
        e.env,
        '--prior',
        p.prior,
        ...p.args,
        '--seed',
        String(SEED),
        '--steps',
        String(e.steps),
        '--set',
        e.set,
      ];
      const runs = join(out, `${e.env}-${p.prior}`);
      const t = Date.now();
      execFileSync(process.execPath, [join(repo, 'bin/priorlab.mjs'), ...args, '--out', runs], {
        cwd: repo,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const [run] = readdirSync(runs);
      const runDir = join(runs, run);
      const dest = join(target, e.env, p.prior);
      mkdirSync(dest, { recursive: true });
      // Weights first, then the manifest that refers to them (as `saveAgent` does).
      for (const f of [AGENT_FILES.weights, AGENT_FILES.manifest])
        writeFileAtomic(join(dest, f), readFileSync(join(runDir, f)));
      const evalReturn = finalEvalReturn(runDir);
      entries.push({
        env: e.env,
        prior: p.prior,
        seed: SEED,
        steps: e.steps,
        command: `priorlab ${args.join(' ')}`,
        evalReturn,
        path: `${e.env}/${p.prior}`,
      });
      console.log(
        `${e.env} ${p.prior}: eval return ${evalReturn.toFixed(1)} in ${((Date.now() - t) / 1000).toFixed(0)} s`,
      );
    }
  }
  writeFileAtomic(join(target, 'index.json'), `${JSON.stringify({ agents: entries }, null, 2)}\n`);
  console.log(
    `${entries.length} agents in ${opts.target ?? VIEWER_AGENTS_DIR} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (target !== shipped) {
    // Determinism, checked: the set just made against the shipped one, file by file, byte for byte.
    const all = [...new Set([...filesUnder(target), ...filesUnder(shipped)])].sort();
    const same = (f: string) =>
      existsSync(join(target, f)) &&
      existsSync(join(shipped, f)) &&
      readFileSync(join(target, f)).equals(readFileSync(join(shipped, f)));
    const differ = all.filter((f) => !same(f));
    console.log(
      `byte-identical to ${VIEWER_AGENTS_DIR}: ${all.length - differ.length} of ${all.length} files${differ.length ? `; differ: ${differ.join(', ')}` : ''}`,
    );
  }
  if (opts.keep) console.log(`run folders kept in ${out}`);
  else rmSync(out, { recursive: true, force: true });
}

main();
