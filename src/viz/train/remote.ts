/**
 * The page's side of the live-training worker (`worker.ts`): starts, runs, pauses and steps the
 * learner there and keeps its latest read-outs (env steps, updates, the learned π table, the metric
 * lines, the worker's live tensor count). `onSnapshot` is called for each new read-out of the current run.
 */
import type { PriorName } from '../../priors/objective.js';
import type { AgentName, LogLine } from './session.js';

export interface RunSpec {
  /** A `GRID_ENVS` name. */
  env: string;
  agent: AgentName;
  prior: PriorName;
  alpha: number;
  seed: number;
}

export type WorkerRequest = ({ type: 'start'; gen: number } & RunSpec) | { type: 'run' | 'pause' | 'step'; gen: number };

export type WorkerReply =
  | { type: 'started'; gen: number; backend: string; chunk: number }
  | { type: 'snapshot'; gen: number; steps: number; updates: number; chunk: number; log: LogLine[]; policy: Float64Array; tensors: number; running: boolean }
  | { type: 'error'; gen: number; message: string };

export class RemoteTrainer {
  steps = 0;
  updates = 0;
  /** Whether the worker was training when it sent the latest snapshot. */
  running = false;
  chunk = 0;
  tensors = 0;
  backend = '';
  log: LogLine[] = [];
  /** Called with each snapshot of the current run. */
  onSnapshot: () => void = () => undefined;
  /** Called when the worker reports an error. */
  onError: (message: string) => void = () => undefined;
  private table: Float64Array | null = null;
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
      this.chunk = msg.chunk;
      return;
    }
    this.steps = msg.steps;
    this.updates = msg.updates;
    this.chunk = msg.chunk;
    this.tensors = msg.tensors;
    this.running = msg.running;
    this.table = msg.policy;
    this.log.push(...msg.log);
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
    this.onSnapshot();
  }

  private next(): Promise<void> {
    return new Promise((done) => this.waiting.push(done));
  }

  /** Starts a new run (the previous one is dropped in the worker); resolves with its first snapshot. */
  start(spec: RunSpec): Promise<void> {
    this.gen += 1;
    this.steps = 0;
    this.updates = 0;
    this.running = false;
    this.log = [];
    this.table = null;
    this.waiting = [];
    this.worker.postMessage({ type: 'start', gen: this.gen, ...spec } satisfies WorkerRequest);
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

  /** Trains exactly one chunk; resolves with the snapshot after it. */
  async step(): Promise<void> {
    this.worker.postMessage({ type: 'step', gen: this.gen } satisfies WorkerRequest);
    do await this.next();
    while (this.running);
  }

  /** π(a|s) of the latest snapshot, nS·nA row-major. */
  policy(): Float64Array {
    if (!this.table) throw new Error('RemoteTrainer.policy(): no snapshot yet (await start())');
    return this.table;
  }

  dispose(): void {
    this.worker.terminate();
  }
}
