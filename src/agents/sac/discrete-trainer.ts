/**
 * Discrete SAC's training loop: the shared `SacLoop` with discrete SAC's parts (random warm-up, then π(·|s),
 * ε-greedy or εz-greedy collection; one-hot encoded observations), one environment step at a time (`step()`),
 * and its checkpoint at an episode boundary. The learner protocol (`src/agents/learner.ts`) drives it.
 * Browser-safe.
 */
import { type Rng } from '../../core/rng.js';
import type { Env, Observation } from '../../envs/env.js';
import { encodeObservations, obsDim, type Objective } from '../../priors/index.js';
import { checkFinite, checkTemperature, DivergedError } from '../diverged.js';
import { checkCheckpoint, LEARNER_CHECKPOINT_VERSION } from '../loop.js';
import { SacLoop, type SacLoopParts, type SacMetrics, type SacRunCheckpoint } from './loop.js';

import { DiscreteSacAgent, policyTable, type DiscreteSacCheckpoint } from './discrete.js';
import type { DiscreteSacConfig } from './discrete-config.js';

/** One metrics line: `step` plus namespaced scalars (`charts/…`, `losses/…`), as `RunContext.log` takes them. */
export type DiscreteSacMetrics = SacMetrics;

export interface DiscreteSacHooks {
  /** After every environment step (the visualizer animates from it). Return false to stop training. */
  onStep?(info: { step: number; obs: Observation; action: number; reward: number; done: boolean }): boolean | void;
  /** After every log step, with the finite metrics just recorded. Return false to stop training. */
  onLog?(metrics: DiscreteSacMetrics, agent: DiscreteSacAgent): boolean | void;
  /**
   * Greedy evaluation every `every` steps (0 = only at the end) and at the end: `run()` returns its mean
   * return, logged as `charts/eval_return` (on its own line between log steps).
   */
  evaluation?: { every: number; run(): number };
}

/**
 * A training run's full state at an episode boundary (the shared SAC envelope, `SacRunCheckpoint`): the
 * agent (networks, optimizers, α, RNG streams, including the `env` stream that seeds the next episode's
 * reset), the replay buffer and the loop's counters and metrics. `DiscreteSacTrainer.resume` continues from
 * it exactly: the same numbers as an uninterrupted run. Stored with `encodeF32Json` (src/core/f32json.ts).
 */
export type DiscreteSacTrainerCheckpoint = SacRunCheckpoint<DiscreteSacCheckpoint>;

export interface DiscreteSacResult {
  agent: DiscreteSacAgent;
  /** π(a|s) per state (nS·nA) for tabular envs, else null. */
  policyTable: Float64Array | null;
  metrics: readonly DiscreteSacMetrics[];
}

/**
 * Discrete SAC on the shared loop (`SacLoop`), one environment step at a time (`step()`), so a browser can
 * interleave it with drawing. Random actions for `learningStarts` steps, then actions sampled from π
 * (ε-greedy if `explorationEpsilon`); `gradientSteps` updates every `updateEvery` steps; metrics every
 * `logEvery` steps. Between episodes (`atEpisodeBoundary`) `saveCheckpoint()`, and `DiscreteSacTrainer.resume`
 * continues exactly.
 */
export class DiscreteSacTrainer {
  readonly agent: DiscreteSacAgent;
  /** The shared loop this trainer drives (`runLoop` takes it). */
  readonly loop: SacLoop<number>;
  /** εz-greedy: the exploratory action being repeated and how many more steps it lasts (0 at episode ends). */
  private repeatAction = 0;
  private repeatLeft = 0;
  private lastGood: DiscreteSacCheckpoint | null = null;

  constructor(
    readonly env: Env,
    objective: Objective,
    config: Partial<DiscreteSacConfig> = {},
    hooks: DiscreteSacHooks = {},
  ) {
    const agent = new DiscreteSacAgent(env, objective, config);
    this.agent = agent;
    const { cfg, streams } = agent;
    const space = agent.observationSpace;
    const parts: SacLoopParts<number> = {
      obsWidth: obsDim(space),
      actWidth: 1,
      encode: (obs) => encodeObservations(space, [obs]),
      collect: (obs, step) => this.collect(obs, step),
      learn: (batch) => agent.updateFrom(batch),
      scalars: (step, finished, _episodes, evalReturn) => {
        const scalars: Record<string, number> = { ...agent.readMetrics() };
        if (finished.length > 0) {
          scalars['charts/episodic_return'] = finished.reduce((s, e) => s + e.ret, 0) / finished.length;
          scalars['charts/episodic_length'] = finished.reduce((s, e) => s + e.len, 0) / finished.length;
        }
        checkFinite('discrete SAC', scalars, step, this.lastGood);
        checkTemperature(
          'discrete SAC',
          scalars['charts/alpha'],
          scalars['charts/kl_prior'],
          step,
          objective.targetKl,
          this.lastGood,
        );
        if (evalReturn !== undefined) scalars['charts/eval_return'] = evalReturn;
        return scalars;
      },
      evaluate: hooks.evaluation?.run,
      onStep: ({ step, obs, action, result: r }) =>
        hooks.onStep?.({ step, obs, action, reward: r.reward, done: r.terminated || r.truncated }),
      episodeEnded: () => {
        this.repeatLeft = 0;
      },
      logged: (m, regular) => {
        if (!regular) return;
        this.lastGood = agent.getState();
        return hooks.onLog?.(m, agent);
      },
    };
    const schedule = { ...cfg, evalEvery: hooks.evaluation?.every ?? 0 };
    this.loop = new SacLoop(schedule, env, parts, { reset: streams.get('env'), buffer: streams.get('buffer') });
  }

  /**
   * A trainer continuing `ckpt` (taken by `saveCheckpoint`) with the checkpoint's config: `env` must be a
   * fresh instance of the same env (its state is not needed, the next episode reseeds it).
   */
  static resume(
    env: Env,
    objective: Objective,
    ckpt: DiscreteSacTrainerCheckpoint,
    hooks: DiscreteSacHooks = {},
  ): DiscreteSacTrainer {
    checkCheckpoint(ckpt, 'sac-discrete');
    const trainer = new DiscreteSacTrainer(env, objective, ckpt.agent.config, hooks);
    trainer.agent.setState(ckpt.agent);
    trainer.loop.restore(ckpt);
    trainer.lastGood = ckpt.agent;
    return trainer;
  }

  /** True between episodes: the only moment `saveCheckpoint` may be called. */
  get atEpisodeBoundary(): boolean {
    return this.loop.atEpisodeBoundary;
  }

  /** The run's full state (see `DiscreteSacTrainerCheckpoint`); only at an episode boundary. */
  saveCheckpoint(): DiscreteSacTrainerCheckpoint {
    const saved = this.loop.save('DiscreteSacTrainer.saveCheckpoint');
    return { version: LEARNER_CHECKPOINT_VERSION, algo: 'sac-discrete', agent: this.agent.getState(), ...saved };
  }

  /** Every metrics line so far. */
  get metrics(): readonly DiscreteSacMetrics[] {
    return this.loop.metrics;
  }

  get done(): boolean {
    return this.loop.done;
  }

  get stepCount(): number {
    return this.loop.stepCount;
  }

  /** One environment step (plus its gradient steps and logging). Returns false once training is over. */
  step(): boolean {
    return this.loop.step();
  }

  result(): DiscreteSacResult {
    const space = this.agent.observationSpace;
    return {
      agent: this.agent,
      policyTable: space.kind === 'discrete' ? policyTable(this.agent, space.n) : null,
      metrics: this.metrics,
    };
  }

  /** The behaviour action: random in the warm-up, then π(·|s), ε-greedy (εz-greedy) if configured. */
  private collect(obs: Observation, step: number): number {
    const { cfg, streams } = this.agent;
    const explore = streams.get('explore');
    const n = this.agent.actionSpace.n;
    if (step < cfg.learningStarts) return explore.integer(n);
    if (this.repeatLeft > 0) {
      this.repeatLeft -= 1;
      return this.repeatAction;
    }
    if (cfg.explorationEpsilon > 0 && explore.uniform() < cfg.explorationEpsilon) {
      const action = explore.integer(n);
      if (cfg.explorationRepeatMu > 0) {
        this.repeatAction = action;
        this.repeatLeft = sampleZeta(explore, cfg.explorationRepeatMu, MAX_REPEAT) - 1;
      }
      return action;
    }
    const probs = this.agent.actionProbs(obs);
    const bad = probs.find((p) => !Number.isFinite(p));
    if (bad !== undefined) {
      this.loop.stop();
      throw new DivergedError('discrete SAC', 'policy π(·|s)', bad, step, this.lastGood);
    }
    return explore.categorical(probs);
  }
}

/** Longest εz-greedy repeat. */
const MAX_REPEAT = 100;

/** n ∈ {1, …, max} with P(n) ∝ n^−μ (a truncated zeta distribution), by inverting the CDF. */
function sampleZeta(rng: Rng, mu: number, max: number): number {
  let z = 0;
  for (let n = 1; n <= max; n++) z += n ** -mu;
  let u = rng.uniform() * z;
  for (let n = 1; n < max; n++) {
    u -= n ** -mu;
    if (u < 0) return n;
  }
  return max;
}
