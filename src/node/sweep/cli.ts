/**
 * The sweep commands:
 *
 *   priorlab sweep <spec.yaml> [--out sweeps/<spec>] [--workers N]      local worker processes (default: every core)
 *   priorlab sweep <spec.yaml> --queue redis://[user:pass@]host:6379     enqueue on Redis; this process collects
 *   priorlab sweep <sweep folder> [...]                                  resume a sweep from its sweep.json
 *   priorlab sweep status <sweep folder | --queue url>                   progress of one sweep, or of the queue
 *   priorlab worker --queue redis://host:6379 [--concurrency N]          take trials from the queue (any machine)
 *
 * The queue URL may also come from `--queue-file <file>` (its first line) or `$PRIORLAB_QUEUE`, which keeps a
 * password off the command line (`ps` shows command lines to every user). It is checked before any file is
 * written; `sweep status` and `worker` give up after `--connect-timeout` ms when Redis does not answer.
 *
 * Running the same command again resumes: finished trials are kept, interrupted ones continue from their
 * last checkpoint. The summary and plots are written when every trial is done.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { booleanKeys, helpLines, splitArgs, validateFlags } from '../run/options.js';
import { UsageError } from '../../core/errors.js';
import { queueUrlOf } from './queueurl.js';
import { initSweepFolder, readSweep, SWEEP_FILE, trialStatus, type SweepFile } from './folder.js';
import { runLocal } from './local.js';
import { SweepProgress } from './progress.js';
import { expandTrials, parseSpec } from './spec.js';
import { finishSweep } from './summary.js';
import { loadExperimentByName } from './trial.js';

const SWEEP_OPTIONS = z.object({
  out: z.string().min(1).optional().describe('the sweep folder (default: sweeps/<spec file name>)'),
  workers: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`local worker processes (default: the number of cores, here ${availableParallelism()})`),
  queue: z
    .string()
    .optional()
    .describe(
      'redis://[user:pass@]host:port[/db] (rediss:// for TLS): enqueue the trials for `priorlab worker`s (or $PRIORLAB_QUEUE)',
    ),
  queueFile: z
    .string()
    .min(1)
    .optional()
    .describe('read the queue URL from the first line of this file (keeps a password out of ps)'),
  backend: z.enum(['tensorflow', 'wasm', 'cpu']).optional().describe('tfjs backend of the local workers'),
  help: z.boolean().default(false).describe('show this help'),
});

/** How a worker and `sweep status` reach the queue besides its URL: a file holding it, and how long to wait. */
const QUEUE_CONNECTION = {
  queueFile: z
    .string()
    .min(1)
    .optional()
    .describe('read the queue URL from the first line of this file (keeps a password out of ps)'),
  connectTimeout: z
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(5000)
    .describe('ms to wait for Redis to answer before giving up (exit 1)'),
};

const WORKER_OPTIONS = z.object({
  queue: z.string().optional().describe('redis://[user:pass@]host:port[/db] (rediss:// for TLS; or $PRIORLAB_QUEUE)'),
  ...QUEUE_CONNECTION,
  concurrency: z.number().int().positive().default(1).describe('trials this worker runs at once'),
  lockMs: z
    .number()
    .int()
    .min(1000)
    .default(30_000)
    .describe('how long a trial stays claimed without a heartbeat before another worker takes it over'),
  checkpoints: z
    .string()
    .min(1)
    .optional()
    .describe(
      "keep the trials' files (checkpoints, weights) in this folder, not in Redis; mounted at the same path on every worker and the coordinator",
    ),
  backend: z.enum(['tensorflow', 'wasm', 'cpu']).optional().describe('tfjs backend'),
  help: z.boolean().default(false).describe('show this help'),
});

const STATUS_OPTIONS = z.object({
  queue: z.string().optional().describe('redis://host:port: every sweep on this queue (or $PRIORLAB_QUEUE)'),
  ...QUEUE_CONNECTION,
  help: z.boolean().default(false).describe('show this help'),
});

/** The sweep.json of `arg`: a spec file (expanded and validated) or an existing sweep folder. */
async function loadSweep(arg: string, out: string | undefined): Promise<{ dir: string; sweep: SweepFile }> {
  const path = resolve(arg);
  if (!existsSync(path))
    throw new UsageError(`sweep: '${arg}' does not exist; allowed: a spec .yaml file or a sweep folder`);
  if (statSync(path).isDirectory()) {
    if (out !== undefined && resolve(out) !== path)
      throw new UsageError(`sweep: '${arg}' is a sweep folder; drop --out (it resumes in place)`);
    return { dir: path, sweep: readSweep(path) };
  }
  const spec = parseSpec(readFileSync(path, 'utf8'), arg);
  const exp = await loadExperimentByName(spec.experiment).catch((err: Error) => {
    throw new UsageError(`${arg}: experiment: ${err.message}`);
  });
  const { cells, trials } = expandTrials(spec, exp);
  const dir = resolve(out ?? join('sweeps', basename(path, extname(path))));
  const sweep: SweepFile = { experiment: exp.name, spec, cells, trials };
  initSweepFolder(dir, sweep);
  return { dir, sweep };
}

/** `priorlab sweep <spec.yaml | folder>`: the CLI command; returns the exit code. */
export async function sweepMain(argv: string[]): Promise<number> {
  if (argv[0] === 'status') return statusMain(argv.slice(1));
  const raw = splitArgs(argv, booleanKeys([SWEEP_OPTIONS]));
  const [opts] = validateFlags(raw.flags, [SWEEP_OPTIONS] as const);
  if (opts.help) {
    console.log(
      `priorlab sweep <spec.yaml | sweep folder> [options]\npriorlab sweep status <sweep folder | --queue url>\n\noptions:\n${helpLines(SWEEP_OPTIONS).join('\n')}`,
    );
    return 0;
  }
  if (raw.positional.length !== 1)
    throw new UsageError('sweep: give one spec file (spec.yaml) or one sweep folder to resume');
  // The queue URL is checked before the sweep folder is made.
  const queue = queueUrlOf(opts);
  const { dir, sweep } = await loadSweep(raw.positional[0], opts.out);
  const pending = sweep.trials.filter((t) => trialStatus(dir, t.id) !== 'done');
  console.log(`sweep folder: ${dir}`);
  console.log(
    `${sweep.trials.length} trials of ${sweep.experiment} (${sweep.cells.length} cells); ${sweep.trials.length - pending.length} already done`,
  );

  if (queue !== undefined) {
    const { coordinate } = await import('./redis.js');
    return coordinate(dir, sweep, queue);
  }
  const progress = new SweepProgress(sweep.trials.map((t) => ({ id: t.id, done: !pending.includes(t) })));
  const workers = opts.workers ?? availableParallelism();
  const result = await runLocal(dir, sweep, pending, workers, progress, opts.backend);
  progress.finish();
  return finishSweep(dir, sweep, result.failed, result.stopped);
}

async function statusMain(argv: string[]): Promise<number> {
  const raw = splitArgs(argv, booleanKeys([STATUS_OPTIONS]));
  const [opts] = validateFlags(raw.flags, [STATUS_OPTIONS] as const);
  const queue = raw.positional.length === 0 ? queueUrlOf(opts) : undefined;
  if (opts.help || (raw.positional.length === 0 && queue === undefined)) {
    console.log(
      `priorlab sweep status <sweep folder | --queue url>\n\noptions:\n${helpLines(STATUS_OPTIONS).join('\n')}`,
    );
    return opts.help ? 0 : 2;
  }
  if (queue !== undefined) {
    const { queueStatus } = await import('./redis.js');
    return queueStatus(queue, opts.connectTimeout);
  }
  for (const arg of raw.positional) {
    const dir = resolve(arg);
    if (!existsSync(join(dir, SWEEP_FILE)))
      throw new UsageError(`sweep status: '${arg}' is not a sweep folder (no ${SWEEP_FILE})`);
    const sweep = readSweep(dir);
    const counts = new Map<string, string[]>();
    for (const t of sweep.trials) {
      const s = trialStatus(dir, t.id);
      if (!counts.has(s)) counts.set(s, []);
      counts.get(s)!.push(t.id);
    }
    console.log(`${dir}: ${sweep.trials.length} trials of ${sweep.experiment}`);
    for (const [s, ids] of counts)
      console.log(
        `  ${s.padEnd(8)} ${String(ids.length).padStart(4)}${s === 'done' ? '' : `  ${ids.slice(0, 12).join(' ')}${ids.length > 12 ? ' ...' : ''}`}`,
      );
  }
  return 0;
}

export async function workerMain(argv: string[]): Promise<number> {
  const raw = splitArgs(argv, booleanKeys([WORKER_OPTIONS]));
  if (raw.flags.get('help') === true) {
    console.log(
      `priorlab worker --queue redis://host:port [options]\n\noptions:\n${helpLines(WORKER_OPTIONS).join('\n')}`,
    );
    return 0;
  }
  if (raw.positional.length)
    throw new UsageError(`worker: unexpected argument '${raw.positional[0]}' (options start with --)`);
  const [opts] = validateFlags(raw.flags, [WORKER_OPTIONS] as const);
  const queue = queueUrlOf(opts);
  if (queue === undefined)
    throw new UsageError(
      'worker: no queue; allowed: --queue redis://[user:pass@]host:port[/db], --queue-file <file> or $PRIORLAB_QUEUE',
    );
  const { runWorker } = await import('./redis.js');
  return runWorker(queue, {
    connectTimeoutMs: opts.connectTimeout,
    concurrency: opts.concurrency,
    lockMs: opts.lockMs,
    backend: opts.backend,
    checkpoints: opts.checkpoints,
  });
}
