/**
 * The page's side of the live-training worker (`worker.ts`): starts, runs, pauses and steps the
 * learners there (one or several, trained in turn) and keeps each one's latest read-outs (env steps,
 * updates, the learned π table, the metric lines) and the worker's live tensor count. `onSnapshot` is
 * called for each new read-out of the current run.
 */
import type { PriorName } from '../../priors/objective.js';
import type { AgentName, LogLine, Readout } from './session.js';

export interface RunSpec {
  /** A `GRID_ENVS` name, or a `CONTINUOUS_ENVS` id (continuous SAC; `agent` is then 'sac'). */
  env: string;
  agent: AgentName;
  prior: PriorName;
  alpha: number;
  seed: number;
}

/** One learner's read-outs in a snapshot. */
export interface RunSnapshot {
  steps: number;
  updates: number;
  chunk: number;
  /** The log lines since the previous snapshot. */
  log: LogLine[];
  /** The policy's read-out, or null: the same as in the previous snapshot. */
  readout: Readout | null;
  /** Whether the WebAssembly engine runs the updates (null: a learner without one). */
  usesEngine: boolean | null;
  /** The Objective's α. */
  alpha: number;
}

export type WorkerRequest =
  { type: 'start'; gen: number; runs: RunSpec[] } | { type: 'run' | 'pause' | 'step'; gen: number };

export type WorkerReply =
  | { type: 'started'; gen: number; backend: string }
  | { type: 'snapshot'; gen: number; runs: RunSnapshot[]; tensors: number; running: boolean }
  | { type: 'error'; gen: number; message: string };

/** One learner as the page sees it: its latest snapshot and every log line so far. */
export class RemoteRun {
  steps = 0;
  updates = 0;
  /** Env steps one press of "step" advances. */
  chunk = 0;
  log: LogLine[] = [];
  usesEngine: boolean | null = null;
  alpha = NaN;
  /** The latest read-out. */
  readout: Readout | null = null;
  /** Each rollout read-out so far: (env steps, mean return of its rollouts). */
  rolloutReturns: Array<[number, number]> = [];

  receive(r: RunSnapshot): void {
    this.steps = r.steps;
    this.updates = r.updates;
    this.chunk = r.chunk;
    this.usesEngine = r.usesEngine;
    this.alpha = r.alpha;
    if (r.readout) {
      this.readout = r.readout;
      if (r.readout.kind === 'rollouts')
        this.rolloutReturns.push([
          r.readout.step,
          r.readout.returns.reduce((a, b) => a + b, 0) / r.readout.returns.length,
        ]);
    }
    this.log.push(...r.log);
  }

  /** π(a|s) of the latest snapshot, nS·nA row-major (a gridworld learner). */
  policy(): Float64Array {
    if (this.readout?.kind !== 'table')
      throw new Error('RemoteRun.policy(): no policy table yet (await RemoteTrainer.start(); gridworld learners only)');
    return this.readout.policy;
  }
}

export class RemoteTrainer {
  /** The learners of the current run, in the order of `start`'s specs. */
  runs: RemoteRun[] = [];
  /** Whether the worker was training when it sent the latest snapshot. */
  running = false;
  tensors = 0;
  backend = '';
  /** Called with each snapshot of the current run. */
  onSnapshot: () => void = () => undefined;
  /** Called when the worker reports an error. */
  onError: (message: string) => void = () => undefined;
  private gen = 0;
  private readonly worker: Worker;
  /** Resolvers waiting for the next snapshot of the current run. */
  private waiting: Array<() => void> = [];

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => this.receive(e.data);
    this.worker.onerror = (e) => this.onError(e.message || 'the training worker failed to load');
  }

  private receive(msg: WorkerReply): void {
    if (msg.gen !== this.gen) return;
    if (msg.type === 'error') return this.onError(msg.message);
    if (msg.type === 'started') {
      this.backend = msg.backend;
      return;
    }
    msg.runs.forEach((r, i) => this.runs[i].receive(r));
    this.tensors = msg.tensors;
    this.running = msg.running;
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
    this.onSnapshot();
  }

  private next(): Promise<void> {
    return new Promise((done) => this.waiting.push(done));
  }

  /** Starts new learners (the previous ones are dropped in the worker); resolves with their first snapshot. */
  start(specs: RunSpec[]): Promise<void> {
    this.gen += 1;
    this.runs = specs.map(() => new RemoteRun());
    this.running = false;
    this.waiting = [];
    this.worker.postMessage({ type: 'start', gen: this.gen, runs: specs } satisfies WorkerRequest);
    return this.next();
  }

  run(): void {
    this.worker.postMessage({ type: 'run', gen: this.gen } satisfies WorkerRequest);
  }

  /** Resolves once the worker has stopped (with its snapshot at that point). */
  async pause(): Promise<void> {
    this.worker.postMessage({ type: 'pause', gen: this.gen } satisfies WorkerRequest);
    // A snapshot sent while still running may be on its way: wait for the one sent after stopping.
    do await this.next();
    while (this.running);
  }

  /** Trains exactly one chunk of each learner; resolves with the snapshot after it. */
  async step(): Promise<void> {
    this.worker.postMessage({ type: 'step', gen: this.gen } satisfies WorkerRequest);
    do await this.next();
    while (this.running);
  }

  dispose(): void {
    this.worker.terminate();
  }
}
