/**
 * What both SACs are built from, written once: an actor, twin critics as one ensemble and their Polyak
 * target (created in that order from the init stream, so the same seed draws the same weights), the optional
 * WebAssembly engine that runs the update with the tfjs networks as its mirror (`EngineMirror`), and on the
 * tfjs path the three Adam optimizers and log α. Each SAC adds its head and its update. Browser-safe.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { EngineMirror, type EngineCore } from '../../nn/engine/index.js';
import { Adam, Mlp, type MlpConfig } from '../../nn/index.js';

export interface SkeletonSpec {
  /** The actor's and each critic's network (the critics are an ensemble of 2; the target copies them). */
  actor: MlpConfig;
  critic: MlpConfig;
  /** The target critic's name (names key the networks' variables). */
  criticTargetName: string;
  learningRates: { actorLr: number; criticLr: number; alphaLr: number };
  clipNorm: number;
  /** The initial α (0 is log α = log(MIN_VALUE), whose exp is exactly 0 in float32). */
  alpha: number;
}

/** The tfjs path's optimizers and temperature. */
export interface TfjsTrainer {
  actorOpt: Adam;
  criticOpt: Adam;
  alphaOpt: Adam;
  logAlpha: tf.Variable;
}

export class SacSkeleton<E extends EngineCore> {
  /** The tfjs networks: the learner on the tfjs path, a copy of the engine's weights (refreshed on access) otherwise. */
  readonly nets: EngineMirror<Mlp>;
  /** null on the engine path, which holds its own optimizers and α. */
  private readonly tfjs: TfjsTrainer | null;

  constructor(
    spec: SkeletonSpec,
    initRng: Rng,
    /** The engine to run the update (given the fresh networks' sizes are set), or null for the tfjs path. */
    readonly engine: E | null,
  ) {
    const actor = new Mlp(spec.actor, initRng);
    const critic = new Mlp({ ...spec.critic, ensemble: 2 }, initRng);
    const criticTarget = new Mlp({ ...spec.critic, ensemble: 2, name: spec.criticTargetName }, initRng);
    criticTarget.setWeights(critic.getWeights());
    this.nets = new EngineMirror(engine, { actor, critic, criticTarget });
    if (engine) {
      this.tfjs = null;
      return;
    }
    const { actorLr, criticLr, alphaLr } = spec.learningRates;
    const logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(Math.max(spec.alpha, Number.MIN_VALUE)))));
    this.tfjs = {
      actorOpt: new Adam(actor.params, { lr: actorLr, clipNorm: spec.clipNorm }),
      criticOpt: new Adam(critic.params, { lr: criticLr, clipNorm: spec.clipNorm }),
      alphaOpt: new Adam([logAlpha], { lr: alphaLr }),
      logAlpha,
    };
  }

  /** The tfjs path's optimizers and log α (an error on the engine path, which holds its own). */
  get tfPath(): TfjsTrainer {
    if (!this.tfjs) throw new Error('SAC: the tfjs optimizers are not used on the engine path');
    return this.tfjs;
  }

  get actor(): Mlp {
    return this.nets.actor;
  }

  get critic(): Mlp {
    return this.nets.critic;
  }

  get criticTarget(): Mlp {
    return this.nets.criticTarget;
  }

  dispose(): void {
    this.nets.dispose();
    if (this.tfjs) {
      for (const m of [this.tfjs.actorOpt, this.tfjs.criticOpt, this.tfjs.alphaOpt]) m.dispose();
      this.tfjs.logAlpha.dispose();
    }
  }
}
