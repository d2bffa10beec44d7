/**
 * The experiment CLI: option validation, run folder contents, exact resume after a crash, Ctrl-C
 * (SIGINT) leaving files intact, seeds in parallel. CLI-level tests spawn `bin/priorlab.mjs`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tabularQ from '../experiments/tabular-q.js';
import { EXPERIMENTS } from '../experiments/index.js';
import { z } from 'zod';
import {
  COMMON_OPTIONS,
  helpLines,
  parseSeedList,
  splitArgs,
  booleanKeys,
  validateFlags,
} from '../src/node/run/options.js';
import { UsageError } from '../src/core/errors.js';
import { parseMetrics } from '../src/core/metrics.js';
import { createRunDir, type RunConfig, type RunStatus } from '../src/node/run/rundir.js';
import { runSeed, type Reporter } from '../src/node/run/runner.js';
import { runSeedsInParallel } from '../src/node/run/parallel.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'priorlab-cli-'));
const cli = (args: string[], cwd = tmp()) => ({
  cwd,
  // As under `npm run exp`: the CLI's suggested commands start with the prefix the user typed.
  ...spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', npm_lifecycle_event: 'exp' },
  }),
});
const validate = (argv: string[]) => {
  const raw = splitArgs(argv, booleanKeys([COMMON_OPTIONS, tabularQ.options]));
  return validateFlags(raw.flags, [COMMON_OPTIONS, tabularQ.options] as const);
};
const runDirs = (out: string): string[] =>
  readdirSync(out)
    .sort()
    .map((d) => join(out, d));
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('option validation', () => {
  it('parses typed values, kebab-case keys and defaults', () => {
    const [common, opts] = validate(['--alpha', '0.25', '--max-episode-steps=50', '--prior', 'none', '--seed', '7']);
    expect(common.seed).toBe(7);
    expect(common.out).toBe('runs');
    expect(opts).toMatchObject({ alpha: 0.25, maxEpisodeSteps: 50, prior: 'none', steps: 30_000 });
  });

  it('rejects bad values naming the option, the value and what is allowed', () => {
    expect(() => validate(['--alpha', '-1'])).toThrow(/--alpha: got '-1'; allowed: number >= 0/);
    expect(() => validate(['--prior', 'ref'])).toThrow(/--prior: got 'ref'; allowed: uniform\|reference\|none/);
    expect(() => validate(['--steps', '2.5'])).toThrow(/--steps: got '2.5'; allowed: integer > 0/);
    expect(() => validate(['--alpha', 'abc'])).toThrow(/--alpha: got 'abc'; allowed: number >= 0/);
    expect(() => validate(['--backend', 'gpu'])).toThrow(
      /--backend: got 'gpu' \(did you mean 'cpu'\?\); allowed: tensorflow\|wasm\|cpu/,
    );
    expect(() => validate(['--alpha'])).toThrow(/--alpha: missing value/);
  });

  it('boolean flags: bare, =true/=false and --no-<flag>', () => {
    const schema = z.object({ autoAlpha: z.boolean().default(true).describe('learn α') });
    const parse = (argv: string[]) =>
      validateFlags(splitArgs(argv, booleanKeys([schema])).flags, [schema] as const)[0].autoAlpha;
    expect(parse([])).toBe(true);
    expect(parse(['--no-auto-alpha'])).toBe(false);
    expect(parse(['--auto-alpha=false'])).toBe(false);
    expect(parse(['--auto-alpha'])).toBe(true);
    expect(() => parse(['--auto-alpha=maybe'])).toThrow(
      /--auto-alpha: got 'maybe'; allowed: a bare flag, true or false/,
    );
    expect(helpLines(schema).join('')).toMatch(/--\[no-\]auto-alpha\s+learn α \(default: true\)/);
  });

  it('rejects unknown options and suggests the closest', () => {
    expect(() => validate(['--alpah', '1'])).toThrow(UsageError);
    expect(() => validate(['--alpah', '1'])).toThrow(/unknown option --alpah \(did you mean --alpha\?\)/);
    expect(() => validate(['--log-evry', '3'])).toThrow(/did you mean --log-every\?/);
  });

  it('parses seed lists and rejects malformed ones', () => {
    expect(parseSeedList('1-3,7,2')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeedList('3-1')).toThrow(/--seeds: range '3-1' is empty/);
    expect(() => parseSeedList('a,b')).toThrow(/--seeds: 'a,b' is not a seed list/);
  });

  it('fails before any work from the command line, with exit code 2 and no run folder', () => {
    const cwd = tmp();
    const r = cli(['tabular-q', '--gamma', '1.5'], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--gamma: got '1.5'; allowed: number >= 0 <= 1/);
    expect(existsSync(join(cwd, 'runs'))).toBe(false);
    const u = cli(['tabulr-q'], cwd);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/unknown experiment 'tabulr-q' \(did you mean 'tabular-q'\?\)/);
  });

  it('every index entry loads a module with the same name and summary, and unique names', async () => {
    expect(new Set(EXPERIMENTS.map((e) => e.name)).size).toBe(EXPERIMENTS.length);
    for (const entry of EXPERIMENTS) {
      const { default: exp } = await entry.load();
      expect([exp.name, exp.summary]).toEqual([entry.name, entry.summary]);
      expect(Object.keys(exp.options.shape).filter((k) => k in COMMON_OPTIONS.shape)).toEqual([]);
    }
  });

  it("every experiment has a row in the README's table of experiments", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const rows = new Set([...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]));
    expect(EXPERIMENTS.map((e) => e.name).filter((name) => !rows.has(name))).toEqual([]);
  });
});

describe('run folders', () => {
  it('a run writes config.json, metrics.jsonl, status.json and the experiment files', () => {
    const cwd = tmp();
    const r = cli(['tabular-q', '--steps', '3000', '--seed', '4', '--alpha', '0.3'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend: (tensorflow|wasm|cpu)$/m);
    expect(r.stdout).toMatch(/tabular-q s4 3000\/3000 steps 100%/); // the non-TTY summary line
    const [dir] = runDirs(join(cwd, 'runs'));
    expect(dir).toMatch(/\d{4}-\d\d-\d\dT\d{4}-tabular-q-4$/);
    const cfg = json<RunConfig>(join(dir, 'config.json'));
    expect(cfg).toMatchObject({
      experiment: 'tabular-q',
      seed: 4,
      options: { alpha: 0.3, steps: 3000, prior: 'uniform', env: 'CliffWalking-v1' },
      version: '0.1.0',
      node: process.version,
    });
    expect(cfg.backend).toMatch(/tensorflow|wasm|cpu/);
    const rows = parseMetrics(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
    expect(rows.map((m) => m.step)).toEqual([500, 1000, 1500, 2000, 2500, 3000]);
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining(['charts/episodic_return', 'charts/entropy', 'losses/td_abs']),
    );
    expect(json<RunStatus>(join(dir, 'status.json'))).toMatchObject({ state: 'done', step: 3000 });
    expect(json<{ step: number }>(join(dir, 'checkpoint.json')).step).toBe(3000);
    expect(existsSync(join(dir, 'q_table.json'))).toBe(true);
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);

    // Resuming a finished run says so and exits 0 without running again (files untouched).
    const before = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
    const again = cli(['--resume', dir], cwd);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${dir} is already complete (status.json: done at step 3000); nothing to resume.`);
    expect(again.stdout).toContain('npm run exp -- tabular-q --seed=4');
    expect(again.stdout).not.toMatch(/backend:|tabular-q s4/); // no backend set up, no progress: nothing ran
    expect(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')])).toEqual(before);
  });

  it('--resume of a finished run is refused for every experiment, resumable or not, before loading a backend', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'config.json'), JSON.stringify({ experiment: 'gridworld-priors', seed: 2, options: {} }));
    writeFileSync(join(cwd, 'status.json'), JSON.stringify({ state: 'done', step: 12, updatedAt: '' }));
    const r = cli(['--resume', cwd], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/is already complete \(status.json: done at step 12\); nothing to resume/);
    expect(r.stdout).toContain('npm run exp -- gridworld-priors --seed=2');
  });

  it('--seeds runs each seed in its own folder, in parallel child processes', () => {
    const cwd = tmp();
    const r = cli(['tabular-q', '--seeds', '1-3', '--steps', '1000', '--workers', '2'], cwd);
    expect(r.status, r.stderr).toBe(0);
    const dirs = runDirs(join(cwd, 'runs'));
    expect(dirs.map((d) => json<RunConfig>(join(d, 'config.json')).seed).sort()).toEqual([1, 2, 3]);
    for (const d of dirs) expect(json<RunStatus>(join(d, 'status.json')).state).toBe('done');
    expect(r.stdout).toMatch(/seeds 3 done/);
    expect(r.stdout).toMatch(
      /combined over seeds 1, 2, 3 \(std over seeds, n − 1\):\n.*mean ± std.*\n(charts\/\S+ +3 +\S+ ± \S+ .*\n)+/,
    );
    // Different seeds learn differently; the same seed in its own process gives the same numbers.
    const metrics = dirs.map((d) => readFileSync(join(d, 'metrics.jsonl'), 'utf8'));
    expect(new Set(metrics).size).toBe(3);
  });
});

describe('seeds in parallel', () => {
  it('a failing seed is reported with its error while the others finish', async () => {
    const out = tmp();
    const jobs = [1, 2, 3].map((seed) => ({
      seed,
      dir: createRunDir(out, 'tabular-q', seed),
      // Seed 2 gets an invalid option, so its child process fails.
      args: ['tabular-q', `--seed=${seed}`, '--steps=500', `--log-every=${seed === 2 ? 0 : 100}`, `--out=${out}`],
    }));
    let text = '';
    const sink = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
    const results = await runSeedsInParallel(jobs, 2, sink);
    expect(results.map((r) => [r.seed, r.code])).toEqual([
      [1, 0],
      [2, 2],
      [3, 0],
    ]);
    expect(results[1].error).toMatch(/--log-every: got '0'; allowed: integer > 0/);
    expect(text).toMatch(/seed 2 FAILED \(exit 2, run folder .*tabular-q-2\):\n  priorlab: --log-every/);
    expect(text).toMatch(/seeds 2 done, 1 failed \| ETA \S+ \| s1 done s2 failed s3 done/);
    for (const r of [results[0], results[2]]) expect(json<RunStatus>(join(r.dir, 'status.json')).state).toBe('done');
  });
});

/**
 * Runs tabular-q in this process; `crashAt` throws from the progress callback at that step (a simulated crash).
 * `signal` is the test's: a test that times out stops the run instead of leaving it stepping into the next test.
 */
async function runInProcess(
  dir: string,
  steps: number,
  resume: boolean,
  signal: AbortSignal,
  crashAt?: number,
): Promise<void> {
  const options = tabularQ.options.parse({ steps, logEvery: 250, checkpointEvery: 1000 });
  const reporter: Reporter = {
    progress(step) {
      if (step === crashAt) throw new Error('simulated crash');
    },
    print() {},
    finish() {},
  };
  await runSeed({ experiment: tabularQ, options, seed: 3, dir, resume, backend: 'cpu', signal, reporter });
}

describe('resume', () => {
  it('a run resumed after a crash writes the same metrics.jsonl bytes as an uninterrupted run', async ({ signal }) => {
    const out = tmp();
    const whole = createRunDir(out, 'tabular-q', 3);
    await runInProcess(whole, 5000, false, signal);

    const crashed = createRunDir(out, 'tabular-q', 3);
    await expect(runInProcess(crashed, 5000, false, signal, 2750)).rejects.toThrow('simulated crash');
    expect(json<RunStatus>(join(crashed, 'status.json')).state).toBe('failed');
    expect(json<{ step: number }>(join(crashed, 'checkpoint.json')).step).toBe(2000);
    // Metrics went past the checkpoint (2250..2750); add a torn line as a crash mid-append would.
    writeFileSync(
      join(crashed, 'metrics.jsonl'),
      readFileSync(join(crashed, 'metrics.jsonl'), 'utf8') + '{"step":3000,"charts/ret',
    );

    await runInProcess(crashed, 5000, true, signal);
    const a = readFileSync(join(whole, 'metrics.jsonl'));
    const b = readFileSync(join(crashed, 'metrics.jsonl'));
    expect(b.equals(a)).toBe(true);
    expect(parseMetrics(a.toString()).length).toBe(20);
    expect(readFileSync(join(crashed, 'q_table.json')).equals(readFileSync(join(whole, 'q_table.json')))).toBe(true);
  });

  it('resuming a run that logged steps but has no checkpoint is refused, naming the file; nothing changes', async ({
    signal,
  }) => {
    const out = tmp();
    const crashed = createRunDir(out, 'tabular-q', 3);
    await expect(runInProcess(crashed, 1500, false, signal, 750)).rejects.toThrow('simulated crash');
    const metrics = readFileSync(join(crashed, 'metrics.jsonl'));
    await expect(runInProcess(crashed, 1500, true, signal)).rejects.toThrow(
      /checkpoint\.json: missing, but metrics\.jsonl has steps up to 750, so the run cannot continue/,
    );
    expect(readFileSync(join(crashed, 'metrics.jsonl')).equals(metrics)).toBe(true);
  });

  it('--resume rejects a folder without config.json, extra options and experiments without checkpoints', () => {
    const cwd = tmp();
    const r = cli(['--resume', cwd], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--resume: '.*' has no config.json/);
    writeFileSync(join(cwd, 'config.json'), JSON.stringify({ experiment: 'tabular-q', seed: 1, options: {} }));
    const extra = cli(['--resume', cwd, '--alpha', '2'], cwd);
    expect(extra.status).toBe(2);
    expect(extra.stderr).toMatch(/--resume reloads every option from .*config.json; drop --alpha/);
    const wrong = cli(['gridworld-priors', '--resume', cwd], cwd);
    expect(wrong.stderr).toMatch(/is a run of 'tabular-q', not 'gridworld-priors'/);
    writeFileSync(join(cwd, 'config.json'), JSON.stringify({ experiment: 'gridworld-priors', seed: 1, options: {} }));
    const unresumable = cli(['--resume', cwd], cwd);
    expect(unresumable.status).toBe(2);
    expect(unresumable.stderr).toMatch(/--resume: 'gridworld-priors' writes no checkpoints and cannot continue a run/);
  });
});

/** Spawns the CLI; the returned promise resolves with the exit code (the child is killed after 60 s or when the test ends). */
function start(args: string[], cwd: string, signal: AbortSignal) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CI: '1', npm_lifecycle_event: 'exp' },
    signal,
    killSignal: 'SIGKILL',
  });
  child.on('error', (e) => {
    if (e.name !== 'AbortError') throw e; // an abort is the test's timeout, which vitest reports
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<number | null>((res) => child.on('close', (code) => (clearTimeout(guard), res(code))));
  return { child, exited, stdout: () => stdout };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('Ctrl-C', () => {
  it('SIGINT stops at the next step and checkpoints, files stay intact, and --resume finishes with the uninterrupted bytes', async ({
    signal,
  }) => {
    const args = [
      'tabular-q',
      '--steps',
      '300000',
      '--log-every',
      '2000',
      '--checkpoint-every',
      '100000',
      '--seed',
      '5',
    ];
    const cwd = tmp();
    const runs = join(cwd, 'runs');
    const first = start(args, cwd, signal);
    const metricsOf = (): string => {
      const dir = existsSync(runs) ? runDirs(runs)[0] : undefined;
      return dir && existsSync(join(dir, 'metrics.jsonl')) ? readFileSync(join(dir, 'metrics.jsonl'), 'utf8') : '';
    };
    await until(() => parseMetrics(metricsOf()).length >= 3);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.stdout()).toMatch(/SIGINT: stopping after the current step/);
    expect(first.stdout()).toMatch(/stopped; resume with: npm run exp -- --resume \S+/);
    const [dir] = runDirs(runs);
    expect(json<RunStatus>(join(dir, 'status.json')).state).toBe('stopped');
    const ckpt = json<{ step: number }>(join(dir, 'checkpoint.json'));
    expect(ckpt.step).toBeGreaterThan(0);
    expect(ckpt.step).toBeLessThan(300_000);
    const text = metricsOf();
    expect(text.endsWith('\n')).toBe(true);
    const rows = parseMetrics(text);
    expect(rows.map((r) => r.step)).toEqual(rows.map((_, i) => 2000 * (i + 1)));
    expect(rows.at(-1)!.step).toBeLessThanOrEqual(ckpt.step);
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(json<RunConfig>(join(dir, 'config.json')).options.steps).toBe(300_000);

    // Resume to the end through the CLI; the result equals a run that was never interrupted.
    const again = start(['--resume', dir], cwd, signal);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain(`resumed from step ${ckpt.step}`);
    const whole = cli(args);
    expect(whole.status, whole.stderr).toBe(0);
    const [wholeDir] = runDirs(join(whole.cwd, 'runs'));
    expect(readFileSync(join(dir, 'metrics.jsonl')).equals(readFileSync(join(wholeDir, 'metrics.jsonl')))).toBe(true);
    expect(readFileSync(join(dir, 'q_table.json')).equals(readFileSync(join(wholeDir, 'q_table.json')))).toBe(true);
    expect(json<RunStatus>(join(dir, 'status.json')).state).toBe('done');
  });
});
