/**
 * The RSSM on velocity-hidden Pendulum: a linear read-out of the latent state recovers the hidden θ̇; the
 * ELBO goes up with every term logged and no tensor leak; determinism, exact resume from a checkpoint,
 * non-finite losses stopping training without touching the last good checkpoint, and bad input.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import type { Mlp } from '../src/nn/index.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { errorPerHorizon, repeatLast, stateFeatures } from '../src/worldmodel/evaluate.js';
import { applyReadout, fitLinearReadout, rSquared } from '../src/worldmodel/probe.js';
import { Rssm, type RssmConfig } from '../src/worldmodel/rssm.js';
import {
  collectEpisodes,
  randomPolicy,
  SequenceReplayBuffer,
  windowsToBatch,
  type Episode,
} from '../src/worldmodel/sequences.js';
import { checkTrainLoopOptions, NonFiniteLossError, trainRssm, type RssmCheckpoint } from '../src/worldmodel/train.js';
import { buildTrajectoryFile, type RssmTrajectoryFile } from '../src/worldmodel/trajectories.js';
import type { ShippedDreamer, ShippedWorldModel } from '../src/viz/worldmodel/shipped.js';

const DIMS = { obsDim: 2, actDim: 1 };
const SMALL: Partial<RssmConfig> = { deterDim: 16, stochDim: 4, hiddenDim: 16 };

function pendulumEpisodes(episodes: number, seed: number): Episode[] {
  const env = make('PendulumNoVel-v1');
  return collectEpisodes(env, randomPolicy(env), { episodes, maxSteps: 200, seed, rng: new Rng(`policy/${seed}`) });
}

function bufferOf(episodes: Episode[]): SequenceReplayBuffer {
  const buf = new SequenceReplayBuffer(1_000_000);
  episodes.forEach((e) => buf.add(e));
  return buf;
}

function readScalars(t: { elbo: tf.Scalar; recon: tf.Scalar; reward: tf.Scalar; kl: tf.Scalar }): number[] {
  const v = [t.elbo, t.recon, t.reward, t.kl].map((x) => x.dataSync()[0]);
  tf.dispose([t.elbo, t.recon, t.reward, t.kl]);
  return v;
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('RSSM on PendulumNoVel-v1 (θ̇ hidden)', () => {
  it('a linear read-out of [h_t, μ_q] recovers θ̇ with R² ≥ 0.9 on held-out sequences, and imagination beats repeat-last', () => {
    const train = bufferOf(pendulumEpisodes(20, 1));
    const heldOut = bufferOf(pendulumEpisodes(10, 2));
    const model = new Rssm(DIMS, { deterDim: 64, stochDim: 8, hiddenDim: 64 }, new Rng('r2/init'));
    const evalRng = new Rng('r2/eval');
    const probeTrain = train.sample(64, 32, evalRng);
    const probeTest = heldOut.sample(64, 32, evalRng);
    // Two observations are needed before θ̇ is determined: skip the first steps of each window.
    const r2 = () => {
      const a = stateFeatures(model, probeTrain, 2, 4);
      const h = stateFeatures(model, probeTest, 2, 4);
      return rSquared(h.y, applyReadout(fitLinearReadout(a.X, a.y, a.dim, 1e-4), h.X, h.dim));
    };
    const before = r2();
    const rng = new Rng('r2/train');
    for (let i = 0; i < 120; i++) readScalars(model.trainStep(train.sample(16, 16, rng), rng));
    const after = r2();
    console.log(
      `θ̇ linear read-out R² on held-out sequences: untrained ${before.toFixed(3)}, after 120 steps ${after.toFixed(3)}`,
    );
    expect(after).toBeGreaterThanOrEqual(0.9);
    expect(after).toBeGreaterThan(before + 0.2);
    // 15-step open-loop imagination after 5 context steps vs repeating the last observation.
    const windows = heldOut.sample(64, 20, evalRng);
    const rssmErr = errorPerHorizon(windows, model.imagine(windows, 5, 15), 5, 15);
    const naiveErr = errorPerHorizon(windows, repeatLast(windows, 5, 15), 5, 15);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `imagination MSE (mean over 15 horizons): RSSM ${mean(rssmErr).toFixed(4)} vs repeat-last ${mean(naiveErr).toFixed(4)}`,
    );
    expect(mean(rssmErr)).toBeLessThan(0.5 * mean(naiveErr));
    model.dispose();
  });

  // A test that times out aborts its training loop through vitest's signal, so nothing runs on into the next test.
  it('the ELBO goes up over a long run, every term is logged, and the tensor count stays flat', async ({ signal }) => {
    const buf = bufferOf(pendulumEpisodes(5, 3));
    const model = new Rssm(DIMS, SMALL, new Rng('long/init'));
    const logs: { step: number; scalars: Record<string, number> }[] = [];
    let countAt5 = -1;
    let countMax = 0;
    await trainRssm(model, {
      steps: 400,
      logEvery: 10,
      checkpointEvery: 0,
      sampleBatch: (rng) => buf.sample(8, 8, rng),
      batchRng: new Rng('long/batch'),
      noiseRng: new Rng('long/noise'),
      onLog: (step, scalars) => logs.push({ step, scalars }),
      afterStep: (step) => {
        if (step === 5) countAt5 = tf.memory().numTensors;
        if (step > 5) countMax = Math.max(countMax, tf.memory().numTensors);
      },
      signal,
    });
    expect(countMax).toBe(countAt5);
    expect(logs).toHaveLength(40);
    for (const { scalars } of logs) {
      expect(Object.keys(scalars).sort()).toEqual(['elbo/kl', 'elbo/recon', 'elbo/reward', 'elbo/total']);
      expect(scalars['elbo/total']).toBeCloseTo(scalars['elbo/recon'] + scalars['elbo/reward'] - scalars['elbo/kl'], 2);
    }
    const mean = (xs: typeof logs, k: string) => xs.reduce((s, l) => s + l.scalars[k], 0) / xs.length;
    const first = logs.slice(0, 5);
    const last = logs.slice(-5);
    console.log(
      `ELBO per sequence (T=8): first 50 steps ${mean(first, 'elbo/total').toFixed(1)} → last 50 ${mean(last, 'elbo/total').toFixed(1)} ` +
        `(recon ${mean(first, 'elbo/recon').toFixed(1)} → ${mean(last, 'elbo/recon').toFixed(1)}, reward ${mean(first, 'elbo/reward').toFixed(1)} → ` +
        `${mean(last, 'elbo/reward').toFixed(1)}, KL ${mean(first, 'elbo/kl').toFixed(2)} → ${mean(last, 'elbo/kl').toFixed(2)})`,
    );
    expect(mean(last, 'elbo/total')).toBeGreaterThan(mean(first, 'elbo/total') + 10);
    model.dispose();
  });

  it('imagination returns horizon·B·obsDim finite predictions and feeds the documented trajectory file', () => {
    const episodes = pendulumEpisodes(2, 4);
    const batch = windowsToBatch(
      episodes,
      [
        { episode: 0, start: 0 },
        { episode: 1, start: 30 },
      ],
      20,
    );
    const model = new Rssm(DIMS, SMALL, new Rng('imag/init'));
    const imagined = model.imagine(batch, 5, 15);
    expect(imagined).toHaveLength(15 * 2 * 2);
    expect(imagined.every(Number.isFinite)).toBe(true);
    const file = buildTrajectoryFile(
      { env: 'PendulumNoVel-v1', dt: 0.05, obsLabels: ['cos θ', 'sin θ'], context: 5, horizon: 15 },
      batch,
      model.observe(batch).recon,
      imagined,
    );
    expect(file.trajectories).toHaveLength(2);
    expect(file.trajectories[1].observed[0]).toEqual(Array.from(episodes[1].obs.subarray(60, 62)));
    expect(file.trajectories[1].actions[0]).toEqual([episodes[1].actions[29]]);
    expect(file.trajectories[0].imagined).toHaveLength(15);
    expect(file.trajectories[0].truth?.[0]).toHaveLength(3);
    expect(file.readout).toBeUndefined();
    // A read-out's values are time-major [T, B]: value t·10 + b lands at trajectory b, step t.
    const meta = { env: 'PendulumNoVel-v1', dt: 0.05, obsLabels: ['cos θ', 'sin θ'], context: 5, horizon: 15 };
    const about = { label: 'θ̇', truthIndex: 2, r2: 0.5, burnIn: 4 };
    const values = Float64Array.from({ length: 20 * 2 }, (_, r) => Math.floor(r / 2) * 10 + (r % 2));
    const read = buildTrajectoryFile(meta, batch, model.observe(batch).recon, imagined, { ...about, values });
    expect(read.readout).toEqual(about);
    expect(read.trajectories[1].readout?.slice(0, 4)).toEqual([1, 11, 21, 31]);
    expect(() =>
      buildTrajectoryFile(meta, batch, model.observe(batch).recon, imagined, { ...about, values: values.slice(1) }),
    ).toThrow(/readout has 39 values, expected 40/);
    expect(() => model.imagine(batch, 5, 16)).toThrow(/context \+ horizon ≤ T = 20/);
    model.dispose();
  });
});

describe('RSSM determinism, checkpoints and failures', () => {
  const buf = bufferOf(pendulumEpisodes(3, 5));

  it('same seed → same numbers; KL balancing leaves the value unchanged but changes the update', () => {
    const run = (cfg: Partial<RssmConfig>) => {
      const m = new Rssm(DIMS, { ...SMALL, ...cfg }, new Rng('det/init'));
      const rng = new Rng('det/train');
      const out = [0, 1, 2].map(() => readScalars(m.trainStep(buf.sample(4, 6, rng), rng)));
      m.dispose();
      return out;
    };
    const a = run({});
    expect(run({})).toEqual(a);
    const balanced = run({ klBalance: 0.8 });
    expect(balanced[0]).toEqual(a[0]); // same weights, same noise: identical terms before any update
    expect(balanced[2]).not.toEqual(a[2]);
    const free = run({ freeNats: 3 });
    expect(free[0]).toEqual(a[0]);
  });

  it('the KL term is Σ_t of the batch-mean closed-form KL(q(z_t|h_t,o_t) ‖ p(z_t|h_t)), on weights where both are known', () => {
    const model = new Rssm(DIMS, SMALL, new Rng('kl/init'));
    const S = model.cfg.stochDim;
    // Prior and posterior heads with zero weights output their last-layer bias [mean | raw], whatever h_t and o_t.
    const setHead = (net: Mlp, mean: number[], raw: number[]) => {
      const w = new Float32Array(net.numParams);
      w.set([...mean, ...raw], net.numParams - 2 * S);
      net.setWeights(w);
    };
    const [, priorNet, postNet] = model.modules;
    const qMean = [0.3, -0.2, 0.5, 0.1];
    const qRaw = [-1, 0, 0.5, -0.3];
    const pRaw = [0.2, 0.4, -0.5, 1];
    setHead(postNet, qMean, qRaw);
    setHead(priorNet, [0, 0, 0, 0], pRaw);
    const std = (raw: number) => Math.log1p(Math.exp(raw)) + model.cfg.minStd; // σ = softplus(raw) + minStd
    // KL(N(m, s²) ‖ N(0, t²)) per dim = log(t/s) + (s² + m²)/(2t²) − ½.
    const perStep = qMean.reduce(
      (acc, m, d) =>
        acc + Math.log(std(pRaw[d]) / std(qRaw[d])) + (std(qRaw[d]) ** 2 + m * m) / (2 * std(pRaw[d]) ** 2) - 0.5,
      0,
    );
    const T = 6;
    const [elbo, recon, reward, kl] = readScalars(
      model.evaluate(buf.sample(4, T, new Rng('kl/batch')), new Rng('kl/noise')),
    );
    expect(kl).toBeCloseTo(T * perStep, 4);
    expect(elbo).toBeCloseTo(recon + reward - kl, 3);
    model.dispose();
  });

  it('resuming from a checkpoint (model, optimizer, RNG streams) continues bit-for-bit', async ({ signal }) => {
    const common = { logEvery: 2, sampleBatch: (rng: Rng) => buf.sample(4, 6, rng), signal };
    const straight = new Rssm(DIMS, SMALL, new Rng('ck/init'));
    const logsA: number[] = [];
    await trainRssm(straight, {
      ...common,
      steps: 8,
      checkpointEvery: 0,
      batchRng: new Rng('ck/b'),
      noiseRng: new Rng('ck/n'),
      onLog: (_s, v) => logsA.push(v['elbo/total']),
    });

    const first = new Rssm(DIMS, SMALL, new Rng('ck/init'));
    const logsB: number[] = [];
    let saved: RssmCheckpoint | null = null;
    await trainRssm(first, {
      ...common,
      steps: 4,
      checkpointEvery: 4,
      batchRng: new Rng('ck/b'),
      noiseRng: new Rng('ck/n'),
      onLog: (_s, v) => logsB.push(v['elbo/total']),
      onCheckpoint: (c) => (saved = JSON.parse(JSON.stringify(c))),
    });
    first.dispose();
    const ck = saved as unknown as RssmCheckpoint;
    expect(ck.step).toBe(4);
    const resumed = Rssm.fromState(ck.model, new Rng('ck/other-init'));
    const batchRng = new Rng('unused');
    batchRng.setState(ck.rng.batch);
    const noiseRng = new Rng('unused');
    noiseRng.setState(ck.rng.noise);
    await trainRssm(resumed, {
      ...common,
      steps: 8,
      startStep: ck.step,
      checkpointEvery: 0,
      batchRng,
      noiseRng,
      onLog: (_s, v) => logsB.push(v['elbo/total']),
    });
    expect(logsB).toEqual(logsA);
    expect(resumed.getState().weights).toEqual(straight.getState().weights);
    straight.dispose();
    resumed.dispose();
  });

  it('the schedule is validated up front (before any step), naming the field and the value', async () => {
    expect(() => checkTrainLoopOptions({ logEvery: 5, checkpointEvery: 7 })).toThrow(
      'TrainLoopOptions.checkpointEvery: must be 0 or a multiple of logEvery=5, got 7',
    );
    expect(() => checkTrainLoopOptions({ logEvery: 0, checkpointEvery: 0 })).toThrow(
      'TrainLoopOptions.logEvery: must be a positive integer, got 0',
    );
    let sampled = 0;
    const model = new Rssm(DIMS, SMALL, new Rng('check/init'));
    const bad = {
      steps: 5,
      logEvery: 2,
      checkpointEvery: 3,
      sampleBatch: (rng: Rng) => (sampled++, buf.sample(4, 6, rng)),
      batchRng: new Rng('c/b'),
      noiseRng: new Rng('c/n'),
    };
    await expect(trainRssm(model, bad)).rejects.toThrow(/checkpointEvery/);
    expect(sampled).toBe(0);
    model.dispose();
  });

  it('an abort signal finishes the current step, checkpoints it and returns', async () => {
    const model = new Rssm(DIMS, SMALL, new Rng('abort/init'));
    const controller = new AbortController();
    const steps: number[] = [];
    const checkpoints: number[] = [];
    const logged: number[] = [];
    await trainRssm(model, {
      steps: 100,
      logEvery: 5,
      checkpointEvery: 10,
      sampleBatch: (rng) => buf.sample(4, 6, rng),
      batchRng: new Rng('abort/b'),
      noiseRng: new Rng('abort/n'),
      onCheckpoint: (c) => checkpoints.push(c.step),
      onLog: (step) => logged.push(step),
      afterStep: (step) => {
        steps.push(step);
        if (step === 7) controller.abort();
      },
      signal: controller.signal,
    });
    expect(steps.at(-1)).toBe(8);
    expect(checkpoints).toEqual([8]);
    expect(logged).toEqual([5]); // no extra log line at the abort step: a resumed log matches an uninterrupted one
    model.dispose();
  });

  it('a non-finite loss stops training with an error naming the term, and the last good checkpoint is kept', async () => {
    const model = new Rssm(DIMS, SMALL, new Rng('nan/init'));
    const checkpoints: RssmCheckpoint[] = [];
    const run = () =>
      trainRssm(model, {
        steps: 30,
        logEvery: 5,
        checkpointEvery: 10,
        sampleBatch: (rng) => buf.sample(4, 6, rng),
        batchRng: new Rng('nan/b'),
        noiseRng: new Rng('nan/n'),
        onCheckpoint: (c) => checkpoints.push(c),
        // Corrupt the reward head's weights (last in the flat layout) after step 12: the loss becomes NaN.
        afterStep: (step) => {
          if (step === 12) {
            const s = model.getState();
            s.weights.fill(NaN, s.weights.length - 200);
            model.setState(s);
          }
        },
      });
    let error: unknown = null;
    try {
      await run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(
      /stopped at step 15: ELBO term 'elbo\/(recon|reward)' is NaN \(non-finite\); the last good checkpoint was kept/,
    );
    expect(checkpoints.map((c) => c.step)).toEqual([10]);
    expect(checkpoints[0].model.weights.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('rejects bad input with errors naming the cause', () => {
    const rng = new Rng('bad');
    expect(() => new Rssm(DIMS, { minStd: 0 }, rng)).toThrow(/RssmConfig\.minStd: got 0, allowed: a finite number > 0/);
    expect(() => new Rssm(DIMS, { minStd: -0.1 }, rng)).toThrow(/minStd/);
    expect(() => new Rssm(DIMS, { klBalance: 1 }, rng)).toThrow(
      /RssmConfig\.klBalance: got 1, allowed: null \(off\) or a number in \(0, 1\)/,
    );
    const model = new Rssm(DIMS, SMALL, rng);
    const batch = buf.sample(2, 4, rng);
    expect(() => model.trainStep({ ...batch, obsDim: 3 }, rng)).toThrow(
      /batch\.obsDim = 3, the model was built for obsDim = 2/,
    );
    expect(() => model.trainStep({ ...batch, rewards: batch.rewards.subarray(1) }, rng)).toThrow(
      /batch\.rewards has 7 values, expected T·B·dim = 8/,
    );
    expect(() => model.trainStep({ ...batch, T: 5 }, rng)).toThrow(/batch\.obs has 16 values, expected T·B·dim = 20/);
    const ep = pendulumEpisodes(1, 6)[0];
    expect(() => buf.add({ ...ep, actions: ep.actions.subarray(1) })).toThrow(
      /episode\.actions: has 199 values, expected 200/,
    );
    expect(() => buf.add({ ...ep, obsDim: 3, obs: new Float32Array(201 * 3) })).toThrow(
      /obsDim=3, actDim=1; the buffer holds 2, 1/,
    );
    expect(() => windowsToBatch([ep], [{ episode: 0, start: 190 }], 20)).toThrow(
      /start = 190 does not fit T=20 in an episode of 201 observations/,
    );
    const grid = make('CliffWalking-v1');
    expect(() => collectEpisodes(grid, () => new Float32Array(1), { episodes: 1, maxSteps: 1, seed: 0, rng })).toThrow(
      'collectEpisodes(CliffWalking-v1): needs Box observation and action spaces, got observationSpace Discrete(48), actionSpace Discrete(4)',
    );
    expect(() => windowsToBatch([ep], [{ episode: 1, start: 0 }], 20)).toThrow(
      /windows\[0\]\.episode = 1 is not an episode index \(have 1\)/,
    );
    const state = model.getState();
    expect(() => Rssm.fromState({ ...state, weights: state.weights.slice(1) }, rng)).toThrow(
      /RssmState\.weights: has \d+ values, expected \d+/,
    );
    model.dispose();
  });
});

describe('the world-model run shipped with the viewer (src/viz/worldmodel/, npm run viewer-worldmodel)', () => {
  const file = JSON.parse(readFileSync('src/viz/worldmodel/rssm-trajectories.json', 'utf8')) as RssmTrajectoryFile;
  const index = JSON.parse(readFileSync('src/viz/worldmodel/index.json', 'utf8')) as ShippedWorldModel;

  it('its shown trajectories say what its held-out numbers say: θ̇ is in the latent, imagination beats repeat-last', () => {
    const { context, readout } = file;
    expect(readout?.r2).toBeCloseTo(index.velocityR2, 3);
    // R² of the read-out over the shown trajectories (steps t ≥ burnIn), beside the run's held-out R².
    const y = file.trajectories.flatMap((t) => t.truth!.slice(readout!.burnIn).map((row) => row[readout!.truthIndex]));
    const yHat = file.trajectories.flatMap((t) => t.readout!.slice(readout!.burnIn));
    expect(rSquared(y, yHat)).toBeGreaterThan(0.9);
    expect(index.velocityR2).toBeGreaterThan(0.9);
    // Imagination error over the shown windows, against holding the last context observation.
    const sq = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
    let imagined = 0;
    let repeat = 0;
    for (const t of file.trajectories)
      t.imagined.forEach((row, k) => {
        imagined += sq(row, t.observed[context + k]);
        repeat += sq(t.observed[context - 1], t.observed[context + k]);
      });
    expect(imagined).toBeLessThan(repeat / 3);
    expect(index.imaginationMse).toBeLessThan(index.repeatLastMse / 3);
    expect(JSON.stringify(file).length).toBeLessThan(30_000);
  });
});

describe('the dreamer agent shipped with the viewer (src/viz/worldmodel/dreamer/, npm run viewer-worldmodel)', () => {
  const dir = 'src/viz/worldmodel/dreamer';
  const index = JSON.parse(readFileSync(`${dir}/index.json`, 'utf8')) as ShippedDreamer;

  it('one run per prior; what "really happened" is Pendulum-v1: each reward recomputed from the observation before it and the action', () => {
    expect(index.runs.map((r) => r.prior)).toEqual(['uniform', 'reference', 'none']);
    let size = 0;
    for (const run of index.runs) {
      expect(run.command).toContain(`--prior ${run.prior}`);
      const text = readFileSync(`${dir}/${run.file}`, 'utf8');
      size += text.length;
      const f = JSON.parse(text) as RssmTrajectoryFile;
      expect([f.env, f.context, f.trajectories.length]).toEqual([index.env, 1, run.finalReturn.episodes]);
      for (const t of f.trajectories)
        for (let k = 1; k < t.observed.length; k++) {
          // Pendulum-v1: r = −(θ² + 0.1·θ̇² + 0.001·u²) at the state before the step (θ normalized to [−π, π)).
          const [c, s, v] = t.observed[k - 1];
          const u = Math.max(-2, Math.min(2, t.actions[k][0]));
          const want = -(Math.atan2(s, c) ** 2 + 0.1 * v ** 2 + 0.001 * u ** 2);
          expect(Math.abs(t.rewards[k] - want)).toBeLessThan(2e-3 * (1 + Math.abs(want)));
        }
    }
    expect(size).toBeLessThan(30_000);
  });
});
