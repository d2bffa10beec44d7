/**
 * Trained continuous agents in the viewer: a saved agent (`agent.json` + `agent.bin`, checked by
 * `agents/saved-agent.ts` exactly as `priorlab eval` checks a run folder) becomes a `ViewerAgent` that acts
 * through the learner protocol itself (`createLearner` + `setPolicyWeights` + `act`), so the viewer's actions
 * are the Node learner's. Also: a fan of rollouts from shared start states, and at one state the policy's
 * density π(a|s), the prior's p(a|s) and KL(π‖p), all through `src/priors` and the learner (no re-implementation).
 * No pixi or DOM here (WebCrypto and tfjs only), so Node tests run it.
 */
import * as tf from '@tensorflow/tfjs';
import { episodeSteps, type EpisodeResult } from '../../agents/episodes.js';
import { createLearner, policyReference, type Learner } from '../../agents/learner.js';
import { agentWeights, checkAgentFits, parseAgentManifest, type AgentManifest } from '../../agents/saved-agent.js';
import { UsageError } from '../../core/errors.js';
import { checkManifestFrame, manifestDigestError, manifestDigestText } from '../../core/manifestframe.js';
import { parseJsonInput } from '../../core/safekeys.js';
import { Rng, RngStreams } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import { yieldToEventLoop } from '../../core/yield.js';
import type { Env } from '../../envs/env.js';
import { make } from '../../envs/registry.js';
import {
  makeObjective,
  referencePrior,
  type BoxPrior,
  type Objective,
  type ReferenceSource,
} from '../../priors/index.js';
import { NAMED_REFERENCES, referenceNames } from '../../priors/named.js';

/** The envs the viewer shows trained agents of. */
export const AGENT_ENVS = ['Pendulum-v1', 'PointMass-v0', 'MountainCarContinuous-v0'] as const;
export type AgentEnv = (typeof AGENT_ENVS)[number];

/** sha256 of `bytes` as hex (WebCrypto: the browser's, and Node's `globalThis.crypto`). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A saved agent from its two files' contents; `where` names them in errors (a folder or the files' names). */
export async function readSavedAgent(
  manifestText: string,
  bin: Uint8Array,
  where: string,
): Promise<{ manifest: AgentManifest; weights: Record<string, Float32Array> }> {
  // The same checks as the CLI's: safe keys and the frame first, then the manifest's own digest.
  const file = `${where}/agent.json`;
  const value = parseJsonInput(manifestText, file);
  const digest = checkManifestFrame(value, file);
  const manifest = parseAgentManifest(manifestText, file);
  const text = new TextEncoder().encode(manifestDigestText(value as Record<string, unknown>));
  if ((await sha256Hex(text)) !== digest) throw manifestDigestError(file);
  return { manifest, weights: agentWeights(manifest, bin, await sha256Hex(bin), `${where}/agent.bin`) };
}

/** The reference source a saved agent's objective names: the viewer has the env's named references only (not run folders). */
function namedReference(manifest: AgentManifest, env: Env, where: string): () => ReferenceSource {
  return () => {
    const ref = manifest.objective.reference ?? '';
    const table = Object.hasOwn(NAMED_REFERENCES, env.id) ? NAMED_REFERENCES[env.id] : {};
    const named = Object.hasOwn(table, ref) ? table[ref] : undefined;
    if (!named)
      throw new UsageError(
        `${where}/agent.json: objective.reference '${ref}' is not a named reference of ${env.id}; the viewer builds: ${referenceNames(env.id).join(', ') || 'none'} (a run folder as reference needs the CLI)`,
      );
    return named.make(env);
  };
}

/** A trained continuous SAC policy with its objective (prior + α), ready to act and to show its density. Dispose it. */
export class ViewerAgent {
  readonly env: AgentEnv;
  readonly objective: Objective;
  readonly learner: Learner;
  readonly actionSpace: Box;
  /** π(·|s) as a frozen density (`policyReference`): what the learner samples from, for `logProb` on a grid. */
  private readonly policy: BoxPrior;

  constructor(
    readonly manifest: AgentManifest,
    weights: Record<string, Float32Array>,
    /** Where it came from, for messages: `shipped` or the chosen files' names. */
    readonly source: string,
  ) {
    if (!(AGENT_ENVS as readonly string[]).includes(manifest.env.id)) {
      throw new UsageError(
        `${source}/agent.json: an agent of ${manifest.env.id}; allowed here: ${AGENT_ENVS.join(', ')}`,
      );
    }
    if (manifest.algo !== 'sac')
      throw new UsageError(`${source}/agent.json: algo ${manifest.algo}; allowed here: sac (continuous SAC)`);
    this.env = manifest.env.id as AgentEnv;
    const makeEnv = () => make(manifest.env.id, manifest.env.options);
    const env = makeEnv();
    try {
      checkAgentFits(manifest, env, 'agent', source);
      this.actionSpace = env.actionSpace as Box;
      this.objective = makeObjective(manifest.objective, env, { reference: namedReference(manifest, env, source) });
      this.learner = createLearner('sac', {
        makeEnv,
        objective: this.objective,
        config: manifest.config,
        streams: new RngStreams(0),
      });
      this.learner.setPolicyWeights(weights);
      this.policy = referencePrior(
        env,
        policyReference('sac', manifest.networks, weights, manifest.config, env),
      ) as BoxPrior;
    } finally {
      env.close();
    }
  }

  /** The prior's name in the objective (`uniform`, `reference`, `none`). */
  get prior(): string {
    return this.objective.spec.prior;
  }

  dispose(): void {
    this.learner.dispose();
    this.policy.dispose();
    this.objective.dispose();
  }

  /**
   * log π(a|s) and log p(a|s) of this agent's objective at one state, for each action of `actions` (`[n, d]`
   * row-major, inside the bounds); and KL(π‖p) at that state, estimated as the learners estimate it
   * (`Learner.stats`: E_{a~π}[log π(a|s) − log p(a|s)], here with `samples` draws).
   */
  densityAt(
    obs: Float32Array,
    actions: Float32Array,
    samples: number,
    rng: Rng,
  ): { logPi: Float32Array; logPrior: Float32Array; kl: number } {
    const d = this.actionSpace.dim;
    const n = actions.length / d;
    const [logPi, logPrior] = tf.tidy(() => {
      const o = tf.tile(tf.tensor2d(obs, [1, obs.length]), [n, 1]) as tf.Tensor2D;
      const a = tf.tensor2d(actions, [n, d]);
      return [
        this.policy.logProb(o, a).dataSync() as Float32Array,
        (this.objective.prior as BoxPrior).logProb(o, a).dataSync() as Float32Array,
      ];
    });
    const kl = this.learner.stats(
      Array.from({ length: samples }, () => obs),
      rng,
    ).kl;
    return { logPi, logPrior, kl };
  }
}

/** Midpoints of `n` equal cells across each action dimension: `[n^d, d]` row-major (no point on a bound, where tanh's density is singular). */
export function actionGrid(space: Box, n: number): Float32Array {
  const d = space.dim;
  const axis = (i: number) =>
    Array.from({ length: n }, (_, k) => space.low[i] + ((k + 0.5) / n) * (space.high[i] - space.low[i]));
  if (d === 1) return Float32Array.from(axis(0));
  if (d !== 2) throw new RangeError(`actionGrid: ${space.toString()} has ${d} dimensions; drawn: 1 or 2`);
  const [xs, ys] = [axis(0), axis(1)];
  const out = new Float32Array(n * n * 2);
  // Row-major with y outermost: row j holds the actions (x_k, y_j).
  for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out.set([xs[k], ys[j]], 2 * (j * n + k));
  return out;
}

export interface Rollout {
  /** Observations, the start included: `length + 1` of them. */
  obs: Float32Array[];
  /** The action applied at each step. */
  actions: Float32Array[];
  return: number;
  /** Whether the episode ended in the env's goal (MountainCar: the flag; PointMass: the far goal); null for Pendulum (no goal). */
  success: boolean | null;
  /** PointMass: the goal reached (`info.goal`), else null. */
  goal: string | null;
}

/** The start-state seeds of a fan: the same for every prior, from one seed. */
export function startSeeds(seed: number, n: number): number[] {
  const rng = new Rng(`${seed}/starts`);
  return Array.from({ length: n }, () => rng.uint32());
}

/**
 * `n` episodes of `agent` in lockstep from the starts of `startSeeds(seed, n)`: sampled actions (from the stream
 * `<seed>/actions`, the same stream for every prior) or the deterministic mean. Yields to the page every few steps;
 * once `signal` aborts (a newer request superseded this one) it stops there and returns the episodes unfinished.
 */
export async function rollouts(
  agent: ViewerAgent,
  n: number,
  seed: number,
  deterministic: boolean,
  signal?: AbortSignal,
): Promise<Rollout[]> {
  const makeEnv = () => make(agent.manifest.env.id, agent.manifest.env.options);
  const act = deterministic
    ? ({ deterministic: true } as const)
    : { deterministic: false as const, rng: new Rng(`${seed}/actions`) };
  const steps = episodeSteps(agent.learner, makeEnv, n, startSeeds(seed, n), { act, record: true });
  let eps: readonly EpisodeResult[] = [];
  for (let t = 0; ; t++) {
    const r = steps.next();
    eps = r.value;
    if (r.done) break;
    if (t % 50 === 49) {
      await yieldToEventLoop();
      if (signal?.aborted) break;
    }
  }
  return eps.map((e) => {
    const goal = e.terminated && typeof e.info.goal === 'string' ? e.info.goal : null;
    return {
      obs: e.trajectory!.obs.map((o) => Float32Array.from(o)),
      actions: e.trajectory!.actions.map((a) => Float32Array.from(a)),
      return: e.return,
      success:
        agent.env === 'Pendulum-v1' ? null : e.terminated && (agent.env === 'PointMass-v0' ? goal === 'far' : true),
      goal,
    };
  });
}
