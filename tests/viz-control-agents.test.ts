/**
 * The viewer's trained continuous agents (`src/viz/control/agents.ts`) against the CLI's loader: every shipped
 * agent, read the browser's way (WebCrypto checksum, `readSavedAgent`), acts bit-identically to the Node
 * learner built from `loadAgent` (`createLearner` + `setPolicyWeights` + `act({ deterministic: true })`) on
 * 100 observations; the shared checks refuse bad files with the same messages; the density read-out at a
 * state is a density and its KL agrees with a direct numerical integral (1-D).
 */
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLearner } from '../src/agents/learner.js';
import { UsageError } from '../src/core/errors.js';
import { Rng, RngStreams } from '../src/core/rng.js';
import type { Box } from '../src/core/spaces.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { buildObjective } from '../src/node/train/setup.js';
import { loadAgent } from '../src/node/train/agent-io.js';
import { actionGrid, readSavedAgent, rollouts, startSeeds, ViewerAgent } from '../src/viz/control/agents.js';
import { VIEWER_AGENTS_DIR, type ViewerAgentEntry } from '../src/viz/control/shipped.js';

const INDEX = JSON.parse(readFileSync(join(VIEWER_AGENTS_DIR, 'index.json'), 'utf8')) as { agents: ViewerAgentEntry[] };

beforeAll(async () => {
  await initNodeBackend('wasm'); // the browser's backend; also loads the SAC engine
});

async function viewerAgent(e: ViewerAgentEntry): Promise<ViewerAgent> {
  const dir = join(VIEWER_AGENTS_DIR, e.path);
  const { manifest, weights } = await readSavedAgent(
    readFileSync(join(dir, 'agent.json'), 'utf8'),
    new Uint8Array(readFileSync(join(dir, 'agent.bin'))),
    dir,
  );
  return new ViewerAgent(manifest, weights, 'shipped');
}

describe('shipped viewer agents', () => {
  it('are the 9 (env, prior) pairs, a few KB each, each made by a recorded train command', () => {
    expect(INDEX.agents.map((a) => `${a.env}/${a.prior}`).sort()).toEqual(
      ['MountainCarContinuous-v0', 'Pendulum-v1', 'PointMass-v0'].flatMap((e) =>
        ['none', 'reference', 'uniform'].map((p) => `${e}/${p}`),
      ),
    );
    for (const a of INDEX.agents) {
      expect(a.command).toContain(`--env ${a.env} --prior ${a.prior}`);
      expect(readFileSync(join(VIEWER_AGENTS_DIR, a.path, 'agent.bin')).length).toBeLessThan(20_000);
    }
  });

  it('act bit-identically to the Node learner loaded by loadAgent, on 100 observations each', async () => {
    for (const e of INDEX.agents) {
      const viewer = await viewerAgent(e);
      const { manifest, weights } = loadAgent(join(VIEWER_AGENTS_DIR, e.path));
      const makeEnv = () => make(manifest.env.id, manifest.env.options);
      const env = makeEnv();
      const objective = buildObjective(manifest.objective, env);
      const node = createLearner('sac', { makeEnv, objective, config: manifest.config, streams: new RngStreams(0) });
      node.setPolicyWeights(weights);
      const obsRng = new Rng(`parity/${e.path}`);
      const u = (lo: number, hi: number) => lo + (hi - lo) * obsRng.uniform();
      const box = env.observationSpace as Box;
      // Observations spread over the observation box (Pendulum: a point on the circle and an angular velocity).
      const obs = Array.from({ length: 100 }, () =>
        e.env === 'Pendulum-v1'
          ? ((th: number) => Float32Array.of(Math.cos(th), Math.sin(th), u(-8, 8)))(u(-Math.PI, Math.PI))
          : Float32Array.from(box.low, (lo, i) => u(lo, box.high[i])),
      );
      const a = viewer.learner.act(obs, { deterministic: true });
      const b = node.act(obs, { deterministic: true });
      expect(a.length).toBe(100 * viewer.actionSpace.dim);
      expect(Array.from(a)).toEqual(Array.from(b));
      node.dispose();
      objective.dispose();
      viewer.dispose();
      env.close();
    }
  }, 60_000);

  it('refuse an edited agent.bin, a newer format and an agent of another env with messages naming the file', async () => {
    const dir = join(VIEWER_AGENTS_DIR, 'Pendulum-v1/uniform');
    const text = readFileSync(join(dir, 'agent.json'), 'utf8');
    const bin = new Uint8Array(readFileSync(join(dir, 'agent.bin')));
    const torn = bin.slice();
    torn[3] ^= 1;
    await expect(readSavedAgent(text, torn, 'x')).rejects.toThrow(
      /x\/agent\.bin: sha256 does not match agent\.json's; the saved agent is corrupted/,
    );
    await expect(readSavedAgent(text, bin.slice(0, 100), 'x')).rejects.toThrow(
      /x\/agent\.bin: 100 bytes, the manifest's tensors need \d+/,
    );
    await expect(readSavedAgent(text.replace('"formatVersion": 1', '"formatVersion": 2'), bin, 'x')).rejects.toThrow(
      UsageError,
    );
    const { manifest, weights } = await readSavedAgent(text, bin, 'x');
    expect(
      () => new ViewerAgent({ ...manifest, env: { ...manifest.env, id: 'CliffWalking-v1' } }, weights, 'y'),
    ).toThrow(
      /y\/agent\.json: an agent of CliffWalking-v1; allowed here: Pendulum-v1, PointMass-v0, MountainCarContinuous-v0/,
    );
    expect(
      () => new ViewerAgent({ ...manifest, env: { ...manifest.env, observationSpace: 'Box(2)' } }, weights, 'y'),
    ).toThrow(/agent y: the agent's observationSpace Box\(2\) does not match/);
  });

  it('at a state: π and p integrate to 1 over the action range, and the learner-style KL matches the integral of π log(π/p)', async () => {
    for (const prior of ['uniform', 'reference', 'none']) {
      const agent = await viewerAgent(
        INDEX.agents.find((a) => a.env === 'MountainCarContinuous-v0' && a.prior === prior)!,
      );
      const [run] = await rollouts(agent, 1, 3, true);
      const s = run.obs[Math.min(30, run.obs.length - 1)];
      const n = 4000;
      const grid = actionGrid(agent.actionSpace, n);
      const d = agent.densityAt(s, grid, 20_000, new Rng('kl-check'));
      const da = 2 / n;
      const pi = Array.from(d.logPi, Math.exp);
      // The reference is an unsquashed Gaussian: part of its mass lies outside [−1, 1], so only ≤ 1 there.
      expect(pi.reduce((a, b) => a + b, 0) * da).toBeCloseTo(1, 1);
      const prMass = Array.from(d.logPrior, Math.exp).reduce((a, b) => a + b, 0) * da;
      expect(prMass).toBeLessThanOrEqual(1.001);
      expect(prMass).toBeGreaterThan(0.3);
      const integral = pi.reduce((acc, p, i) => acc + (p > 0 ? p * (d.logPi[i] - d.logPrior[i]) : 0), 0) * da;
      expect(Number.isFinite(d.kl)).toBe(true);
      expect(Math.abs(d.kl - integral)).toBeLessThan(0.1 + 0.05 * Math.abs(integral));
      agent.dispose();
    }
  }, 60_000);

  it('share start states across priors and reproduce a fan from its seed', async () => {
    expect(startSeeds(4, 5)).toEqual(startSeeds(4, 5));
    expect(startSeeds(4, 5)).not.toEqual(startSeeds(5, 5));
    const agents = await Promise.all(
      ['uniform', 'reference'].map((p) =>
        viewerAgent(INDEX.agents.find((a) => a.env === 'PointMass-v0' && a.prior === p)!),
      ),
    );
    const [u, r] = await Promise.all(agents.map((a) => rollouts(a, 4, 7, false)));
    expect(u.map((x) => Array.from(x.obs[0]))).toEqual(r.map((x) => Array.from(x.obs[0])));
    const again = await rollouts(agents[0], 4, 7, false);
    expect(again.map((x) => x.return)).toEqual(u.map((x) => x.return));
    // A superseded request stops at its next yield (50 steps), far short of PointMass's 200-step limit.
    const stopped = new AbortController();
    stopped.abort();
    const cut = await rollouts(agents[1], 4, 7, false, stopped.signal);
    expect(Math.max(...cut.map((x) => x.actions.length))).toBe(50);
    expect(Math.max(...r.map((x) => x.actions.length))).toBeGreaterThan(50);
    agents.forEach((a) => a.dispose());
  }, 60_000);
});
