/**
 * KL-PPO's loop object (the shared `LoopObject`, as `SacLoop` is for both SACs): one `step()` is one PPO
 * iteration (a rollout of numEnvs·numSteps environment steps and its update) with its metrics line, the
 * evaluation when the step crosses a multiple of `evalEvery` (and at the end), and the optional warm start
 * (distillation onto the prior, the RLHF recipe's "start at the reference") as the first step of a fresh run.
 * Every iteration end is a boundary: `runLoop` may checkpoint there. Browser-safe.
 */
import type { LoopObject, MetricsLine } from '../loop.js';
import type { KlPpo } from './ppo.js';

export interface PpoLoopSettings {
  totalSteps: number;
  /** Evaluate every this many environment steps (and at the end; 0 = only at the end). */
  evalEvery: number;
  /** Iterations of distillation onto the prior before the first PPO iteration of a fresh run (0 = none). */
  distill: number;
  /** Mean return of a deterministic evaluation. */
  evaluate(): number;
}

/** The loop's own state in a checkpoint (the agent's is `KlPpoCheckpoint`). */
export interface PpoLoopState {
  distilled: boolean;
}

export class PpoLoop implements LoopObject {
  private lines: MetricsLine[] = [];
  private distilled = false;
  loggedLast = false;
  lastEval: number | undefined;

  constructor(
    readonly ppo: KlPpo,
    private readonly settings: PpoLoopSettings,
  ) {}

  get stepCount(): number {
    return this.ppo.globalStep;
  }

  get totalSteps(): number {
    return this.settings.totalSteps;
  }

  get done(): boolean {
    return this.ppo.globalStep >= this.settings.totalSteps;
  }

  get atBoundary(): boolean {
    return true;
  }

  get metrics(): readonly MetricsLine[] {
    return this.lines;
  }

  step(): boolean {
    this.lastEval = undefined;
    this.loggedLast = false;
    if (this.done) return false;
    const { ppo, settings } = this;
    if (!this.distilled && settings.distill > 0 && ppo.globalStep === 0) {
      // The warm start's rollouts count as environment steps.
      const m = ppo.distill(settings.distill);
      this.distilled = true;
      this.record({ step: ppo.globalStep, scalars: { 'charts/kl_prior': m['charts/kl_prior'] } });
      return !this.done;
    }
    this.distilled = true;
    const before = ppo.globalStep;
    const scalars: Record<string, number> = { ...ppo.iterate() };
    const step = ppo.globalStep;
    const crossed =
      settings.evalEvery > 0 && Math.floor(step / settings.evalEvery) > Math.floor(before / settings.evalEvery);
    if (crossed || this.done) {
      this.lastEval = settings.evaluate();
      scalars['charts/eval_return'] = this.lastEval;
    }
    this.record({ step, scalars });
    return !this.done;
  }

  save(): PpoLoopState {
    return { distilled: this.distilled };
  }

  restore(s: PpoLoopState): void {
    this.distilled = s.distilled;
    this.lines = [];
  }

  private record(line: MetricsLine): void {
    this.lines.push(line);
    this.loggedLast = true;
  }
}
