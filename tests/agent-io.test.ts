/**
 * The saved agent: a loaded agent acts bit-identically to the one saved (every algorithm, 100 observations,
 * deterministic and sampled), and a corrupted, future-version or other-env agent is refused with a clear error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import { initNodeBackend } from '../src/node/backend.js';
import { observations } from './observations.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLearner, type Algo, type Learner } from '../src/agents/learner.js';
import { Rng, RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { writeFileAtomic } from '../src/node/atomicfs.js';
import {} from '../src/node/run/options.js';
import { UsageError } from '../src/core/errors.js';
import { AGENT_FILES, checkAgentFits, loadAgent, saveAgent } from '../src/node/train/agent-io.js';
import { loadRunAgent } from '../src/node/train/commands.js';
import { buildObjective } from '../src/node/train/setup.js';

beforeAll(async () => {
  await initNodeBackend('wasm'); // also loads the SAC engine
});

const CASES: { algo: Algo; env: string; config: Record<string, unknown> }[] = [
  { algo: 'sac', env: 'Pendulum-v1', config: { hidden: [16, 16] } },
  { algo: 'sac-discrete', env: 'TwoRoute-v0', config: { hidden: [8] } },
  {
    algo: 'klppo',
    env: 'MountainCarContinuous-v0',
    config: { hidden: [8], numEnvs: 1, numSteps: 8, numMinibatches: 1 },
  },
];

/** Saves a fresh learner of `c` (seeded 5) into a new folder; returns the folder and the learner. */
function saved(c: (typeof CASES)[number]): { dir: string; learner: Learner } {
  const dir = mkdtempSync(join(tmpdir(), 'priorlab-agent-'));
  const makeEnv = () => make(c.env);
  const spec = { prior: 'uniform', alpha: 0.1 } as const;
  const learner = createLearner(c.algo, {
    makeEnv,
    objective: buildObjective(spec, makeEnv()),
    config: c.config,
    streams: new RngStreams(5),
  });
  saveAgent((name, data) => writeFileAtomic(join(dir, name), data), learner, {
    envId: c.env,
    envOptions: {},
    objective: spec,
    config: c.config,
    packageVersion: '0.0.0',
    step: 0,
  });
  return { dir, learner };
}

describe('a loaded agent acts as the saved one', () => {
  for (const c of CASES) {
    it(`${c.algo} on ${c.env}: 100 observations, deterministic and sampled, bit-identical`, () => {
      const { dir, learner } = saved(c);
      const loaded = loadRunAgent(dir, 99); // other streams: the weights alone must carry the policy
      const obs = observations(c.env);
      try {
        expect(loaded.learner.act(obs, { deterministic: true })).toEqual(learner.act(obs, { deterministic: true }));
        const sampled = learner.act(obs, { deterministic: false, rng: new Rng(11) });
        expect(loaded.learner.act(obs, { deterministic: false, rng: new Rng(11) })).toEqual(sampled);
        // The comparison can fail: a learner initialized from other seeds acts differently.
        const config = c.config;
        const other = createLearner(c.algo, {
          makeEnv: () => make(c.env),
          objective: learner.objective,
          config,
          streams: new RngStreams(6),
        });
        expect(other.act(obs, { deterministic: false, rng: new Rng(11) })).not.toEqual(sampled);
        other.dispose();
      } finally {
        loaded.dispose();
        learner.dispose();
      }
    }, 60_000);
  }
});

describe('a saved agent as a reference prior is the saved policy', () => {
  for (const c of CASES) {
    it(`${c.algo} on ${c.env}: KL(loaded π ‖ reference from its folder) ≈ 0, and > 0 for another policy`, () => {
      const { dir, learner } = saved(c);
      learner.dispose();
      const loaded = loadRunAgent(dir, 1);
      const env = make(c.env);
      const objective = buildObjective({ prior: 'reference', alpha: 0.1, reference: dir }, env);
      const build = (shift: number) => {
        const l = createLearner(c.algo, {
          makeEnv: () => make(c.env),
          objective,
          config: c.config,
          streams: new RngStreams(1),
        });
        l.setPolicyWeights(
          Object.fromEntries(
            Object.entries(loaded.learner.policyWeights()).map(([k, w]) => [k, w.map((x) => x + shift)]),
          ),
        );
        return l;
      };
      const toSaved = build(0);
      const other = build(0.3); // every weight moved: another policy
      try {
        const obs = observations(c.env);
        expect(Math.abs(toSaved.stats(obs, new Rng(2)).kl)).toBeLessThan(1e-4);
        expect(other.stats(obs, new Rng(2)).kl).toBeGreaterThan(1e-3);
      } finally {
        for (const x of [other, toSaved, objective, loaded]) x.dispose();
      }
    }, 60_000);
  }
});

describe('a bad saved agent is refused', () => {
  it('corrupted weights, a future format version, another env', () => {
    const { dir, learner } = saved(CASES[0]);
    learner.dispose();
    const bin = readFileSync(join(dir, AGENT_FILES.weights));
    const manifest = readFileSync(join(dir, AGENT_FILES.manifest), 'utf8');

    bin[10] ^= 0xff;
    writeFileSync(join(dir, AGENT_FILES.weights), bin);
    expect(() => loadAgent(dir)).toThrow(/agent\.bin: sha256 does not match .*corrupted/);
    bin[10] ^= 0xff;
    writeFileSync(join(dir, AGENT_FILES.weights), bin.subarray(0, 100));
    expect(() => loadAgent(dir)).toThrow(/agent\.bin: 100 bytes, the manifest's tensors need \d+; .*corrupted/);
    writeFileSync(join(dir, AGENT_FILES.weights), bin);
    expect(loadAgent(dir).manifest.algo).toBe('sac');

    writeFileSync(join(dir, AGENT_FILES.manifest), manifest.replace('"formatVersion": 1', '"formatVersion": 2'));
    expect(() => loadAgent(dir)).toThrow(UsageError);
    expect(() => loadAgent(dir)).toThrow(
      /formatVersion 2 is newer than this priorlab reads; allowed: 1 \(upgrade priorlab\)/,
    );

    writeFileSync(join(dir, AGENT_FILES.manifest), manifest);
    const { manifest: m } = loadAgent(dir);
    expect(() => checkAgentFits(m, make('MountainCarContinuous-v0'), '--reference', dir)).toThrow(
      /--reference .*: an agent of Pendulum-v1, not MountainCarContinuous-v0; allowed: a run folder of MountainCarContinuous-v0/,
    );
  });
});
