/**
 * Crash safety, measured: `tabular-q` is interrupted at random moments (kill -9 or SIGINT, once metrics.jsonl
 * has reached a random fraction of its final size), resumed with
 * `--resume` (itself interrupted now and then) until it is done, and its metrics.jsonl and q_table.json are
 * compared byte for byte with an uninterrupted run's. Also checks that no *.tmp file and no lock is left.
 *
 *   npx tsx bench/crash-safety.ts [trials=12] [seed=1]
 *
 * Prints one line per trial and the totals: kills tried, kills that landed in a run, resumes, byte-identical runs.
 * The fractions are drawn from a seeded stream; the exact step a kill lands on depends on the machine's speed.
 *
 * Then, deterministically, a kill -9 at every rename (every atomic write's last step, counted by
 * `bench/crash-hook.mjs`) of three runs: a tabular-q run from its folder's creation, a SAC `train` run from its
 * creation, and the resume of a stopped SAC run. Each killed run is resumed until done; it must end
 * byte-identical to the uninterrupted run (metrics.jsonl, the results, the same learner-state files), or the
 * resume must be refused with one line that says how to start again. Anything else is counted as a failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const ARGS = ['tabular-q', '--steps', '300000', '--log-every', '100', '--checkpoint-every', '7000', '--seed', '9'];
const trials = Number(process.argv[2] ?? 12);
const rng = new Rng(`crash-safety-${process.argv[3] ?? 1}`);
const env = { ...process.env, CI: '1' };

const runDir = (out: string): string | null =>
  existsSync(out) && readdirSync(out).length ? join(out, readdirSync(out)[0]) : null;
const stateOf = (dir: string): string | null => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { state: string }).state;
  } catch {
    return null;
  }
};

/**
 * Starts the CLI and kills it with `signal` once metrics.jsonl (in `out`'s run folder, or `dir`) has grown to
 * `bytes`; resolves to whether the kill landed in a running process.
 */
function runAndKill(
  args: string[],
  where: { out?: string; dir?: string },
  bytes: number,
  signal: NodeJS.Signals,
): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: 'ignore' });
    let landed = false;
    const size = (): number => {
      const dir = where.dir ?? (where.out ? runDir(where.out) : null);
      try {
        return dir ? statSync(join(dir, 'metrics.jsonl')).size : 0;
      } catch {
        return 0;
      }
    };
    const timer = setInterval(() => {
      if (size() < bytes) return;
      clearInterval(timer);
      landed = child.exitCode === null;
      child.kill(signal);
    }, 5);
    child.on('close', () => {
      clearInterval(timer);
      resolve(landed);
    });
  });
}

const load0 = loadavg()[0];
const refOut = mkdtempSync(join(tmpdir(), 'priorlab-crash-ref-'));
const ref = spawnSync(process.execPath, [BIN, ...ARGS, '--out', refOut], { env, encoding: 'utf8' });
if (ref.status !== 0) throw new Error(`reference run failed: ${ref.stderr}`);
const refDir = runDir(refOut)!;
const refMetrics = readFileSync(join(refDir, 'metrics.jsonl'));
const refQ = readFileSync(join(refDir, 'q_table.json'));
console.log(`reference run: ${refMetrics.toString().trim().split('\n').length} metrics rows`);

let tried = 0;
let landed = 0;
let resumes = 0;
let identical = 0;
let finished = 0;
let refusedRuns = 0;
for (let trial = 1; trial <= trials; trial++) {
  const out = mkdtempSync(join(tmpdir(), 'priorlab-crash-'));
  const kills: string[] = [];
  const signalOf = (): NodeJS.Signals => (rng.uniform() < 0.5 ? 'SIGKILL' : 'SIGINT');
  const at = (): number => rng.uniformRange(0.02, 0.98) * refMetrics.length;
  let sig = signalOf();
  let hit = await runAndKill([...ARGS, '--out', out], { out }, at(), sig);
  tried++;
  if (hit) landed++;
  kills.push(`${sig}${hit ? '' : ' (too late)'}`);
  const dir = runDir(out);
  if (dir === null) {
    console.log(`trial ${trial}: killed before the run folder existed (${kills.join(', ')}); nothing to resume`);
    continue;
  }
  // Resume until done; the first resumes may be interrupted again.
  for (let attempt = 0; stateOf(dir) !== 'done' && attempt < 10; attempt++) {
    resumes++;
    if (attempt < 2 && rng.uniform() < 0.5) {
      sig = signalOf();
      hit = await runAndKill(['--resume', dir], { dir }, at(), sig);
      tried++;
      if (hit) landed++;
      kills.push(`resume ${sig}${hit ? '' : ' (too late)'}`);
    } else {
      const r = spawnSync(process.execPath, [BIN, '--resume', dir], { env, encoding: 'utf8' });
      if (r.status === 2 && /start it again/.test(r.stderr)) {
        // Killed before its first checkpoint: refused, with the command that starts it again.
        refusedRuns++;
        kills.push('refused: no checkpoint yet');
        break;
      }
      if (r.status !== 0) console.log(`trial ${trial}: resume exited ${r.status}: ${r.stderr.trim()}`);
    }
  }
  const done = stateOf(dir) === 'done';
  if (done) finished++;
  const same =
    done &&
    readFileSync(join(dir, 'metrics.jsonl')).equals(refMetrics) &&
    readFileSync(join(dir, 'q_table.json')).equals(refQ);
  if (same) identical++;
  const leftovers = readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === '.lock');
  console.log(
    `trial ${trial}: ${kills.join(', ')} -> ${done ? 'done' : 'NOT done'}, ${same ? 'byte-identical' : 'DIFFERENT'}${leftovers.length ? `, left: ${leftovers.join(' ')}` : ''}`,
  );
}
console.log(
  `kills tried ${tried}, landed in a running process ${landed}; resumes ${resumes}; runs finished ${finished}/${trials}; byte-identical ${identical}/${trials}; refused with how to start again ${refusedRuns}` +
    ` (load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)})`,
);

// ───────────────────────────── a kill -9 at every rename ─────────────────────────────

const HOOK = join(import.meta.dirname, 'crash-hook.mjs');
const SAC_ARGS = [
  'train',
  '--algo',
  'sac',
  '--env',
  'Pendulum-v1',
  '--steps',
  '300',
  '--set',
  'learningStarts=100,evalEvery=100,evalEpisodes=1,checkpointEvery=100,hidden=[8,8]',
  '--seed',
  '5',
];
const TQ_ARGS = ['tabular-q', '--steps', '3000', '--log-every', '500', '--checkpoint-every', '1000', '--seed', '4'];

/** Runs the CLI with the rename hook; `killAt` 0 runs it whole. */
function hooked(args: string[], killAt: number, log?: string) {
  return spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    env: {
      ...env,
      PRIORLAB_KILL_AT_RENAME: String(killAt),
      ...(log ? { PRIORLAB_RENAME_LOG: log } : {}),
    },
    encoding: 'utf8',
  });
}

/** What must match an uninterrupted run: metrics, results, and the set of learner-state files. */
function resultOf(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f === 'metrics.jsonl' || f === 'q_table.json' || f === 'agent.bin' || /^learner-state-/.test(f))
    .sort();
  return files.map((f) => `${f}:${readFileSync(join(dir, f)).toString('base64')}`).join('\n');
}

interface Scenario {
  name: string;
  /** Makes the folder to start from (or the --out parent), returns the argv that runs it. */
  setup(): { args: string[]; out: string | null; dir: string | null };
}

const stoppedSac = ((): (() => string) => {
  let base: string | null = null;
  return () => {
    if (base === null) {
      const out = mkdtempSync(join(tmpdir(), 'priorlab-crash-sacbase-'));
      const r = hooked([...SAC_ARGS, '--out', out], 0);
      if (r.status !== 0) throw new Error(`SAC base run failed: ${r.stderr}`);
      base = join(out, readdirSync(out)[0]);
      // Stopped at its 300-step checkpoint, with 600 steps to go to: a resume with real work.
      const cfg = JSON.parse(readFileSync(join(base, 'config.json'), 'utf8'));
      cfg.options.steps = 600;
      writeFileSync(join(base, 'config.json'), JSON.stringify(cfg, null, 2));
      writeFileSync(join(base, 'status.json'), JSON.stringify({ state: 'stopped', step: 300, updatedAt: '' }));
    }
    const copy = join(mkdtempSync(join(tmpdir(), 'priorlab-crash-sac-')), 'run');
    cpSync(base, copy, { recursive: true });
    return copy;
  };
})();

const scenarios: Scenario[] = [
  {
    name: 'tabular-q from creation',
    setup: () => {
      const out = mkdtempSync(join(tmpdir(), 'priorlab-crash-tq-'));
      return { args: [...TQ_ARGS, '--out', out], out, dir: null };
    },
  },
  {
    name: 'SAC train from creation',
    setup: () => {
      const out = mkdtempSync(join(tmpdir(), 'priorlab-crash-sacnew-'));
      return { args: [...SAC_ARGS, '--out', out], out, dir: null };
    },
  },
  {
    name: 'SAC train resumed',
    setup: () => {
      const dir = stoppedSac();
      return { args: ['--resume', dir], out: null, dir };
    },
  },
];

let renameFailures = 0;
let renameKills = 0;
for (const sc of scenarios) {
  // The uninterrupted run, with its renames counted.
  const ref = sc.setup();
  const log = join(mkdtempSync(join(tmpdir(), 'priorlab-crash-log-')), 'renames');
  const whole = hooked(ref.args, 0, log);
  if (whole.status !== 0) throw new Error(`${sc.name}: uninterrupted run failed: ${whole.stderr}`);
  const refDir = ref.dir ?? join(ref.out!, readdirSync(ref.out!)[0]);
  const want = resultOf(refDir);
  const renames = readFileSync(log, 'utf8').trim().split('\n');
  const counts = { identical: 0, refused: 0, failed: 0 };
  for (let k = 1; k <= renames.length; k++) {
    renameKills++;
    const run = sc.setup();
    const killed = hooked(run.args, k);
    const target = renames[k - 1].split(' ').slice(1).join(' ').split('/').at(-1);
    const dir =
      run.dir ??
      (run.out && existsSync(run.out) && readdirSync(run.out).length ? join(run.out, readdirSync(run.out)[0]) : null);
    let verdict = '';
    if (killed.signal !== 'SIGKILL') verdict = `not killed (exit ${killed.status})`;
    else if (dir === null) verdict = 'killed before the folder existed: nothing to resume';
    for (let attempt = 0; verdict === '' && attempt < 3; attempt++) {
      const r = spawnSync(process.execPath, [BIN, '--resume', dir!], { env, encoding: 'utf8' });
      if (r.status === 0 && stateOf(dir!) === 'done') {
        verdict = resultOf(dir!) === want ? 'identical' : 'DIFFERENT';
      } else if (r.status === 2) {
        const line = r.stderr.trim();
        verdict =
          line.split('\n').length === 1 && /start (it|the run) again|start a new run/.test(line)
            ? `refused: ${line.replace(/^priorlab: /, '').slice(0, 140)}`
            : `REFUSED WITHOUT A WAY ON: ${line}`;
      } else if (r.status !== 0) verdict = `RESUME EXITED ${r.status}: ${r.stderr.trim()}`;
    }
    if (verdict === '') verdict = 'NOT done after 3 resumes';
    if (verdict === 'identical') counts.identical++;
    else if (verdict.startsWith('refused') || verdict.startsWith('killed before')) counts.refused++;
    else {
      counts.failed++;
      renameFailures++;
    }
    console.log(`${sc.name}: kill before rename ${k}/${renames.length} (${target}) -> ${verdict}`);
    if (run.out) rmSync(run.out, { recursive: true, force: true });
  }
  console.log(
    `${sc.name}: ${renames.length} renames, each killed: ${counts.identical} resumed byte-identical, ${counts.refused} refused with a way to start again, ${counts.failed} failures`,
  );
}
console.log(`kill -9 at every rename: ${renameKills} kills, ${renameFailures} failures`);
if (renameFailures > 0) process.exitCode = 1;
