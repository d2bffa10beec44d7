/**
 * The distributed backend: BullMQ on Redis. The coordinator (`priorlab sweep spec.yaml --queue url`) puts
 * one job per trial on the queue `priorlab-trials`; workers (`priorlab worker --queue url`, on any machine,
 * no shared filesystem) run them in a scratch folder and ship the trial back through Redis; the coordinator
 * writes what comes back into the same sweep folder the local backend writes.
 *
 * Keys of a sweep (`<p>` = `priorlab:sweep:<sweep id>`, the id a hash of the sweep folder and its sweep.json):
 *   <p>:meta              hash { experiment, total, dir }: present while the sweep is registered
 *   <p>:t:<trial>:owner   the BullMQ lock token of the worker that claimed the trial last
 *   <p>:t:<trial>:rows    metrics.jsonl lines shipped so far (every one at a step <= the shipped checkpoint)
 *   <p>:t:<trial>:files   hash file name → `b64:<content>`, or `path:<file>` with `--checkpoints <folder>`:
 *                         config.json, checkpoint.json, status.json, outputs
 *   <p>:done              trials whose final rows and files are shipped
 *   <p>:progress          trial → `step/total` while it runs
 *   <p>:failed            trial → error text
 *
 * Exactly once: a worker ships rows and files only together with a checkpoint (and once at the end), in one
 * Lua script that first checks the worker still owns the trial and that the row count is what it last saw.
 * A worker that lost its trial (stalled and handed to another, or Redis restarted empty) is refused and
 * stops; the new owner resumes from the last shipped checkpoint, whose rows end exactly at its step, so the
 * resumed run logs every later row once. `kill -9` of a worker: BullMQ's stalled-job check (every
 * `--lock-ms`) moves the job back to the queue and another worker takes it.
 *
 * `priorlab worker --checkpoints <folder>` keeps the files' bytes out of Redis (large weights): content-addressed
 * under `<folder>/<sweep id>/<trial>/`, a folder every worker and the coordinator must see at the same path.
 * A worker deletes the versions it superseded; the coordinator deletes the trial's folder once collected.
 *
 * Redis down: both sides say so once and keep retrying. Redis back but empty (no persistence): the
 * coordinator notices its `meta` key is gone and enqueues again every trial it has not collected. Redis not
 * answering when a command starts: `sweep status` and `worker` give up after `--connect-timeout` ms
 * (default 5 s) with one line (exit 1) instead of waiting. A worker stops within 2 s of SIGINT/SIGTERM:
 * its running trials checkpoint, ship and go back to the queue, then it closes its connections without
 * waiting for BullMQ's blocking fetch (a second signal exits at once).
 */
import { LOCK_FILE } from '../run/lock.js';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Queue, WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { parseMetricsLines } from '../../core/metrics.js';
import { writeFileAtomic } from '../atomicfs.js';
import { FILES } from '../run/rundir.js';
import { removeStrayTemps, trialDir, trialStatus, type SweepFile } from './folder.js';
import { SweepProgress } from './progress.js';
import { parseQueueUrl, redact } from './queueurl.js';
import { RunFailure } from '../../core/errors.js';
import type { Trial } from './spec.js';
import { finishSweep } from './summary.js';
import { loadExperimentByName, runTrial } from './trial.js';

export const QUEUE_NAME = 'priorlab-trials';
const SWEEPS_KEY = 'priorlab:sweeps';

interface JobData {
  sweepId: string;
  experiment: string;
  trial: Trial;
}

const prefix = (sweepId: string): string => `priorlab:sweep:${sweepId}`;
const trialKeys = (sweepId: string, id: string) => {
  const t = `${prefix(sweepId)}:t:${id}`;
  return { owner: `${t}:owner`, rows: `${t}:rows`, files: `${t}:files` };
};
const sweepKeys = (sweepId: string) => {
  const p = prefix(sweepId);
  return { meta: `${p}:meta`, done: `${p}:done`, progress: `${p}:progress`, failed: `${p}:failed` };
};

/** Sets the claimer as owner unless the trial is already done. KEYS owner, done; ARGV token, trial. */
const CLAIM = `
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/**
 * Ships rows and files atomically, fenced by owner and row count.
 * KEYS owner, rows, files, done, progress; ARGV token, expectedRows, trial, final, nRows, rows..., name, content, ...
 */
const SHIP = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('LLEN', KEYS[2]) ~= tonumber(ARGV[2]) then return -2 end
local n = tonumber(ARGV[5])
for i = 6, 5 + n do redis.call('RPUSH', KEYS[2], ARGV[i]) end
for i = 6 + n, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
if ARGV[4] == '1' then
  redis.call('SADD', KEYS[4], ARGV[3])
  redis.call('HDEL', KEYS[5], ARGV[3])
end
return redis.call('LLEN', KEYS[2])`;

type Scripted = Redis & {
  claim(owner: string, done: string, token: string, id: string): Promise<number>;
  ship(owner: string, rows: string, files: string, done: string, progress: string, ...args: string[]): Promise<number>;
};

/** Reconnect delays (ms): quick at first, then every 2 s, forever. */
const RETRY = (n: number): number => Math.min(200 * n, 2000);

/** A client that retries forever and reports a lost connection once (and its return), naming the redacted URL. */
function connect(url: string, role: string, opts: Partial<RedisOptions> = {}): Scripted {
  const redis = new Redis({
    ...parseQueueUrl(url),
    maxRetriesPerRequest: null,
    retryStrategy: RETRY,
    ...opts,
  }) as Scripted;
  redis.defineCommand('claim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('ship', { numberOfKeys: 5, lua: SHIP });
  watchConnection(redis, url, role);
  return redis;
}

function watchConnection(
  emitter: { on(ev: string, fn: (...a: any[]) => void): unknown },
  url: string,
  role: string,
): void {
  let down = false;
  emitter.on('error', (err: Error & { code?: string }) => {
    if (down) return;
    down = true;
    console.error(`${role}: redis ${redact(url)} unreachable (${err.code ?? err.message}); retrying until it is back`);
  });
  emitter.on('ready', () => {
    if (!down) return;
    down = false;
    console.error(`${role}: redis ${redact(url)} is back`);
  });
}

/** How long `sweep status` and `worker` wait for Redis to answer when they start (ms; `--connect-timeout`). */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Resolves once Redis at `url` answers a PING; throws a one-line RunFailure after `timeoutMs` when it does not
 * (refused, unresolvable host, no answer), naming the redacted URL, the cause and the option that waits longer.
 */
export async function checkReachable(url: string, role: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  let cause = 'no answer';
  let socketCause: string | null = null; // the connection's own error (ECONNREFUSED, ENOTFOUND) says most
  const probe = new Redis({
    ...parseQueueUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (n) => (Date.now() - t0 < timeoutMs ? Math.min(100 * n, 500) : null),
  });
  probe.on('error', (err: Error & { code?: string }) => (socketCause = err.code ?? err.message.split('\n')[0]));
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = await Promise.race([
      (async () => {
        for (;;) {
          try {
            if (probe.status === 'wait') await probe.connect();
            if ((await probe.ping()) === 'PONG') return true;
          } catch (err) {
            cause = (err as Error & { code?: string }).code ?? (err as Error).message.split('\n')[0];
            if (Date.now() - t0 >= timeoutMs || probe.status === 'end') return false;
            await sleep(200);
          }
        }
      })(),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
    ]);
    if (!answered)
      throw new RunFailure(
        `${role}: redis ${redact(url)} did not answer within ${timeoutMs} ms (${socketCause ?? cause}); start it or fix the URL (--connect-timeout <ms> waits longer)`,
      );
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

/** The id of the sweep in `dir`: the same folder and sweep.json always map to the same keys. */
export function sweepIdOf(dir: string): string {
  return createHash('sha256')
    .update(dir)
    .update('\0')
    .update(readFileSync(join(dir, 'sweep.json')))
    .digest('hex')
    .slice(0, 16);
}

/** BullMQ's connection options for `url` (its own connections; ioredis' option type is wider than BullMQ's). */
const bullConnection = (url: string, maxRetriesPerRequest: number | null): ConnectionOptions =>
  ({ ...parseQueueUrl(url), maxRetriesPerRequest, retryStrategy: RETRY }) as ConnectionOptions;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A shipped file's value in the files hash: its bytes inline, or (with a store folder) a content-addressed file. */
function encodeFile(bytes: Buffer, store: string | null): string {
  if (store === null) return `b64:${bytes.toString('base64')}`;
  const path = join(store, createHash('sha256').update(bytes).digest('hex'));
  if (!existsSync(path)) writeFileAtomic(path, bytes);
  return `path:${path}`;
}

function decodeFile(name: string, value: string): Buffer {
  if (value.startsWith('b64:')) return Buffer.from(value.slice(4), 'base64');
  const path = value.slice('path:'.length);
  if (!existsSync(path))
    throw new Error(
      `${name} was shipped to ${path}, which this machine cannot see (is the workers' --checkpoints folder mounted at the same path here?)`,
    );
  return readFileSync(path);
}

const storedPath = (value: string | undefined): string | null =>
  value?.startsWith('path:') ? value.slice('path:'.length) : null;

// ───────────────────────────── worker ─────────────────────────────

/**
 * Where a worker runs its trials: the copy there is disposable (Redis holds the one that counts), so a
 * RAM-backed folder when there is one saves the run machinery's fsyncs (~7 ms each on a disk here).
 */
const SCRATCH_PARENT = ((): string => {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
})();

/** Removes the scratch folders of workers on this machine that died without cleaning up (kill -9, power loss). */
function removeDeadScratch(): void {
  for (const name of readdirSync(SCRATCH_PARENT)) {
    const pid = Number(/^priorlab-trial-(\d+)-/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0); // alive (or not ours to judge): keep
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(SCRATCH_PARENT, name), { recursive: true, force: true });
    }
  }
}

class LostTrial extends Error {
  override readonly name = 'LostTrial';
}

export interface WorkerOptions {
  concurrency: number;
  lockMs: number;
  /** How long to wait for Redis at start (ms). */
  connectTimeoutMs?: number;
  backend?: string;
  /** Folder for the trials' files instead of Redis (shared, same path everywhere), or undefined. */
  checkpoints?: string;
}

/** `priorlab worker`: takes trials until Ctrl-C / SIGTERM (running trials checkpoint and go back to the queue). */
export async function runWorker(url: string, opts: WorkerOptions): Promise<number> {
  const { initNodeBackend } = await import('../backend.js');
  await checkReachable(url, 'worker', opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  const backend = await initNodeBackend(opts.backend);
  removeDeadScratch();
  const redis = connect(url, 'worker');
  const running = new Set<AbortController>();
  /** The processors in flight: a stop waits for them (checkpoint shipped, job back on the queue). */
  const inFlight = new Set<Promise<unknown>>();
  const name = `${hostname()} pid ${process.pid}`;

  // The queue's cost per trial, for the log and `bench/sweep.ts`: time in the processor outside the run, plus
  // (one trial at a time) the hand-off since the previous trial ended (BullMQ completing it and fetching this one).
  let lastEnd: number | null = null;
  const processor = async (job: Job<JobData>, token?: string): Promise<string> => {
    const t0 = performance.now();
    const handoff = opts.concurrency === 1 && lastEnd !== null ? t0 - lastEnd : 0;
    const { sweepId, trial } = job.data;
    const k = { ...trialKeys(sweepId, trial.id), ...sweepKeys(sweepId) };
    if (!token) throw new Error('BullMQ gave the job no lock token');
    if ((await redis.claim(k.owner, k.done, token, trial.id)) === 0) return 'already done';
    const [files, rows] = await Promise.all([redis.hgetall(k.files), redis.lrange(k.rows, 0, -1)]);
    const store = opts.checkpoints === undefined ? null : join(resolve(opts.checkpoints), sweepId, trial.id);
    const scratch = mkdtempSync(join(SCRATCH_PARENT, `priorlab-trial-${process.pid}-`));
    const ac = new AbortController();
    running.add(ac);
    try {
      const shipped = new Map<string, string>();
      for (const [file, value] of Object.entries(files)) {
        writeFileSync(join(scratch, file), decodeFile(file, value));
        shipped.set(file, value);
      }
      if (rows.length) writeFileSync(join(scratch, FILES.metrics), rows.map((r) => `${r}\n`).join(''));
      let rowCount = rows.length;
      console.log(
        `trial ${trial.id} of sweep ${sweepId}: ${rows.length ? `resuming (${rows.length} rows shipped)` : 'starting'}`,
      );

      /** Ships the rows logged at steps <= `upTo` (all when null) and every changed file. */
      const ship = async (upTo: number | null, final: boolean): Promise<void> => {
        const lines = parseMetricsLines(
          readFileSync(join(scratch, FILES.metrics), { encoding: 'utf8', flag: 'a+' }),
        ).slice(rowCount);
        const cut = upTo === null ? lines.length : lines.findIndex((l) => l.row.step > upTo);
        const fresh = lines.slice(0, cut < 0 ? lines.length : cut).map((l) => l.text);
        const changed: string[] = [];
        for (const file of readdirSync(scratch)) {
          // The run-folder lock belongs to the worker's own process, not to the trial.
          if (file === FILES.metrics || file === LOCK_FILE || file.endsWith('.tmp')) continue;
          const value = encodeFile(readFileSync(join(scratch, file)), store);
          if (shipped.get(file) !== value) changed.push(file, value);
        }
        const res = await redis.ship(
          k.owner,
          k.rows,
          k.files,
          k.done,
          k.progress,
          token,
          String(rowCount),
          trial.id,
          final ? '1' : '0',
          String(fresh.length),
          ...fresh,
          ...changed,
        );
        if (res < 0)
          throw new LostTrial(
            `trial ${trial.id}: another worker owns it now (${res === -1 ? 'claimed again' : 'rows moved on'}); dropping this copy`,
          );
        rowCount = res;
        const superseded = new Set<string>();
        for (let i = 0; i < changed.length; i += 2) {
          const old = storedPath(shipped.get(changed[i]));
          if (old) superseded.add(old);
          shipped.set(changed[i], changed[i + 1]);
        }
        for (const value of shipped.values()) superseded.delete(storedPath(value) ?? '');
        for (const path of superseded) rmSync(path, { force: true });
      };

      let chain: Promise<void> = Promise.resolve();
      let lost: Error | null = null;
      const enqueue = (upTo: number | null, final: boolean): void => {
        chain = chain
          .then(() => ship(upTo, final))
          .catch((err: Error) => {
            lost ??= err;
            ac.abort(err);
          });
      };
      let lastProgress = 0;
      const experiment = await loadExperimentByName(job.data.experiment);
      const tRun = performance.now();
      const outcome = await runTrial({
        experiment,
        trial,
        dir: scratch,
        backend,
        signal: ac.signal,
        onCheckpoint: (step) => enqueue(step, false),
        reporter: {
          progress(step, total) {
            const now = performance.now();
            if (now - lastProgress < 300 && step < total) return;
            lastProgress = now;
            redis.hset(k.progress, trial.id, `${step}/${total}`).catch(() => {});
          },
          print() {},
          finish() {},
        },
      });
      const runMs = performance.now() - tRun;
      await chain;
      if (lost) throw lost;
      if (outcome === 'done') {
        enqueue(null, true);
        await chain;
        if (lost) throw lost;
        lastEnd = performance.now();
        const queueMs = lastEnd - t0 - runMs + handoff;
        console.log(
          `trial ${trial.id} of sweep ${sweepId}: done (run ${runMs.toFixed(1)} ms, queue ${queueMs.toFixed(1)} ms)`,
        );
        return 'done';
      }
      // Stopped by this worker's shutdown: the checkpoint is shipped; hand the job back to the queue.
      await redis.hdel(k.progress, trial.id);
      await job.moveToWait(token);
      throw new WaitingError();
    } catch (err) {
      if (!(err instanceof WaitingError) && !(err instanceof LostTrial)) {
        await redis.hset(k.failed, trial.id, `${name}: ${(err as Error).stack ?? err}`).catch(() => {});
      }
      if (err instanceof LostTrial) console.error(err.message);
      throw err;
    } finally {
      running.delete(ac);
      rmSync(scratch, { recursive: true, force: true });
    }
  };

  const tracked = (job: Job<JobData>, token?: string): Promise<string> => {
    const p = processor(job, token);
    const settled = p.catch(() => {});
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    return p;
  };
  const worker = new Worker<JobData>(QUEUE_NAME, tracked, {
    connection: bullConnection(url, null),
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
    maxStalledCount: 1000, // a trial handed over resumes from its checkpoint: no reason to give up on it
  });
  // BullMQ's own errors (e.g. a lock taken over): each distinct message once in a row.
  let lastError = '';
  worker.on('error', (err: Error & { code?: string }) => {
    if (err.code && /^E[A-Z]+$/.test(err.code)) return; // a socket error: `redis` above reports the connection
    if (err.message !== lastError) console.error(`worker: ${err.message}`);
    lastError = err.message;
  });

  let stopping: ((v: void) => void) | null = null;
  const stopped = new Promise<void>((r) => (stopping = r));
  const onSignal = (): void => {
    if (stopping === null) process.exit(130); // the second signal
    console.log('stopping: running trials checkpoint and go back to the queue (Ctrl-C again to exit now)');
    for (const ac of running) ac.abort(new Error('worker stopping'));
    stopping();
    stopping = null;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Printed only once the handlers are in: a Ctrl-C the moment this line shows is a clean stop.
  console.log(`worker (${name}, backend ${backend}) on ${redact(url)}, ${opts.concurrency} at a time; Ctrl-C to stop`);
  await stopped;
  const t0 = Date.now();
  // No new trial from here on; the running ones stop at their next step, ship their checkpoint and requeue.
  void worker.pause(true).catch(() => {});
  const left = (): number => Math.max(0, STOP_MS - (Date.now() - t0));
  const drained = await Promise.race([Promise.all([...inFlight]).then(() => true), sleep(left()).then(() => false)]);
  // BullMQ's own close waits for its blocking fetch (seconds) and, with Redis gone, for ever: close by force.
  await Promise.race([worker.close(true).catch(() => {}), sleep(Math.min(300, left()))]);
  redis.disconnect();
  if (!drained)
    console.error(
      `worker: stopped after ${STOP_MS} ms with trials still shipping; they go to another worker after --lock-ms (${opts.lockMs} ms)`,
    );
  // Connections BullMQ may still be retrying would keep the process alive.
  setTimeout(() => process.exit(130), 200).unref();
  return 130;
}

/** How long a stopping worker waits for its trials to checkpoint and requeue before it exits (ms). */
const STOP_MS = 1500;

// ───────────────────────────── coordinator ─────────────────────────────

/** Writes a trial shipped to Redis into its run folder (status.json last: it marks the trial done). */
function writeTrial(dir: string, rows: string[], files: Record<string, string>): void {
  removeStrayTemps(dir);
  const names = Object.keys(files).sort();
  for (const file of names) if (file !== FILES.status) writeFileAtomic(join(dir, file), decodeFile(file, files[file]));
  writeFileAtomic(join(dir, FILES.metrics), rows.map((r) => `${r}\n`).join(''));
  writeFileAtomic(join(dir, FILES.status), decodeFile(FILES.status, files[FILES.status]));
}

/** `priorlab sweep spec.yaml --queue url`: enqueues the trials not done, collects them as they finish. */
export async function coordinate(dir: string, sweep: SweepFile, url: string): Promise<number> {
  const sweepId = sweepIdOf(dir);
  const k = sweepKeys(sweepId);
  const redis = connect(url, 'sweep', { maxRetriesPerRequest: 1 });
  const queue = new Queue<JobData, unknown, string>(QUEUE_NAME, { connection: bullConnection(url, 1) });
  queue.on('error', () => {}); // reported once by `redis` above
  const progress = new SweepProgress(sweep.trials.map((t) => ({ id: t.id, done: trialStatus(dir, t.id) === 'done' })));
  const failed = new Map<string, string>();
  const trialIds = new Set(sweep.trials.map((t) => t.id));
  console.log(`queue ${redact(url)}, sweep id ${sweepId}; start workers with: priorlab worker --queue <url>`);

  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  /** Registers the sweep and (re-)enqueues every trial neither collected nor done on Redis. */
  const register = async (retryFailed: boolean): Promise<void> => {
    const done = new Set(await redis.smembers(k.done));
    if (retryFailed) {
      for (const id of await redis.hkeys(k.failed)) {
        await (await queue.getJob(`${sweepId}-${id}`))?.remove();
        await redis.hdel(k.failed, id);
      }
    }
    const todo = sweep.trials.filter((t) => progress.states.get(t.id) !== 'done' && !done.has(t.id));
    await queue.addBulk(
      todo.map((trial) => ({
        name: trial.id,
        data: { sweepId, experiment: sweep.experiment, trial },
        opts: { jobId: `${sweepId}-${trial.id}`, removeOnComplete: true, removeOnFail: false, attempts: 1 },
      })),
    );
    await redis
      .multi()
      .hset(k.meta, { experiment: sweep.experiment, total: sweep.trials.length, dir })
      .sadd(SWEEPS_KEY, sweepId)
      .exec();
  };

  const collect = async (id: string): Promise<void> => {
    const t = trialKeys(sweepId, id);
    if (progress.states.get(id) !== 'done') {
      const [rows, files] = await Promise.all([redis.lrange(t.rows, 0, -1), redis.hgetall(t.files)]);
      if (!files[FILES.status]) return; // already collected and cleared (by another coordinator of this folder)
      writeTrial(trialDir(dir, id), rows, files);
      for (const value of Object.values(files)) {
        const path = storedPath(value);
        if (path) rmSync(dirname(path), { recursive: true, force: true });
      }
      progress.set(id, 'done');
    }
    await redis.multi().del(t.owner, t.rows, t.files).srem(k.done, id).exec();
  };

  let down = false;
  let first = true;
  try {
    while (!stop) {
      try {
        if (first || !(await redis.exists(k.meta))) {
          if (!first)
            progress.println(
              `redis ${redact(url)} lost this sweep's state (restarted without persistence?): enqueuing the trials not collected again`,
            );
          await register(first);
          first = false;
        }
        const [done, running, failures] = await Promise.all([
          redis.smembers(k.done),
          redis.hgetall(k.progress),
          redis.hgetall(k.failed),
        ]);
        if (down) progress.println(`redis ${redact(url)} is back; continuing`);
        down = false;
        // Only this sweep's own trial ids: an id from Redis becomes a folder name (trials/<id>).
        for (const id of done.sort()) if (trialIds.has(id)) await collect(id);
        for (const [id, text] of Object.entries(failures)) {
          if (!failed.has(id)) progress.set(id, 'failed');
          failed.set(id, text);
        }
        for (const [id, frac] of Object.entries(running)) {
          const [step, total] = frac.split('/').map(Number);
          if (progress.states.get(id) !== 'done' && !failed.has(id))
            progress.set(id, 'running', total > 0 ? step / total : 0);
        }
        const open = sweep.trials.filter((t) => progress.states.get(t.id) !== 'done' && !failed.has(t.id));
        if (!open.length) break;
      } catch (err) {
        // Waiting is for a lost connection only; anything else (e.g. an unreadable shipped file) ends the sweep.
        const lostConnection =
          redis.status !== 'ready' ||
          (err as Error).name === 'MaxRetriesPerRequestError' ||
          /Connection is closed|ECONN|ETIMEDOUT|EPIPE/.test((err as Error).message);
        if (!lostConnection) throw err;
        // The connection watcher names the cause.
        if (!down)
          progress.println(
            `sweep: paused until redis ${redact(url)} answers${(err as Error).message.includes('max retries') ? '' : ` (${(err as Error).message})`}; it resumes by itself (Ctrl-C to stop; the same command continues later)`,
          );
        down = true;
      }
      await sleep(down ? 1000 : 250);
    }
    progress.finish();
    const complete = sweep.trials.every((t) => progress.states.get(t.id) === 'done');
    if (complete)
      await redis
        .multi()
        .del(k.meta, k.progress, k.failed, k.done)
        .srem(SWEEPS_KEY, sweepId)
        .exec()
        .catch(() => {});
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.race([queue.close().catch(() => {}), sleep(5000)]);
    await queue.disconnect().catch(() => {});
    redis.disconnect();
  }
  return finishSweep(
    dir,
    sweep,
    [...failed].map(([id, error]) => ({ id, error })),
    stop,
  );
}

/** `priorlab sweep status --queue url`: every registered sweep and the queue's job counts. */
export async function queueStatus(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<number> {
  await checkReachable(url, 'sweep status', timeoutMs);
  const redis = connect(url, 'status', { maxRetriesPerRequest: 1, retryStrategy: () => null });
  const queue = new Queue(QUEUE_NAME, {
    connection: { ...parseQueueUrl(url), maxRetriesPerRequest: 1, retryStrategy: () => null } as ConnectionOptions,
  });
  queue.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new RunFailure(`sweep status: redis ${redact(url)} stopped answering (waited ${timeoutMs} ms)`)),
        timeoutMs,
      )),
  );
  try {
    return await Promise.race([deadline, printStatus(url, redis, queue)]);
  } finally {
    clearTimeout(timer);
    await Promise.race([queue.close().catch(() => {}), sleep(500)]);
    redis.disconnect();
  }
}

async function printStatus(url: string, redis: Scripted, queue: Queue): Promise<number> {
  {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'failed');
    console.log(
      `queue ${redact(url)} (${QUEUE_NAME}): ${Object.entries(counts)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')}`,
    );
    const ids = (await redis.smembers(SWEEPS_KEY)).sort();
    if (!ids.length) console.log('no sweep registered');
    for (const id of ids) {
      const k = sweepKeys(id);
      const [meta, done, running, failedN] = await Promise.all([
        redis.hgetall(k.meta),
        redis.scard(k.done),
        redis.hlen(k.progress),
        redis.hlen(k.failed),
      ]);
      console.log(
        `sweep ${id} (${meta.experiment ?? '?'}, folder ${meta.dir ?? '?'}): ${meta.total ?? '?'} trials; ${done} shipped and not yet collected, ${running} running, ${failedN} failed`,
      );
    }
    return 0;
  }
}
