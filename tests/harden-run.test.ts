/**
 * Hardening of the run machinery (issue 14): one writer per run folder, run files checked before resume
 * changes anything, the seed cap over the whole --seeds list, Ctrl-C during --seeds start-up, cross-field
 * option rules before any folder exists, one-line errors with exit 2, stale temp files removed on resume.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tabularQ from '../experiments/tabular-q.js';
import sacPendulum from '../experiments/sac-pendulum.js';
import rssmPendulum from '../experiments/rssm-pendulum.js';
import {
  booleanKeys,
  COMMON_OPTIONS,
  MAX_SEEDS,
  parseSeedList,
  splitArgs,
  validateFlags,
} from '../src/node/run/options.js';
import { UsageError } from '../src/core/errors.js';
import { LOCK_FILE, lockRunDir, RunDirBusyError } from '../src/node/run/lock.js';
import { createRunDir, RunFileError } from '../src/node/run/rundir.js';
import { runSeed, type Reporter } from '../src/node/run/runner.js';
import type { z } from 'zod';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'priorlab-harden-'));
const cli = (args: string[], cwd = tmp()) => ({
  cwd,
  ...spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } }),
});
const quiet: Reporter = { progress() {}, print() {}, finish() {} };
const OPTIONS = tabularQ.options.parse({ steps: 3000, logEvery: 250, checkpointEvery: 1000 });

/** A finished tabular-q run folder (3000 steps, checkpoint at 3000), made in this process. */
async function finishedRun(): Promise<string> {
  const dir = createRunDir(tmp(), 'tabular-q', 3);
  await runSeed({
    experiment: tabularQ,
    options: OPTIONS,
    seed: 3,
    dir,
    resume: false,
    backend: 'cpu',
    signal: new AbortController().signal,
    reporter: quiet,
  });
  return dir;
}
const resume = (dir: string, options = OPTIONS) =>
  runSeed({
    experiment: tabularQ,
    options,
    seed: 3,
    dir,
    resume: true,
    backend: 'cpu',
    signal: new AbortController().signal,
    reporter: quiet,
  });

/** A pid that no longer exists: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** One line, no stack frames, no zod JSON. */
function expectOneLine(text: string): void {
  const lines = text.trim().split('\n');
  expect(lines, text).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at |"code":|TypeError|ZodError/m);
}

describe('run-folder lock (item 1)', () => {
  it('a second writer is refused naming the live holder; the folder is untouched', async () => {
    const dir = await finishedRun();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), `${holder.pid}\n`);
      const before = readFileSync(join(dir, 'metrics.jsonl'));
      expect(() => lockRunDir(dir)).toThrow(RunDirBusyError);
      await expect(resume(dir)).rejects.toThrow(`in use by another priorlab process (pid ${holder.pid})`);
      expect(readFileSync(join(dir, 'metrics.jsonl')).equals(before)).toBe(true);
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a stale lock of a dead pid is taken over, and released after the run', async () => {
    const dir = await finishedRun();
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    const release = lockRunDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    await resume(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("two --resume of one folder at once: the second exits 2 naming the first one's pid, the first finishes alone", async () => {
    const cwd = tmp();
    const first = cli(
      ['tabular-q', '--steps', '1000', '--log-every', '1000', '--checkpoint-every', '1000', '--seed', '2'],
      cwd,
    );
    expect(first.status, first.stderr).toBe(0);
    const dir = join(cwd, 'runs', readdirSync(join(cwd, 'runs'))[0]);
    // Turn it into a stopped run of 400000 steps so that the resume runs for a while.
    const cfgPath = join(dir, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    cfg.options.steps = 400_000;
    cfg.options.logEvery = 1;
    writeFileSync(cfgPath, JSON.stringify(cfg));
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'stopped', step: 1000, updatedAt: '' }));
    const a = spawn(process.execPath, [BIN, '--resume', dir], { cwd, env: { ...process.env, CI: '1' } });
    const aDone = new Promise<number | null>((res) => a.on('close', (code) => res(code)));
    try {
      for (let i = 0; i < 1200 && !existsSync(join(dir, LOCK_FILE)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
      const b = cli(['--resume', dir], cwd);
      expect(b.status).toBe(2);
      expect(b.stderr).toContain(`in use by another priorlab process (pid ${a.pid})`);
      expectOneLine(b.stderr);
    } finally {
      a.kill('SIGINT');
    }
    expect(await aDone).toBe(130);
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step as number);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1])).toBe(true);
  }, 120_000);
});

describe('run files checked before anything changes (items 2, 8)', () => {
  const corrupt: Array<[string, (ck: Record<string, any>) => unknown, RegExp]> = [
    ['step "abc"', (ck) => ({ ...ck, step: 'abc' }), /field step: got "abc"/],
    ['step null', (ck) => ({ ...ck, step: null }), /field step: got null/],
    ['step -5', (ck) => ({ ...ck, step: -5 }), /field step: got -5/],
    [
      'step 1e9',
      (ck) => ({ ...ck, step: 1e9 }),
      /field step: got 1000000000; allowed: at most the run's --steps \(3000\)/,
    ],
    ['{"state": {}}', () => ({ state: {} }), /field step: got nothing/],
    ['empty state', (ck) => ({ ...ck, state: {} }), /field state\.q: got nothing/],
    [
      'short table',
      (ck) => ({ ...ck, state: { ...ck.state, q: ck.state.q.slice(0, 10) } }),
      /field state\.q: .*exactly 192/,
    ],
    ['bad rng', (ck) => ({ ...ck, rng: { env: { alea: 1, spare: null } } }), /field rng\.env\.alea/],
    ['null', () => null, /the file: got null/],
  ];
  it.each(corrupt)(
    'checkpoint.json with %s: a one-line RunFileError, metrics.jsonl untouched',
    async (_name, edit, message) => {
      const dir = await finishedRun();
      const ck = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
      writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(edit(ck)));
      const metrics = readFileSync(join(dir, 'metrics.jsonl'));
      const status = readFileSync(join(dir, 'status.json'));
      const err = await resume(dir).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(RunFileError);
      expect(err!.message).toMatch(message);
      expect(err!.message).toContain(join(dir, 'checkpoint.json'));
      expectOneLine(err!.message);
      expect(readFileSync(join(dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
      expect(readFileSync(join(dir, 'status.json')).equals(status)).toBe(true);
    },
  );

  it.each([
    ['truncated', '{"step": 10', /not valid JSON/],
    ['empty', '', /the file is empty/],
    ['garbage', 'garbage\nmore', /not valid JSON/],
  ])('a %s checkpoint.json is a one-line error naming it', async (_name, text, message) => {
    const dir = await finishedRun();
    writeFileSync(join(dir, 'checkpoint.json'), text);
    const metrics = readFileSync(join(dir, 'metrics.jsonl'));
    await expect(resume(dir)).rejects.toThrow(message);
    expect(readFileSync(join(dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
  });

  it('the CLI: damaged config.json, status.json and bad options inside config.json exit 2 with one line naming the file and field', async () => {
    const dir = await finishedRun();
    const cfg = { experiment: 'tabular-q', seed: 3, options: { steps: 3000 } };
    const cases: Array<[string, string, string, RegExp]> = [
      ['config.json', 'null', '', /config\.json: the file: got null; allowed: expected object/],
      ['config.json', '{"experiment": "tab', '', /config\.json: not valid JSON/],
      ['config.json', 'garbage', '', /config\.json: not valid JSON/],
      [
        'config.json',
        JSON.stringify({ ...cfg, options: { alpha: -1 } }),
        '',
        /config\.json: field options\.alpha: got -1; allowed: expected number to be >=0/,
      ],
      [
        'config.json',
        JSON.stringify({ ...cfg, options: { alpah: 1 } }),
        '',
        /config\.json: field options: unknown field 'alpah'/,
      ],
      [
        'config.json',
        JSON.stringify({ ...cfg, options: { logEvery: '5' } }),
        '',
        /field options\.logEvery: got "5"; allowed: expected number, received string/,
      ],
      ['config.json', JSON.stringify({ ...cfg, experiment: 'nope' }), '', /config\.json: field experiment: got 'nope'/],
      [
        'status.json',
        'garbage',
        JSON.stringify(cfg),
        /status\.json: not valid JSON .*delete status\.json and resume again/,
      ],
      ['status.json', '{"state": "weird"}', JSON.stringify(cfg), /status\.json: field state: got "weird"/],
    ];
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'stopped', step: 3000, updatedAt: '' }));
    const metrics = readFileSync(join(dir, 'metrics.jsonl'));
    for (const [file, text, config, message] of cases) {
      if (config) writeFileSync(join(dir, 'config.json'), config);
      writeFileSync(join(dir, file), text);
      const r = cli(['--resume', dir]);
      expect(r.status, `${file} ${text}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expectOneLine(r.stderr);
      expect(readFileSync(join(dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
    }
  }, 120_000);
});

describe('stale temp files (item 10)', () => {
  it('resume removes the *.tmp files a killed writer left, at any depth, and nothing else', async () => {
    const dir = await finishedRun();
    writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'stopped', step: 3000, updatedAt: '' }));
    writeFileSync(join(dir, 'checkpoint.json.4242.tmp'), '{"step": 1');
    writeFileSync(join(dir, 'sac-state-0.json.77.tmp'), 'x'.repeat(1000));
    mkdirSync(join(dir, 'plots'));
    writeFileSync(join(dir, 'plots', 'a.svg.5.tmp'), '<svg');
    writeFileSync(join(dir, 'plots', 'a.svg'), '<svg/>');
    await resume(dir);
    const left = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(left).toEqual(
      expect.arrayContaining([
        'checkpoint.json',
        'metrics.jsonl',
        'plots',
        join('plots', 'a.svg'),
        'q_table.json',
        'status.json',
      ]),
    );
  });
});

describe('seed lists (item 3)', () => {
  it('the cap counts every range of the list together, before expanding any', () => {
    expect(() => parseSeedList('0-10000,10001-20000')).toThrow(/lists more than 10000 seeds in all/);
    expect(() => parseSeedList('0-4999,5000-9999,10000')).toThrow(UsageError);
    expect(parseSeedList('0-4999,5000-9999')).toHaveLength(MAX_SEEDS);
    expect(() => parseSeedList('0-999999999999999')).toThrow(/more than 10000/);
    expect(() => parseSeedList('99999999999999999999')).toThrow(/too large/);
  });

  it('the CLI refuses the list with exit 2 and makes no folder', () => {
    const r = cli(['tabular-q', '--seeds', '0-10000,10001-20000']);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr);
    expect(existsSync(join(r.cwd, 'runs'))).toBe(false);
  });
});

describe('cross-field option rules before any folder (item 5)', () => {
  const validate = (schema: z.ZodObject, argv: string[]) =>
    validateFlags(splitArgs(argv, booleanKeys([COMMON_OPTIONS, schema])).flags, [COMMON_OPTIONS, schema] as const);
  it('the experiments declare them in their schemas and the flag parser reports them naming the field', () => {
    expect(() => validate(sacPendulum.options, ['--batch-size', '1000000'])).toThrow(
      "--batch-size: got '1000000'; allowed: at most the replay buffer size (100000)",
    );
    expect(() => validate(sacPendulum.options, ['--batch-size', '100000'])).not.toThrow();
    expect(() => validate(rssmPendulum.options, ['--checkpoint-every', '30', '--log-every', '25'])).toThrow(
      "--checkpoint-every: got '30'; allowed: 0 or a multiple of --log-every=25",
    );
    expect(() => validate(rssmPendulum.options, ['--checkpoint-every', '30'])).toThrow(/--checkpoint-every: got '30'/);
    expect(() => validate(rssmPendulum.options, ['--log-every', '30'])).toThrow(
      '--checkpoint-every: got 250 (the default); allowed: 0 or a multiple of --log-every=30',
    );
    expect(validate(rssmPendulum.options, ['--checkpoint-every', '50', '--log-every', '25'])[1]).toMatchObject({
      checkpointEvery: 50,
    });
    // The θ̇ read-out fits deterDim + stochDim = 72 weights on (context + horizon − 4) steps of each window.
    expect(() => validate(rssmPendulum.options, ['--eval-windows', '4'])).toThrow(
      "--eval-windows: got '4'; allowed: at least 5: the θ̇ read-out needs more rows than its --deter-dim + --stoch-dim = 72 features",
    );
    expect(validate(rssmPendulum.options, ['--eval-windows', '4', '--env', 'Pendulum-v1'])[1]).toMatchObject({
      evalWindows: 4,
    });
    expect(() => validate(rssmPendulum.options, ['--seq-len', '201'])).toThrow(
      "--seq-len: got '201'; allowed: at most the episode length (200)",
    );
    expect(() => validate(rssmPendulum.options, ['--horizon', '196'])).toThrow(
      "--horizon: got '196'; allowed: at most 200 − context (195)",
    );
  });

  it.each([
    [['sac-pendulum', '--batch-size', '1000000'], /--batch-size: got '1000000'/],
    [['rssm-pendulum', '--checkpoint-every', '30', '--log-every', '25'], /--checkpoint-every: got '30'/],
  ])('%j exits 2 with one line and no run folder', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expectOneLine(r.stderr);
    expect(existsSync(join(r.cwd, 'runs'))).toBe(false);
  });
});

describe('bad --out (item 8)', () => {
  it('a file, or a path under a file: exit 2, one line naming the path, before any work', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'afile'), 'x');
    for (const out of ['afile', 'afile/sub']) {
      const r = cli(['tabular-q', '--out', out], cwd);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`--out: '${out}' cannot be a folder because ${join(cwd, 'afile')} is a file`);
      expectOneLine(r.stderr);
      expect(r.stdout).not.toMatch(/backend:/);
    }
  });
});

describe('Ctrl-C during --seeds start-up (item 4)', () => {
  it('exits 130, reports no seed as FAILED and leaves no empty run folder', async () => {
    const cwd = tmp();
    const child = spawn(process.execPath, [BIN, 'tabular-q', '--seeds', '1-6', '--workers', '2', '--steps', '200000'], {
      cwd,
      env: { ...process.env, CI: '1' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    for (let i = 0; i < 600 && !out.includes('running 6 seeds'); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200)); // the children are starting (they need ~2 s to load)
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).not.toMatch(/FAILED/);
    const runs = join(cwd, 'runs');
    const dirs = existsSync(runs) ? readdirSync(runs) : [];
    // A seed that got going before the signal stops and keeps its folder, with status.json; none is left empty.
    for (const d of dirs) expect(readdirSync(join(runs, d))).toContain('status.json');
    expect(dirs.length).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('slot checkpoints (item 2)', () => {
  it('checkpointState of a slot experiment names the allowed files; a missing, empty, torn or edited blob is refused before anything changes', async () => {
    const { slotStateSchema, checkSlotBlob } = await import('../src/node/run/slots.js');
    const { sha256Hex } = await import('../src/node/run/rundir.js');
    const sha = '0'.repeat(64);
    expect(slotStateSchema('rssm-state').safeParse({ file: 'rssm-state-250.json', sha256: sha }).success).toBe(true);
    expect(slotStateSchema('rssm-state').safeParse({ file: '../etc/passwd', sha256: sha }).success).toBe(false);
    expect(slotStateSchema('rssm-state').safeParse({ file: 'rssm-state-0.json', sha256: sha, extra: 1 }).success).toBe(
      false,
    );
    const dir = tmp();
    expect(() => checkSlotBlob(dir, { file: 'rssm-state-0.json', sha256: sha })).toThrow(
      `${join(dir, 'rssm-state-0.json')}: missing, but checkpoint.json points to it`,
    );
    for (const text of ['', '{"step": 250, "model": {"weights": [0.1, 0.', '{"step": 251}']) {
      writeFileSync(join(dir, 'rssm-state-0.json'), text);
      expect(() => checkSlotBlob(dir, { file: 'rssm-state-0.json', sha256: sha256Hex('{"step": 250}') })).toThrow(
        /rssm-state-0\.json: sha256 does not match the one checkpoint.json records/,
      );
    }
    writeFileSync(join(dir, 'rssm-state-0.json'), '{"step": 250}');
    expect(() => checkSlotBlob(dir, { file: 'rssm-state-0.json', sha256: sha256Hex('{"step": 250}') })).not.toThrow();
  });
});

describe('metrics.jsonl damage (item 2)', () => {
  it('a bad line before the end stops the resume and nothing is cut; a torn last line is still dropped', async () => {
    const dir = await finishedRun();
    const path = join(dir, 'metrics.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    const damaged = [...lines.slice(0, 3), 'garbage', ...lines.slice(3)].join('\n');
    writeFileSync(path, damaged);
    await expect(resume(dir)).rejects.toThrow(
      `${path} line 4: not JSON; repair or delete that line, then resume again (nothing was changed)`,
    );
    expect(readFileSync(path, 'utf8')).toBe(damaged);
    writeFileSync(path, `${lines.join('\n')}{"step": 3250, "charts/ret`);
    await resume(dir);
    expect(readFileSync(path, 'utf8')).toBe(lines.join('\n'));
  });
});

describe('one-line errors (item 8)', () => {
  it('file-system errors a user can cause become one line naming the path and what to do', async () => {
    const { fsErrorLine } = await import('../src/node/run/errors.js');
    const { issueLine } = await import('../src/core/errors.js');
    const errno = (code: string, path: string) => Object.assign(new Error(`${code}: raw message`), { code, path });
    expect(fsErrorLine(errno('EACCES', '/runs/x/.lock.12.tmp'))).toBe(
      '/runs/x/.lock.12.tmp: permission denied; make the folder writable (chmod u+w) or use another one (EACCES)',
    );
    expect(fsErrorLine(errno('ENOSPC', '/runs/x/metrics.jsonl'))).toMatch(
      /^\/runs\/x\/metrics\.jsonl: no space left on the device; free some space, then resume \(ENOSPC\)$/,
    );
    expect(fsErrorLine(errno('EBADF', '/x'))).toBeNull();
    expect(fsErrorLine(new Error('plain'))).toBeNull();
    const { z } = await import('zod');
    const res = z.object({ a: z.object({ b: z.number().min(0) }) }).safeParse({ a: { b: -2 } });
    expect(issueLine(res.error!, { a: { b: -2 } })).toBe('a.b: got -2; allowed: expected number to be >=0');
  });
});
