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
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  `kills tried ${tried}, landed in a running process ${landed}; resumes ${resumes}; runs finished ${finished}/${trials}; byte-identical ${identical}/${trials}` +
    ` (load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)})`,
);
