/**
 * Sweeps: trials per minute of a tabular-q sweep through the CLI with 1 and 2 local workers and with 2 Redis
 * workers (a throwaway redis-server on a free loopback port; the workers are started and ready before the
 * clock starts, as on a cluster), and the queue's overhead per trial.
 *
 * Overhead per trial: ONE worker runs trials that do almost no work (1 step) and logs, per trial, the time
 * outside the run itself: claiming it, fetching its state, shipping rows and files, and the hand-off from the
 * previous trial (BullMQ completing it and fetching the next). The median over the trials is printed
 * (target ≤ 50 ms); timing the whole sweep instead drowns it in the machine's load.
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
  writeFileSync(
    path,
    stringify({
      experiment: 'tabular-q',
      options: { steps, logEvery: Math.min(steps, 1000), checkpointEvery: Math.min(steps, 5000) },
      grid: { alpha: alphas },
      seeds: [1],
    }),
  );
  return path;
}

/** Wall seconds of one `priorlab sweep` (fresh folder). */
function sweepSeconds(dir: string, spec: string, args: string[]): number {
  const out = mkdtempSync(join(dir, 'sweep-'));
  const start = performance.now();
  const r = spawnSync(process.execPath, [CLI_ENTRY, 'sweep', spec, '--out', out, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0)
    throw new Error(`bench sweep: exited ${r.status}: ${r.stdout.slice(-500)}${r.stderr.slice(-1500)}`);
  return seconds;
}

async function startWorkers(url: string, n: number): Promise<Array<ChildProcess & { log(): string }>> {
  const workers = Array.from({ length: n }, () => {
    const w = spawn(process.execPath, [CLI_ENTRY, 'worker', '--queue', url], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CI: '1' },
    });
    let text = '';
    w.stdout!.setEncoding('utf8').on('data', (c: string) => (text += c));
    return Object.assign(w, { log: () => text });
  });
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((res, rej) => {
          w.stdout!.on('data', () => /^worker \(/m.test(w.log()) && res());
          w.once('exit', (code) => rej(new Error(`worker exited ${code}: ${w.log()}`)));
        }),
    ),
  );
  return workers;
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : (w.once('exit', r), w.kill('SIGTERM'))))),
  );
}

export async function bench(): Promise<void> {
  if (!hasRedisServer()) {
    console.log("sweep: skipped (redis-server not installed; .ci/run installs Debian's redis-server)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'priorlab-bench-sweep-'));
  const redis = await startRedisServer(await freePort());
  const url = `redis://127.0.0.1:${redis.spawnargs[redis.spawnargs.indexOf('--port') + 1]}`;
  try {
    const spec = specFile(dir, TRIALS, STEPS);
    const perMin = (s: number): string => `${((60 * TRIALS) / s).toFixed(0)}/min (${s.toFixed(1)} s)`;
    const local1 = sweepSeconds(dir, spec, ['--workers', '1']);
    const local2 = sweepSeconds(dir, spec, ['--workers', '2']);
    let workers = await startWorkers(url, 2);
    const redis2 = sweepSeconds(dir, spec, ['--queue', url]);
    await stopWorkers(workers);
    console.log(
      `sweep: ${TRIALS} trials × ${STEPS} tabular-q steps: local 1 worker ${perMin(local1)}, local 2 workers ${perMin(local2)}, Redis 2 workers ${perMin(redis2)}`,
    );

    workers = await startWorkers(url, 1);
    sweepSeconds(dir, specFile(dir, 32, 1), ['--queue', url]);
    await stopWorkers(workers);
    const queueMs = [...workers[0].log().matchAll(/queue (\d+(?:\.\d+)?) ms\)/g)]
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const median = queueMs[Math.floor(queueMs.length / 2)];
    console.log(
      `sweep: queue overhead per trial (1 worker, ${queueMs.length} one-step trials): median ${median.toFixed(1)} ms, ` +
        `p90 ${queueMs[Math.floor(0.9 * (queueMs.length - 1))].toFixed(1)} ms (target ≤ ${TARGET_MS} ms, ratio ${(median / TARGET_MS).toFixed(2)})`,
    );
    console.log(
      `sweep: load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min)`,
    );
  } finally {
    await stopRedisServer(redis);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
