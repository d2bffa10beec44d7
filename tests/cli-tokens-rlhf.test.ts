/**
 * tokens-rlhf plumbing at a tiny budget (quality is tested in klppo-tokens.test.ts): `--betas` is validated
 * before any work, and a run that crashes after a β completes resumes at the next β, with the rows and
 * metrics of an uninterrupted run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tokensRlhf from '../experiments/tokens-rlhf.js';
import { validateFlags } from '../src/node/run/options.js';
import { UsageError } from '../src/core/errors.js';
import { createRunDir } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';

const ITERATIONS = 3;
const options = tokensRlhf.options.parse({
  betas: '0,0.3',
  iterations: ITERATIONS,
  distill: 1,
  numEnvs: 4,
  checkpointEvery: 100,
});

/** Runs seed 1 in `dir`; throws 'simulated crash' when step `crashAt` reports progress. */
function runIn(dir: string, resume: boolean, crashAt?: number) {
  return runSeed({
    experiment: tokensRlhf,
    options,
    seed: 1,
    dir,
    resume,
    backend: 'cpu',
    signal: new AbortController().signal,
    reporter: {
      progress(step) {
        if (step === crashAt) throw new Error('simulated crash');
      },
      print() {},
      finish() {},
    },
  });
}

describe('tokens-rlhf', () => {
  it('rejects a bad --betas before any work, naming the option and what is allowed', () => {
    const parse = (betas: string) => validateFlags(new Map([['betas', betas]]), [tokensRlhf.options] as const);
    expect(parse('0, 0.5,1')[0].betas).toBe('0, 0.5,1');
    for (const bad of ['0,-1', '0,,1', 'a', '0,Infinity']) {
      expect(() => parse(bad)).toThrow(UsageError);
      expect(() => parse(bad)).toThrow(/--betas: .*finite number ≥ 0/);
    }
  });

  it('a crash after a β completes resumes at the next β: rows and metrics equal an uninterrupted run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'priorlab-tokens-'));
    const whole = createRunDir(out, 'tokens-rlhf', 1);
    await runIn(whole, false);

    // The only checkpoint before the crash is the one written when β = 0 completes (checkpointEvery > iterations).
    const crashed = createRunDir(out, 'tokens-rlhf', 1);
    await expect(runIn(crashed, false, ITERATIONS + 1)).rejects.toThrow('simulated crash');
    expect(JSON.parse(readFileSync(join(crashed, 'checkpoint.json'), 'utf8')).step).toBe(ITERATIONS);
    await runIn(crashed, true);

    const rows = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { rows: { beta: number }[] }).rows;
    expect(rows(crashed).map((r) => r.beta)).toEqual([0, 0.3]);
    expect(rows(crashed)).toEqual(rows(whole));
    expect(readFileSync(join(crashed, 'metrics.jsonl'), 'utf8')).toBe(
      readFileSync(join(whole, 'metrics.jsonl'), 'utf8'),
    );
  }, 60_000);
});
