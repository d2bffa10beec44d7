/**
 * `train` is resumable exactly: a run stopped (Ctrl-C) and resumed from its checkpoint writes the same
 * metrics.jsonl and the same saved agent, byte for byte, as an uninterrupted one (continuous and discrete SAC, dreamer;
 * KL-PPO restarts the episodes in flight at a resume, so its resumed run is a different, equally valid, one).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import { initNodeBackend } from '../src/node/backend.js';
import { beforeAll, describe, expect, it } from 'vitest';
import train from '../experiments/train.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';

beforeAll(async () => {
  await initNodeBackend('wasm'); // also loads the SAC engine
});

/** Runs `train` with `options` in a fresh folder; aborts once a progress step reaches `stopAt`, then resumes. */
async function runFolder(options: Record<string, unknown>, stopAt: number | null): Promise<string> {
  const dir = createRunDir(mkdtempSync(join(tmpdir(), 'priorlab-resume-')), 'train', 4);
  const parsed = train.options.parse(options) as Record<string, unknown>;
  const once = async (resume: boolean, stop: number | null) => {
    const ac = new AbortController();
    return runSeed({
      experiment: train,
      options: parsed,
      seed: 4,
      dir,
      resume,
      backend: 'wasm',
      signal: ac.signal,
      reporter: {
        progress: (step) => (stop !== null && step >= stop ? ac.abort() : undefined),
        print() {},
        finish() {},
      },
    });
  };
  if (stopAt === null) expect(await once(false, null)).toBe('done');
  else {
    expect(await once(false, stopAt)).toBe('stopped');
    expect(await once(true, null)).toBe('done');
  }
  return dir;
}

const CASES = [
  {
    algo: 'sac',
    env: 'Pendulum-v1',
    steps: 600,
    set: 'learningStarts=100,evalEvery=200,evalEpisodes=1,checkpointEvery=200,hidden=[16,16]',
    stopAt: 250,
  },
  {
    algo: 'sac-discrete',
    env: 'TwoRoute-v0',
    steps: 1500,
    set: 'checkpointEvery=300,evalEvery=500,evalEpisodes=2',
    stopAt: 700,
  },
  {
    algo: 'dreamer',
    env: 'PendulumNoVel-v1',
    steps: 1000,
    set: 'prefill=200,trainEvery=25,checkpointEvery=400,evalEvery=400,evalEpisodes=1,deterDim=12,stochDim=3,hiddenDim=10,actorHidden=[10],criticHidden=[10],batchSize=3,seqLen=6,imagineStarts=8,horizon=5',
    stopAt: 500,
  },
];

describe('train resumes exactly', () => {
  for (const c of CASES) {
    it(`${c.algo} on ${c.env}: stopped at step ${c.stopAt} and resumed = uninterrupted`, async () => {
      const options = { algo: c.algo, env: c.env, steps: c.steps, set: c.set };
      const full = await runFolder(options, null);
      const cut = await runFolder(options, c.stopAt);
      const read = (dir: string, f: string) => readFileSync(join(dir, f));
      const metrics = read(full, 'metrics.jsonl').toString();
      expect(metrics.split('\n').length).toBeGreaterThan(3);
      expect(read(cut, 'metrics.jsonl').toString()).toBe(metrics);
      expect(Buffer.compare(read(cut, 'agent.bin'), read(full, 'agent.bin'))).toBe(0);
      // The same files: a resumed run keeps no learner-state blob an uninterrupted one does not have.
      const blobs = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('learner-state-'));
      expect(blobs(cut)).toEqual(blobs(full));
      expect(blobs(full)).toHaveLength(1);
      expect(read(cut, blobs(cut)[0]).equals(read(full, blobs(full)[0]))).toBe(true);
    }, 240_000);
  }

  it("one changed character of a stopped run's learner-state blob: --resume is refused naming the file, nothing changes", async () => {
    const c = CASES[0];
    const dir = createRunDir(mkdtempSync(join(tmpdir(), 'priorlab-resume-')), 'train', 4);
    const parsed = train.options.parse({ algo: c.algo, env: c.env, steps: c.steps, set: c.set }) as Record<
      string,
      unknown
    >;
    const once = (resume: boolean, stop: number | null) => {
      const ac = new AbortController();
      return runSeed({
        experiment: train,
        options: parsed,
        seed: 4,
        dir,
        resume,
        backend: 'wasm',
        signal: ac.signal,
        reporter: {
          progress: (step) => (stop !== null && step >= stop ? ac.abort() : undefined),
          print() {},
          finish() {},
        },
      });
    };
    expect(await once(false, c.stopAt)).toBe('stopped');
    const blob = readdirSync(dir).find((f) => f.startsWith('learner-state-'))!;
    const text = readFileSync(join(dir, blob), 'utf8');
    // A character inside a base64 run of the typed arrays, changed to another base64 character.
    const at = text.search(/[A-Za-z0-9+/]{40}/) + 20;
    writeFileSync(join(dir, blob), text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    const metrics = readFileSync(join(dir, 'metrics.jsonl'));
    await expect(once(true, null)).rejects.toThrow(`${join(dir, blob)}: sha256 does not match`);
    expect(readFileSync(join(dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
  }, 240_000);
});
