import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadSacEngine } from '../src/nn/engine/index.js';
import { RngStreams, type RngState } from '../src/core/rng.js';
import { standardNormal } from '../src/core/distributions.js';
import { make } from '../src/envs/registry.js';
import type { Env } from '../src/envs/env.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import { controllerReference, makeObjective } from '../src/priors/index.js';
import { ReplayBuffer } from '../src/agents/replay.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { trackTensors } from './own-tensors.js';
import {
  policyFromOutput,
  SAC_DEFAULTS,
  SAC_OBJECTIVE,
  SacContinuous,
  squashedSample,
  type SacCheckpoint,
  type SacConfig,
} from '../src/agents/sac/continuous.js';
import { trainSac } from './train-sac.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  await loadSacEngine(); // SAC's default impl, the WebAssembly engine
});

const makeEnv = () => make('Pendulum-v1');
const uniform = () => makeObjective(SAC_OBJECTIVE, makeEnv());

describe('SAC (continuous) on Pendulum-v1', () => {
  it('learns: deterministic return far above a random policy (≈ −1200) within 4000 steps', async () => {
    const cfg: SacConfig = {
      ...SAC_DEFAULTS,
      totalSteps: 4000,
      learningStarts: 500,
      batchSize: 64,
      evalEvery: 0,
      evalEpisodes: 5,
      checkpointEvery: 0,
    };
    const random = await trainSac(
      { ...cfg, totalSteps: 200, learningStarts: 200 },
      makeEnv,
      uniform(),
      new RngStreams(3),
    );
    const run = await trainSac(cfg, makeEnv, uniform(), new RngStreams(3));
    // Random-init policy (no update yet) as the baseline measured the same way.
    expect(random.finalEvalReturn).toBeLessThan(-900);
    expect(run.finalEvalReturn).toBeGreaterThan(-600);
    random.agent.dispose();
    run.agent.dispose();
  });

  it("an agent's own tensors stay flat across 1000 updates and are all freed by dispose (engine and autodiff)", () => {
    const env = makeEnv();
    const objective = uniform();
    for (const impl of ['engine', 'autodiff'] as const) {
      const rng = new RngStreams(4).get('agent');
      const own = trackTensors(); // this agent's tensors only (issue #16), over its whole lifetime
      const agent = new SacContinuous(
        { ...SAC_DEFAULTS, impl, hidden: [4], batchSize: 4, policyFrequency: 2 },
        env,
        objective,
        rng,
      );
      const buffer = new ReplayBuffer(64, 3, 1);
      for (let i = 0; i < 64; i++)
        buffer.add(
          [rng.normal(), rng.normal(), rng.normal()],
          [rng.uniformRange(-2, 2)],
          -rng.uniform(),
          [rng.normal(), rng.normal(), rng.normal()],
          i % 7 === 0,
        );
      const alive: number[] = [];
      for (let i = 1; i <= 1000; i++) {
        agent.update(buffer.sample(4, rng), rng);
        if (i % 250 === 0) alive.push(own.alive());
      }
      expect(new Set(alive).size, `${impl}: alive every 250 updates ${alive.join(' ')}`).toBe(1);
      expect(alive[0], impl).toBeGreaterThan(0); // the networks (and on autodiff its optimizers) are tensors
      expect(Object.values(agent.readMetrics()).every(Number.isFinite)).toBe(true);
      agent.dispose();
      expect(own.alive(), impl).toBe(0);
      own.stop();
    }
    objective.dispose();
  });

  it('save/load: weights and deterministic actions match, and a resumed run continues with identical numbers', async () => {
    const cfg: SacConfig = {
      ...SAC_DEFAULTS,
      hidden: [16, 16],
      batchSize: 16,
      totalSteps: 800,
      learningStarts: 200,
      logEvery: 100,
      evalEvery: 400,
      evalEpisodes: 2,
      checkpointEvery: 400,
    };
    const objective = uniform();
    const own = trackTensors(); // the tensors of these agents only (issue #16)
    const logsA: [number, Record<string, number>][] = [];
    let saved: { step: number; state: string; rng: Record<string, RngState> } | undefined;
    const streamsA = new RngStreams(5);
    const a = await trainSac(cfg, makeEnv, objective, streamsA, {
      log: (step, s) => logsA.push([step, s]),
      checkpoint: (step, state) => {
        saved ??= { step, state: encodeF32Json(state), rng: streamsA.getState() };
      },
    });
    expect(saved?.step).toBe(400);
    const state = decodeF32Json<SacCheckpoint>(saved!.state);
    expect(state.loop.step).toBe(400);
    // Resume from the checkpoint (streams restored as the CLI does).
    const streamsB = new RngStreams(5);
    streamsB.setState(saved!.rng);
    const logsB: [number, Record<string, number>][] = [];
    const b = await trainSac(cfg, makeEnv, objective, streamsB, { log: (step, s) => logsB.push([step, s]) }, state);
    expect(logsB.map(([s]) => s)).toEqual([500, 600, 700, 800]);
    expect(logsB).toEqual(logsA.filter(([s]) => s > 400));
    expect(logsB[3][1]['charts/eval_return']).toBe(a.finalEvalReturn);
    expect(Array.from(b.agent.actor.getWeights())).toEqual(Array.from(a.agent.actor.getWeights()));
    expect(Array.from(b.agent.critic.getWeights())).toEqual(Array.from(a.agent.critic.getWeights()));

    // A fresh agent loaded from a's state acts identically (deterministic actions).
    const c = new SacContinuous(cfg, makeEnv(), objective, new RngStreams(99).get('agent'));
    c.setState(a.agent.getState());
    const obs = Float32Array.from([1, 0, 0.5, -0.3, 0.95, -2, 0, 1, 7]);
    expect(Array.from(c.act(obs, { deterministic: true }))).toEqual(
      Array.from(a.agent.act(obs, { deterministic: true })),
    );
    const fresh = new SacContinuous(cfg, makeEnv(), objective, new RngStreams(99).get('agent'));
    expect(Array.from(c.act(obs, { deterministic: true }))).not.toEqual(
      Array.from(fresh.act(obs, { deterministic: true })),
    );
    for (const x of [a.agent, b.agent, c, fresh]) x.dispose();
    // Training, evaluation, checkpoints and restores leave no tensor behind once the agents are disposed.
    expect(own.alive()).toBe(0);
    own.stop();
    objective.dispose();
    // An older checkpoint (before the shared format: no version) or another algorithm's is refused, naming both versions.
    const { version: _v, ...unversioned } = state;
    await expect(
      trainSac(cfg, makeEnv, objective, new RngStreams(5), {}, unversioned as unknown as SacCheckpoint),
    ).rejects.toThrow(/checkpoint.version: got none \(a checkpoint written before the shared format\), allowed: 2/);
    await expect(
      trainSac(cfg, makeEnv, objective, new RngStreams(5), {}, { ...state, version: 3 } as unknown as SacCheckpoint),
    ).rejects.toThrow(/checkpoint.version: got 3, allowed: 2/);
    await expect(
      trainSac(cfg, makeEnv, objective, new RngStreams(5), {}, { ...state, algo: 'sac-discrete' }),
    ).rejects.toThrow(/checkpoint.algo: got "sac-discrete", allowed: 'sac'/);
  });

  it('a NaN in a loss stops the run with a clear error and no checkpoint after it', async () => {
    /** Pendulum whose rewards turn NaN after 700 steps. */
    const poisoned = (): Env => {
      const env = makeEnv();
      let n = 0;
      return new Proxy(env, {
        get(target, prop, recv) {
          if (prop === 'step') {
            return (a: ArrayLike<number>) => {
              const r = target.step(a);
              return ++n > 700 ? { ...r, reward: NaN } : r;
            };
          }
          return Reflect.get(target, prop, recv);
        },
      });
    };
    const cfg: SacConfig = {
      ...SAC_DEFAULTS,
      hidden: [8],
      batchSize: 8,
      bufferSize: 1000,
      totalSteps: 2000,
      learningStarts: 100,
      logEvery: 200,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 200,
    };
    const checkpoints: number[] = [];
    await expect(
      trainSac(cfg, poisoned, uniform(), new RngStreams(6), { checkpoint: (step) => checkpoints.push(step) }),
    ).rejects.toThrow(
      // The engine carries a NaN into the actor within the same update, so the next action can be the first NaN seen.
      /^SAC: (criticLoss|q|actorLoss|kl|entropy|alpha|action) = NaN at step 7\d\d; training stopped, the last good checkpoint is kept/,
    );
    expect(checkpoints).toEqual([200, 400, 600]);
  });

  it('KL-regularized SAC: with a reference prior and a large fixed α the policy is pulled onto the reference', async () => {
    const env = makeEnv();
    // Reference: N(1, 0.3²) torque for every state (not squashed; log-density in the env's action units).
    const reference = {
      gaussian: (obs: tf.Tensor2D) => ({
        mean: tf.fill([obs.shape[0], 1], 1) as tf.Tensor2D,
        logStd: tf.scalar(Math.log(0.3)),
      }),
    };
    const prior = makeObjective({ prior: 'reference', alpha: 5 }, env, { reference });
    const cfg: SacConfig = {
      ...SAC_DEFAULTS,
      hidden: [32, 32],
      batchSize: 32,
      totalSteps: 1000,
      learningStarts: 200,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 0,
    };
    let kl = NaN;
    const run = await trainSac(cfg, makeEnv, prior, new RngStreams(9), { log: (_s, m) => (kl = m['charts/kl_prior']) });
    const rng = new RngStreams(1).get('obs');
    const obs = new Float32Array(300);
    for (let i = 0; i < 100; i++) {
      const th = rng.uniformRange(-Math.PI, Math.PI);
      obs.set([Math.cos(th), Math.sin(th), rng.uniformRange(-8, 8)], 3 * i);
    }
    const meanAction = (a: Float32Array) => a.reduce((x, y) => x + y, 0) / a.length;
    const initial = new SacContinuous(cfg, env, prior, new RngStreams(9).get('init'));
    expect(Math.abs(meanAction(initial.act(obs, { deterministic: true })))).toBeLessThan(0.5);
    expect(Math.abs(meanAction(run.agent.act(obs, { deterministic: true })) - 1)).toBeLessThan(0.2);
    expect(kl).toBeLessThan(0.2);
    expect(() => makeObjective({ prior: 'reference', alpha: 'auto' }, env, { reference })).toThrow(
      /objective.targetKl: got undefined; allowed: a number ≥ 0 when alpha is 'auto'/,
    );
    initial.dispose();
    run.agent.dispose();
  });

  it('auto α with the swing-up reference prior holds KL(π‖π_ref) near targetKl: a tighter target, a larger α', async () => {
    const cfg: SacConfig = {
      ...SAC_DEFAULTS,
      hidden: [32, 32],
      batchSize: 32,
      totalSteps: 2000,
      learningStarts: 200,
      logEvery: 200,
      alphaLr: 3e-3,
      evalEvery: 0,
      evalEpisodes: 1,
      checkpointEvery: 0,
    };
    const trained = async (targetKl: number) => {
      const objective = makeObjective({ prior: 'reference', alpha: 'auto_1', targetKl }, makeEnv(), {
        reference: controllerReference(pendulumSwingUp({ noiseStd: 1 })),
      });
      const logs: Record<string, number>[] = [];
      const run = await trainSac(cfg, makeEnv, objective, new RngStreams(4), { log: (_s, m) => logs.push(m) });
      run.agent.dispose();
      objective.dispose();
      const last = logs.slice(-4); // steps 1400–2000
      return {
        kl: last.reduce((a, m) => a + m['charts/kl_prior'], 0) / last.length,
        alpha: last[last.length - 1]['charts/alpha'],
      };
    };
    // (A target of 0.3 is out of reach: KL stayed ≈ 0.85 while α grew without bound; π lives on [−2, 2], the reference does not.)
    const tight = await trained(1);
    const loose = await trained(2.5);
    expect(Math.abs(tight.kl - 1)).toBeLessThan(0.4);
    expect(tight.kl).toBeLessThan(loose.kl - 1);
    expect(tight.alpha).toBeGreaterThan(4 * loose.alpha);
  }, 60_000);

  it('rejects out-of-range config before training, naming the field and what is allowed', () => {
    const env = makeEnv();
    const rng = new RngStreams(7).get('agent');
    const mk =
      (over: Partial<SacConfig>, objective = uniform()) =>
      () =>
        new SacContinuous({ ...SAC_DEFAULTS, ...over }, env, objective, rng);
    expect(mk({ gamma: NaN })).toThrow(/SacConfig.gamma: got NaN, allowed: a number in \[0, 1\]/);
    expect(mk({ batchSize: 512, bufferSize: 256 })).toThrow(
      /SacConfig.batchSize: got 512, allowed: at most bufferSize \(256\)/,
    );
    expect(mk({}, makeObjective(SAC_OBJECTIVE, make('MountainCarContinuous-v0')))).toThrow(
      /objective.prior.actionSpace: Box\(\[-1\], \[1\].* does not match the env's actionSpace Box\(\[-2\], \[2\]/,
    );
    expect(mk({ tau: 0 })).toThrow(/SacConfig.tau: got 0, allowed: a number in \(0, 1\]/);
  });
});

describe('squashedSample (the fused actor head)', () => {
  it('values and gradients equal tfjs autodiff through TanhGaussian', () => {
    const bounds = make('Pendulum-v1').actionSpace as import('../src/core/spaces.js').Box;
    const head = squashedSample(bounds);
    const rng = new RngStreams(8).get('t');
    const out = standardNormal(rng, [6, 2]) as tf.Tensor2D;
    const eps = standardNormal(rng, [6, 1]) as tf.Tensor2D;
    const c = standardNormal(rng, [6, 2]);
    const viaHead = (o: tf.Tensor) => tf.sum(tf.mul(head(o as tf.Tensor2D, eps), c));
    const viaTape = (o: tf.Tensor) => {
      const s = policyFromOutput(o as tf.Tensor2D, bounds).rsampleWithLogProb(eps);
      return tf.sum(tf.mul(tf.concat([s.action, tf.reshape(s.logProb, [-1, 1])], 1), c));
    };
    const [vh, vt] = [viaHead(out).dataSync()[0], viaTape(out).dataSync()[0]];
    expect(Math.abs(vh - vt)).toBeLessThan(1e-5);
    const gh = tf.grad(viaHead)(out).dataSync();
    const gt = tf.grad(viaTape)(out).dataSync();
    expect(Math.max(...Array.from(gt).map(Math.abs))).toBeGreaterThan(1e-2);
    for (let i = 0; i < gh.length; i++) expect(gh[i]).toBeCloseTo(gt[i], 4);
  });
});
