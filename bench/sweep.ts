/**
 * Sweeps: trials per minute of a tabular-q sweep through the CLI with 1 and 2 local workers and with 2 Redis
 * workers (a throwaway redis-server on a free loopback port; the workers are started and ready before the
 * clock starts, as on a cluster), and the queue's overhead per trial.
 *
 * Overhead per trial: trials that do almost no work (1 step), run by ONE worker through each backend at two
 * sweep sizes; the slope (seconds per extra trial) removes start-up and the coordinator's last poll, and
 * `slope(Redis) − slope(local)` is what the queue adds to each trial (enqueue, claim, shipping checkpoint,
 * rows and files, collection). Target ≤ 50 ms.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLI_ENTRY } from '../src/node/run/parallel.js';
import { freePort, hasRedisServer, startRedisServer, stopRedisServer } from '../src/node/sweep/localredis.js';

const TRIALS = 16;
const STEPS = 20_000;
const TARGET_MS = 50;

function specFile(dir: string, trials: number, steps: number): string {
  const path = join(dir, `spec-${trials}-${steps}.yaml`);
  const alphas = Array.from({ length: trials }, (_, i) => +(0.01 * 1.3 ** i).toPrecision(4));
  writeFileSync(path, stringify({ experiment: 'tabular-q', options: { steps, logEvery: Math.min(steps, 1000), checkpointEvery: Math.min(steps, 5000) }, grid: { alpha: alphas }, seeds: [1] }));
  return path;
}

/** Wall seconds of one `priorlab sweep` (fresh folder). */
function sweepSeconds(dir: string, spec: string, args: string[]): number {
  const out = mkdtempSync(join(dir, 'sweep-'));
  const start = performance.now();
  const r = spawnSync(process.execPath, [CLI_ENTRY, 'sweep', spec, '--out', out, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`bench sweep: exited ${r.status}: ${r.stdout.slice(-500)}${r.stderr.slice(-1500)}`);
  return seconds;
}

async function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  const workers = Array.from({ length: n }, () => spawn(process.execPath, [CLI_ENTRY, 'worker', '--queue', url], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CI: '1' } }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((res, rej) => {
          let text = '';
          w.stdout!.setEncoding('utf8').on('data', (c: string) => {
            text += c;
            if (/^worker \(/m.test(text)) res();
          });
          w.once('exit', (code) => rej(new Error(`worker exited ${code}: ${text}`)));
        }),
    ),
  );
  return workers;
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : (w.once('exit', r), w.kill('SIGTERM'))))));
}

export async function bench(): Promise<void> {
  if (!hasRedisServer()) {
    console.log("sweep: skipped (redis-server not installed; .ci/run installs Debian's redis-server)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'priorlab-bench-sweep-'));
  const redis = await startRedisServer(await freePort());
  const url = `redis://127.0.0.1:${(redis.spawnargs[redis.spawnargs.indexOf('--port') + 1])}`;
  try {
    const spec = specFile(dir, TRIALS, STEPS);
    const perMin = (s: number): string => `${((60 * TRIALS) / s).toFixed(0)}/min (${s.toFixed(1)} s)`;
    const local1 = sweepSeconds(dir, spec, ['--workers', '1']);
    const local2 = sweepSeconds(dir, spec, ['--workers', '2']);
    let workers = await startWorkers(url, 2);
    const redis2 = sweepSeconds(dir, spec, ['--queue', url]);
    await stopWorkers(workers);
    console.log(`sweep: ${TRIALS} trials × ${STEPS} tabular-q steps: local 1 worker ${perMin(local1)}, local 2 workers ${perMin(local2)}, Redis 2 workers ${perMin(redis2)}`);

    const [small, large] = [8, 32];
    const slope = (run: (spec: string) => number): number => (run(specFile(dir, large, 1)) - run(specFile(dir, small, 1))) / (large - small);
    const localSlope = slope((s) => sweepSeconds(dir, s, ['--workers', '1']));
    workers = await startWorkers(url, 1);
    const redisSlope = slope((s) => sweepSeconds(dir, s, ['--queue', url]));
    await stopWorkers(workers);
    const overheadMs = 1000 * (redisSlope - localSlope);
    console.log(
      `sweep: per 1-step trial, 1 worker: local ${(1000 * localSlope).toFixed(1)} ms, Redis ${(1000 * redisSlope).toFixed(1)} ms; ` +
        `queue overhead ${overheadMs.toFixed(1)} ms per trial (target ≤ ${TARGET_MS} ms, ratio ${(overheadMs / TARGET_MS).toFixed(2)})`,
    );
    console.log(`sweep: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min)`);
  } finally {
    await stopRedisServer(redis);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
