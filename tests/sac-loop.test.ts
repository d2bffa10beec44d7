/**
 * The loop and checkpoint envelope both SACs share (src/agents/sac/loop.ts) and the Float32Array codec
 * (src/core/f32json.ts). Small budgets: the learning itself is tested in sac-continuous and sac-discrete.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SAC_DEFAULTS, SAC_OBJECTIVE, type SacConfig } from '../src/agents/sac/continuous.js';
import { trainSac } from './train-sac.js';
import { DiscreteSacAgent } from '../src/agents/sac/discrete.js';
import { DiscreteSacTrainer } from '../src/agents/sac/discrete-trainer.js';
import { type DiscreteSacConfig } from '../src/agents/sac/discrete-config.js';
import { runLoop } from '../src/agents/loop.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';

beforeAll(async () => {
  await initNodeBackend();
});

const TINY: Partial<DiscreteSacConfig> = {
  seed: 3,
  totalSteps: 260,
  learningStarts: 50,
  batchSize: 16,
  logEvery: 100,
  hidden: [8],
  gamma: 0.95,
};

describe('encodeF32Json / decodeF32Json (browser-safe)', () => {
  it("round-trips Float32Arrays bit for bit, writing the bytes as Node's Buffer did before (older files decode the same)", () => {
    const v = Float32Array.from([0, -0, 1.5, -3.25e-7, 3.4e38, NaN, Infinity, 1 / 3]);
    const text = encodeF32Json({ a: v, n: 2, nested: [v.subarray(2, 4)] });
    expect(JSON.parse(text).a.f32).toBe(Buffer.from(v.buffer).toString('base64'));
    const back = decodeF32Json<{ a: Float32Array; n: number; nested: Float32Array[] }>(text);
    expect(back.a).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(back.a.buffer)).toEqual(new Uint8Array(v.buffer)); // NaN and −0 included
    expect(Array.from(back.nested[0])).toEqual([1.5, -3.25e-7].map(Math.fround));
    expect(back.n).toBe(2);
    // Larger than one String.fromCharCode chunk.
    const big = Float32Array.from({ length: 50_000 }, (_, i) => i * 0.5);
    expect(decodeF32Json<{ b: Float32Array }>(encodeF32Json({ b: big })).b).toEqual(big);
    expect(() => decodeF32Json('{"f32":"AAA="}')).toThrow(/an f32 field holds 2 bytes, allowed: a multiple of 4/);
  });
});

describe('the shared SAC loop', () => {
  it('continuous SAC logs an evaluation between log steps on its own line, and a log-step evaluation inside that line', async () => {
    const cfg: SacConfig = {
      ...SAC_DEFAULTS,
      hidden: [8],
      batchSize: 8,
      totalSteps: 300,
      learningStarts: 50,
      logEvery: 100,
      evalEvery: 150,
      evalEpisodes: 1,
      checkpointEvery: 0,
    };
    const objective = makeObjective(SAC_OBJECTIVE, make('Pendulum-v1'));
    const logs: [number, Record<string, number>][] = [];
    const run = await trainSac(cfg, () => make('Pendulum-v1'), objective, new RngStreams(2), {
      log: (step, s) => logs.push([step, s]),
    });
    expect(logs.map(([s]) => s)).toEqual([100, 150, 200, 300]);
    expect(Object.keys(logs[1][1])).toEqual(['charts/eval_return']);
    expect(logs[1][1]['charts/eval_return']).toBe(run.evals[0].meanReturn);
    expect(logs[3][1]['charts/eval_return']).toBe(run.finalEvalReturn);
    expect('charts/eval_return' in logs[0][1]).toBe(false);
    run.agent.dispose();
    objective.dispose();
  }, 60_000);

  it("discrete SAC stepped synchronously (the viewer's way) equals runLoop, and an abort stops at an episode end with a checkpoint", async () => {
    const env = () => make('TwoRoute-v0');
    const objective = makeObjective({ prior: 'uniform', alpha: 0.15 }, env());
    const sync = new DiscreteSacTrainer(env(), objective, TINY);
    while (sync.step());
    const looped = new DiscreteSacTrainer(env(), objective, TINY);
    const lines: number[] = [];
    await runLoop(looped.loop, 0, () => looped.saveCheckpoint(), { log: (step) => lines.push(step) });
    expect(looped.metrics).toEqual(sync.metrics);
    expect(lines).toEqual(sync.metrics.map((m) => m.step));
    expect(lines).toEqual([100, 200, 260]);

    const stopping = new DiscreteSacTrainer(env(), objective, TINY);
    const abort = new AbortController();
    const saved: number[] = [];
    await runLoop(stopping.loop, 0, () => stopping.saveCheckpoint(), {
      progress: (step) => {
        if (step === 120) abort.abort();
      },
      checkpoint: (step, ckpt) => saved.push(step, (ckpt.loop as { step: number }).step),
      signal: abort.signal,
    });
    expect(saved.length).toBe(2);
    expect(saved[0]).toBeGreaterThanOrEqual(120);
    expect(saved[1]).toBe(saved[0]);
    expect(stopping.stepCount).toBe(saved[0]);
    expect(stopping.atEpisodeBoundary).toBe(true);
    for (const t of [sync, looped, stopping]) t.agent.dispose();
    objective.dispose();
  }, 60_000);

  it('a discrete checkpoint of another version or algorithm is refused, naming both versions', () => {
    const env = make('TwoRoute-v0');
    const objective = makeObjective({ prior: 'uniform', alpha: 0.15 }, env);
    const trainer = new DiscreteSacTrainer(env, objective, TINY);
    while (trainer.step() && !trainer.atEpisodeBoundary);
    const ckpt = trainer.saveCheckpoint();
    const fresh = () => make('TwoRoute-v0');
    expect(() => DiscreteSacTrainer.resume(fresh(), objective, { ...ckpt, version: 1 } as never)).toThrow(
      /checkpoint.version: got 1, allowed: 2 \(this priorlab's checkpoint format\)/,
    );
    expect(() => DiscreteSacTrainer.resume(fresh(), objective, { ...ckpt, algo: 'sac' })).toThrow(
      /checkpoint.algo: got "sac", allowed: 'sac-discrete'/,
    );
    const agent = new DiscreteSacAgent(env, objective, TINY);
    expect(() => agent.setState({ ...ckpt.agent, version: 1 } as never)).toThrow(
      /checkpoint.version: got 1, allowed: 2/,
    );
    const resumed = DiscreteSacTrainer.resume(fresh(), objective, decodeF32Json(encodeF32Json(ckpt)));
    expect(resumed.stepCount).toBe(trainer.stepCount);
    expect(resumed.stepCount).toBeGreaterThan(0);
    for (const a of [trainer.agent, agent, resumed.agent]) a.dispose();
    objective.dispose();
  });
});
