/**
 * `priorlab train / eval / enjoy` end to end (spawned CLI, small budgets): `train --algo sac --env Pendulum-v1`
 * with sac-pendulum's settings logs byte-identical metrics; enjoy's GIF decodes to the initial state's render
 * with its caption (step, action, return, outcome), a gridworld animates in the terminal with a legend;
 * bad input exits 2 with a message naming what is wrong and what is allowed, writing nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GifReader } from 'omggif';
import { beforeAll, describe, expect, it } from 'vitest';
import { make } from '../src/envs/registry.js';
import { sceneOf } from '../src/envs/scene.js';
import { drawText } from '../src/node/train/font.js';
import { captionHeight, GIF_PALETTE, rasterize } from '../src/node/train/gif.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'priorlab-train-'));
const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
const only = (out: string): string => {
  const dirs = readdirSync(out);
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]);
};

// sac-pendulum's defaults with a short budget: 300 steps, 100 random, evaluations every 100 on 2 episodes.
const SHORT = { steps: '300', learningStarts: '100', evalEvery: '100', evalEpisodes: '2' };
let pendulumRun = '';

beforeAll(() => {
  const out = tmp();
  const r = cli([
    'train',
    '--algo',
    'sac',
    '--env',
    'Pendulum-v1',
    '--steps',
    SHORT.steps,
    '--set',
    `learningStarts=${SHORT.learningStarts},evalEvery=${SHORT.evalEvery},evalEpisodes=${SHORT.evalEpisodes}`,
    '--out',
    out,
  ]);
  expect(r.status, r.stderr).toBe(0);
  pendulumRun = only(out);
}, 240_000);

describe('train', () => {
  it('--algo sac --env Pendulum-v1 gives sac-pendulum’s metrics, byte for byte, and stores the resolved values', () => {
    const out = tmp();
    const r = cli([
      'sac-pendulum',
      '--steps',
      SHORT.steps,
      '--learning-starts',
      SHORT.learningStarts,
      '--eval-every',
      SHORT.evalEvery,
      '--eval-episodes',
      SHORT.evalEpisodes,
      '--replays',
      '0',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const theirs = readFileSync(join(only(out), 'metrics.jsonl'), 'utf8');
    const ours = readFileSync(join(pendulumRun, 'metrics.jsonl'), 'utf8');
    expect(theirs.split('\n').length).toBeGreaterThan(3);
    expect(ours).toBe(theirs);
    const config = JSON.parse(readFileSync(join(pendulumRun, 'config.json'), 'utf8'));
    expect(config.resolved).toMatchObject({
      algo: 'sac',
      env: 'Pendulum-v1',
      hyperparams: { totalSteps: 300, learningStarts: 100 },
    });
    for (const f of ['agent.json', 'agent.bin', 'learning-curve.svg'])
      expect(existsSync(join(pendulumRun, f)), f).toBe(true);
  }, 240_000);
});

/** Frame `k` of a GIF as palette indices (`GIF_PALETTE`), row-major. */
function gifFrame(reader: GifReader, k: number): Uint8Array {
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(k, rgba);
  return Uint8Array.from({ length: reader.width * reader.height }, (_, i) =>
    GIF_PALETTE.findIndex((c) => c[0] === rgba[4 * i] && c[1] === rgba[4 * i + 1] && c[2] === rgba[4 * i + 2]),
  );
}

describe('enjoy', () => {
  it('writes a GIF that decodes: size, frame count, first frame = the initial state’s render, a caption under it', () => {
    const gif = join(tmp(), 'rollout.gif');
    const r = cli(['enjoy', pendulumRun, '--out', gif, '--every', '20', '--seed', '3']);
    expect(r.status, r.stderr).toBe(0);
    const reader = new GifReader(new Uint8Array(readFileSync(gif)));
    const band = captionHeight(240, 2);
    expect([reader.width, reader.height]).toEqual([240, 240 + band]);
    expect(reader.numFrames()).toBe(11); // 200 steps: steps 0, 20, …, 200
    const env = make('Pendulum-v1');
    const want = rasterize(sceneOf(env, env.reset({ seed: 3 }).obs), 240, 240);
    expect(new Set(want).size).toBeGreaterThan(2); // the render is not blank
    expect(gifFrame(reader, 0).subarray(0, 240 * 240)).toEqual(want);
    // The last frame's caption: the step count, the return the summary line prints, and the outcome (Pendulum
    // never terminates: 200 steps is its time limit), drawn in the font under a rule.
    const ret = /episode 1 \(seed 3\): return (-?\d+\.\d\d) in 200 steps, time limit/.exec(r.stdout)?.[1];
    expect(ret, r.stdout).toBeDefined();
    const caption = new Uint8Array(240 * band).fill(GIF_PALETTE.findIndex((c) => c.join() === '255,255,255'));
    const ink = GIF_PALETTE.findIndex((c) => c.join() === '34,34,34');
    caption.fill(
      GIF_PALETTE.findIndex((c) => c.join() === '200,200,200'),
      0,
      240,
    );
    drawText(caption, 240, 3, 3, 'step 200/200', ink);
    drawText(caption, 240, 3, 13, `return ${ret}  time limit`, ink);
    expect(gifFrame(reader, 10).subarray(240 * 240)).toEqual(caption);
  }, 120_000);

  it('a gridworld: every step in the terminal with its caption and the legend; the GIF keeps square cells', () => {
    const out = tmp();
    const t = cli(['train', '--algo', 'sac-discrete', '--env', 'TwoRoute-v0', '--steps', '2000', '--out', out]);
    expect(t.status, t.stderr).toBe(0);
    const gif = join(out, 'rollout.gif');
    const r = cli(['enjoy', only(out), '--out', gif]);
    expect(r.status, r.stderr).toBe(0);
    const steps = Number(
      /return -?\d+\.\d\d in (\d+) steps, (reached the goal|ended in a hazard|time limit)/.exec(r.stdout)?.[1],
    );
    expect(steps, r.stdout).toBeGreaterThan(0);
    // Frames s_0 … s_T: a caption line, the 6-row grid with one agent, the legend.
    const captions = r.stdout.match(/^step \d+\/\d+ .*$/gm) ?? [];
    expect(captions.map((c) => Number(/^step (\d+)/.exec(c)![1]))).toEqual(
      Array.from({ length: steps + 1 }, (_, k) => k),
    );
    expect(
      captions.slice(0, -1).every((c) => /^step \d+\/\d+  (Up|Right|Down|Left)  return -?\d+\.\d\d$/.test(c)),
    ).toBe(true);
    expect(r.stdout.match(/^A agent {2}S start {2}G goal {2}X hazard {2}# wall {2}\. free$/gm)).toHaveLength(steps + 1);
    // The agent once per grid, once per legend (words with a '/', such as the printed paths with their random
    // temporary names, left out).
    expect(r.stdout.replace(/\S*\/\S*/g, '').match(/A/g)!.length).toBe(2 * (steps + 1));
    const reader = new GifReader(new Uint8Array(readFileSync(gif)));
    expect(reader.numFrames()).toBe(steps + 1);
    expect([reader.width, reader.height]).toEqual([240, 160 + captionHeight(240, 2)]); // 9 × 6 cells
  }, 120_000);
});

describe('bad input: exit 2, a message naming what is wrong and what is allowed, nothing written', () => {
  const refused = (args: string[], message: RegExp) => {
    const out = tmp();
    const r = cli([...args, '--out', out]);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(out)).toEqual([]);
  };

  it('an algorithm that does not fit the env', () => {
    refused(
      ['train', '--algo', 'sac', '--env', 'TwoRoute-v0'],
      /--algo: sac does not fit TwoRoute-v0 .*allowed: sac-discrete, klppo/,
    );
  }, 60_000);

  it('env options the env does not take', () => {
    refused(
      ['train', '--env', 'MountainCarContinuous-v0', '--env-options', '{nope: 1}'],
      /--env-options: MountainCarContinuous-v0: unknown option 'nope'; allowed options: goalVelocity/,
    );
  }, 60_000);

  it('an unknown reference', () => {
    refused(
      ['train', '--env', 'Pendulum-v1', '--prior', 'reference', '--alpha', '0.1', '--reference', 'nope'],
      /--reference: 'nope' is not a reference of Pendulum-v1; allowed: swing-up or a run folder/,
    );
  }, 60_000);

  it('a run folder of another env as the reference', () => {
    refused(
      [
        'train',
        '--env',
        'MountainCarContinuous-v0',
        '--prior',
        'reference',
        '--alpha',
        '0.1',
        '--reference',
        pendulumRun,
      ],
      /--reference .*: an agent of Pendulum-v1, not MountainCarContinuous-v0; allowed: a run folder of MountainCarContinuous-v0/,
    );
  }, 60_000);

  it('a corrupted or future-version agent (eval)', () => {
    const copy = join(tmp(), 'run');
    mkdirSync(copy);
    for (const f of ['agent.json', 'agent.bin', 'config.json']) copyFileSync(join(pendulumRun, f), join(copy, f));
    const bin = readFileSync(join(copy, 'agent.bin'));
    bin[0] ^= 1;
    writeFileSync(join(copy, 'agent.bin'), bin);
    let r = cli(['eval', copy, '--episodes', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/agent\.bin: sha256 does not match agent\.json's; the saved agent is corrupted/);
    bin[0] ^= 1;
    writeFileSync(join(copy, 'agent.bin'), bin);
    const manifest = readFileSync(join(copy, 'agent.json'), 'utf8');
    writeFileSync(join(copy, 'agent.json'), manifest.replace('"formatVersion": 1', '"formatVersion": 7'));
    r = cli(['eval', copy, '--episodes', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/formatVersion 7 is newer than this priorlab reads; allowed: 1/);
    expect(readdirSync(copy).sort()).toEqual(['agent.bin', 'agent.json', 'config.json']);
  }, 60_000);
});
