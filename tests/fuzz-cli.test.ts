/**
 * The hostile-user pass of issue 26, as a seeded fuzz through the CLI's own `main` (in this process, for speed):
 * junk options for every command, damaged run files of every kind (a flipped byte, a changed number, a changed
 * base64 character, truncated, the wrong JSON type, a `__proto__` key, deleted), crafted agents (with and
 * without a recomputed digest), and the bounds and fail-fast cases. Each case is checked for:
 *
 * - no stack trace and no raw JavaScript message; exactly one error line; exit 2 for bad input, 1 for a run that
 *   failed (an unreachable Redis), never the "unexpected error" hint;
 * - no file left by refused input (the work folder is compared before and after);
 * - no hang (each case has a time bound);
 * - no silently accepted damage: a damaged run that resumes (exit 0) must end byte-identical to the undamaged
 *   resume, and a damaged agent that evaluates must print the undamaged agent's numbers.
 *
 * A table of the counts is printed.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Rng } from '../src/core/rng.js';
import { main } from '../experiments/cli.js';
import { manifestDigest } from '../src/node/train/agent-io.js';
import { checkpointDigest } from '../src/node/run/rundir.js';

const rng = new Rng('fuzz-cli-issue-26');
const pick = <T>(xs: readonly T[]): T => xs[rng.integer(xs.length)];
const chance = (p: number): boolean => rng.uniform() < p;

/** Engine messages that mean the code crashed instead of checking its input. */
const RAW =
  /Cannot read propert|is not a function|is not iterable|undefined is not|of undefined|of null|Maximum call stack|Invalid array length|Cannot convert|is not defined|is not a constructor|Unexpected end of JSON input$/;
const STACK = /^\s+at |\n\s+at /m;
const CASE_MS = 20_000;

interface Result {
  code: number | 'hang';
  out: string;
  err: string;
  ms: number;
}

/** Runs `main(argv)` with stdout/stderr captured; a case that takes over CASE_MS is reported as a hang. */
async function cli(argv: string[]): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn, write: process.stdout.write };
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(' '));
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(' '));
  console.warn = console.error;
  process.stdout.write = ((chunk: string | Uint8Array) => (
    out.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(argv),
      new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), CASE_MS))),
    ]);
    return { code, out: out.join('\n'), err: err.join('\n'), ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.write;
  }
}

// ---------------------------------------------------------------------------------------------------------

type Tally = Record<string, { cases: number; refused: number; accepted: number; failures: string[]; ms?: number }>;
const tally: Tally = {};
let invocations = 0;

/** Every file under `dir` with its size and mtime: what "no file left behind" compares. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(`${p} ${st.isDirectory() ? 'dir' : st.size}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

interface Expect {
  /** Exit codes allowed; 0 means "may be accepted" (then `same` must hold). */
  codes: number[];
  /** The error line must contain one of these (a file, an option). */
  names?: Array<string | RegExp>;
  /** For an accepted case: true when what it produced equals the undamaged result. */
  same?: (r: Result) => boolean;
  /** The folder that must hold no new file when the case is refused (default: the work folder). */
  untouched?: string;
}

async function check(category: string, desc: string, argv: string[], want: Expect): Promise<Result> {
  const row = (tally[category] ??= { cases: 0, refused: 0, accepted: 0, failures: [] });
  row.cases++;
  invocations++;
  const watched = [work, ...(want.untouched ? [want.untouched] : [])];
  const snap = () => watched.flatMap(listing);
  const before = snap();
  const r = await cli(argv);
  row.ms = (row.ms ?? 0) + r.ms;
  const fail = (why: string) => void row.failures.push(`${desc}: ${why} (exit ${r.code}; ${r.err.slice(0, 300)})`);
  if (r.code === 'hang') return (fail(`no answer in ${CASE_MS} ms`), r);
  if (r.code === 0) row.accepted++;
  else row.refused++;
  if (!want.codes.includes(r.code)) fail(`exit ${r.code}, allowed ${want.codes.join('/')}`);
  if (STACK.test(r.err) || STACK.test(r.out)) fail('stack trace');
  if (RAW.test(r.err)) fail('raw JavaScript message');
  if (/PRIORLAB_DEBUG/.test(r.err)) fail('reported as an unexpected error');
  if (r.code !== 0) {
    const lines = r.err.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('priorlab: warning:'));
    if (lines.length !== 1) fail(`${lines.length} error lines`);
    if (want.names && !want.names.some((n) => (typeof n === 'string' ? r.err.includes(n) : n.test(r.err))))
      fail(`the message names none of ${want.names.map(String).join(', ')}`);
    const after = snap();
    const added = after.filter((l) => !before.includes(l.replace(/ \d+$/, '')) && !before.includes(l));
    const fresh = after.filter((l) => !before.some((b) => b.split(' ')[0] === l.split(' ')[0]));
    if (fresh.length) fail(`left files: ${fresh.slice(0, 3).join(', ')}`);
    void added;
  } else if (want.same && !want.same(r)) fail('accepted, and the result differs from the undamaged one');
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures: a stopped tabular-q run, a stopped SAC `train` run, a finished SAC agent.

let work = '';
/** Where the damaged copies live (outside `work`, so that its listing stays short). */
let cases = '';
let cwd0 = '';
const fixtures = { tq: '', sac: '', agent: '' };

const TQ = ['tabular-q', '--steps', '4000', '--log-every', '250', '--checkpoint-every', '1000', '--seed', '3'];
const SAC_SET = 'learningStarts=100,evalEvery=200,evalEpisodes=1,checkpointEvery=100,hidden=[8,8]';
const SAC = ['train', '--algo', 'sac', '--env', 'Pendulum-v1', '--steps', '400', '--set', SAC_SET, '--seed', '4'];

/** Marks a finished run as stopped at its checkpoint `step` (as a Ctrl-C there would leave it). */
function stopAt(dir: string): void {
  const ck = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { step: number };
  writeFileSync(join(dir, 'status.json'), JSON.stringify({ state: 'stopped', step: ck.step, updatedAt: 'x' }));
}

/** A copy of run folder `src` in a fresh folder of `work`. */
function copyRun(src: string): string {
  const dir = join(mkdtempSync(join(cases, 'case-')), 'run');
  cpSync(src, dir, { recursive: true });
  return dir;
}

async function makeRun(argv: string[]): Promise<string> {
  const out = mkdtempSync(join(work, 'fixture-'));
  const r = await cli([...argv, '--out', out]);
  if (r.code !== 0) throw new Error(`fixture ${argv.join(' ')}: ${r.err}`);
  return join(out, readdirSync(out)[0]);
}

beforeAll(async () => {
  process.env.CI = '1';
  work = mkdtempSync(join(tmpdir(), 'priorlab-fuzz-cli-'));
  cases = mkdtempSync(join(tmpdir(), 'priorlab-fuzz-cases-'));
  cwd0 = process.cwd();
  process.chdir(work);
  fixtures.tq = await makeRun(TQ);
  fixtures.sac = await makeRun(SAC);
  fixtures.agent = fixtures.sac;
}, 120_000);

afterAll(() => {
  process.chdir(cwd0);
  rmSync(work, { recursive: true, force: true });
  rmSync(cases, { recursive: true, force: true });
});

/**
 * A stopped run made from a finished one: its --steps raised in config.json (as a user may), so a resume reads
 * and checks every file, then continues from the last checkpoint with real work to do.
 */
function stoppedCopy(src: string): string {
  const dir = copyRun(src);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  cfg.options.steps *= 1.5;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
  stopAt(dir);
  return dir;
}

/** True when `dir` ended with the same bytes as `ref` in metrics.jsonl and the run's results. */
const sameRun = (dir: string, ref: string): boolean =>
  ['metrics.jsonl', 'q_table.json', 'agent.bin'].every(
    (f) =>
      existsSync(join(ref, f)) === existsSync(join(dir, f)) &&
      (!existsSync(join(ref, f)) || readFileSync(join(dir, f)).equals(readFileSync(join(ref, f)))),
  );

// ---------------------------------------------------------------------------------------------------------
// Damage

type Damage = { desc: string; apply(text: Buffer): Buffer | null };

/** A byte at a non-whitespace position changed to another printable byte. */
function flipByte(text: Buffer): Buffer {
  const b = Buffer.from(text);
  const positions = [...b.keys()].filter((i) => ![0x20, 0x0a, 0x0d, 0x09].includes(b[i]));
  const i = pick(positions);
  let v = b[i];
  while (v === b[i] || [0x20, 0x0a, 0x0d, 0x09].includes(v)) v = 0x21 + rng.integer(94);
  b[i] = v;
  return b;
}

/** One number in the text changed (still valid JSON). */
function changeNumber(text: Buffer): Buffer {
  const s = text.toString('utf8');
  const nums = [...s.matchAll(/-?\d+\.\d+/g)];
  if (!nums.length) return flipByte(text);
  const m = pick(nums);
  const i = m.index! + m[0].length - 1;
  const d = s[i] === '9' ? '0' : String(Number(s[i]) + 1);
  return Buffer.from(s.slice(0, i) + d + s.slice(i + 1));
}

/** One character inside a long base64 run changed to another base64 character. */
function changeBase64(text: Buffer): Buffer {
  const s = text.toString('utf8');
  const runs = [...s.matchAll(/[A-Za-z0-9+/]{32,}/g)];
  if (!runs.length) return changeNumber(text);
  const m = pick(runs);
  const i = m.index! + rng.integer(m[0].length - 4);
  return Buffer.from(s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1));
}

const DAMAGE: Damage[] = [
  { desc: 'a flipped byte', apply: flipByte },
  { desc: 'a changed number', apply: changeNumber },
  { desc: 'a changed base64 character', apply: changeBase64 },
  { desc: 'truncated', apply: (t) => t.subarray(0, 1 + rng.integer(Math.max(1, t.length - 2))) },
  { desc: 'empty', apply: () => Buffer.alloc(0) },
  { desc: 'the wrong JSON type', apply: () => Buffer.from(pick(['[]', '"x"', '5', 'null', 'true'])) },
  {
    desc: 'a __proto__ key',
    apply: (t) => {
      const s = t.toString('utf8');
      const at = s.indexOf('{');
      return at < 0 ? null : Buffer.from(`${s.slice(0, at + 1)}"__proto__": {"polluted": 1}, ${s.slice(at + 1)}`);
    },
  },
  { desc: 'deleted', apply: () => null },
];

function damage(dir: string, file: string, d: Damage): void {
  const path = join(dir, file);
  const next = d.apply(readFileSync(path));
  if (next === null) rmSync(path);
  else writeFileSync(path, next);
}

const blobOf = (dir: string): string => readdirSync(dir).find((f) => /^learner-state-\d+b?\.json$/.test(f))!;

// ---------------------------------------------------------------------------------------------------------

describe('fuzz through the CLI (issue 26)', () => {
  it('≥ 300 invocations: 0 stack traces, 0 raw JavaScript messages, 0 files left by refused input, 0 hangs, 0 silently accepted damage', async () => {
    const t0 = performance.now();
    // References: the undamaged resumes and the undamaged agent's evaluation.
    const tqRef = stoppedCopy(fixtures.tq);
    expect((await cli(['--resume', tqRef])).code).toBe(0);
    const sacRef = stoppedCopy(fixtures.sac);
    expect((await cli(['--resume', sacRef])).code).toBe(0);
    const evalRef = await cli(['eval', fixtures.agent, '--episodes', '1']);
    expect(evalRef.code, evalRef.err).toBe(0);
    const evalTable = (out: string) => out.split('\n').filter((l) => l.startsWith('|'));

    // 1. Damaged files of every kind, each resumed (or evaluated).
    const resumeFiles: Array<[string, string, () => string]> = [
      ['tabular-q', 'checkpoint.json', () => 'checkpoint.json'],
      ['tabular-q', 'status.json', () => 'status.json'],
      ['tabular-q', 'config.json', () => 'config.json'],
      ['sac', 'checkpoint.json', () => 'checkpoint.json'],
      ['sac', 'learner-state', () => blobOf(fixtures.sac)],
    ];
    for (let c = 0; c < 110; c++) {
      const [kind, label, fileOf] = pick(resumeFiles);
      let d = pick(DAMAGE);
      // config.json and status.json carry no digest (a user may edit them): only damage that breaks their form.
      if ((label === 'config.json' || label === 'status.json') && /byte|number|base64/.test(d.desc))
        d = pick(DAMAGE.slice(3));
      const src = kind === 'sac' ? fixtures.sac : fixtures.tq;
      const ref = kind === 'sac' ? sacRef : tqRef;
      const dir = stoppedCopy(src);
      const file = fileOf();
      damage(dir, file, d);
      // A deleted status.json is rewritten by resume (the README says so): accepted, and must match.
      await check(`damaged ${label}`, `${kind} ${file}: ${d.desc}`, ['--resume', dir], {
        codes: [0, 2],
        names: [file, 'config.json', 'checkpoint.json'],
        untouched: dir,
        same: () => sameRun(dir, ref),
      });
    }
    for (let c = 0; c < 50; c++) {
      const file = pick(['agent.json', 'agent.bin']);
      const d = pick(DAMAGE);
      const dir = copyRun(fixtures.agent);
      damage(dir, file, d);
      await check(`damaged ${file}`, `${file}: ${d.desc}`, ['eval', dir, '--episodes', '1'], {
        codes: [0, 2],
        names: [file, dir],
        same: (r) => JSON.stringify(evalTable(r.out)) === JSON.stringify(evalTable(evalRef.out)),
      });
    }
    // A checkpoint edited and its digest recomputed (a deliberate forgery) still meets the state's own checks.
    for (let c = 0; c < 10; c++) {
      const dir = stoppedCopy(fixtures.tq);
      const ck = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
      const edits: Array<[string, () => void]> = [
        ['q shortened', () => (ck.state.q = ck.state.q.slice(1))],
        ['step past --steps', () => (ck.step = 1e9)],
        ['state null', () => (ck.state = null)],
        ['rng of a string', () => (ck.rng.env = 'x')],
      ];
      const [what, edit] = pick(edits);
      edit();
      ck.digest = checkpointDigest(ck);
      writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(ck));
      await check('forged checkpoint', what, ['--resume', dir], {
        codes: [2],
        names: ['checkpoint.json'],
        untouched: dir,
      });
    }

    // 2. Crafted agents: manifests no trainer wrote, with and without a recomputed digest.
    const manifest0 = JSON.parse(readFileSync(join(fixtures.agent, 'agent.json'), 'utf8'));
    const crafted: Array<[string, (m: any) => void]> = [
      ['tensors a string', (m) => (m.tensors = 'x')],
      ['tensors null', (m) => (m.tensors = null)],
      ['a tensor without length', (m) => delete m.tensors[0].length],
      [
        'reference named constructor',
        (m) => (m.objective = { ...m.objective, prior: 'reference', reference: 'constructor' }),
      ],
      [
        'reference named __proto__',
        (m) => (m.objective = { ...m.objective, prior: 'reference', reference: '__proto__' }),
      ],
      ['networks null', (m) => (m.networks = null)],
      ['env null', (m) => (m.env = null)],
      ['env.options null', (m) => (m.env.options = null)],
      ['env id constructor', (m) => (m.env.id = 'constructor')],
      ['algo constructor', (m) => (m.algo = 'constructor')],
      ['config null', (m) => (m.config = null)],
      ['config with a bad field', (m) => (m.config = { ...m.config, batchSize: -5 })],
      ['objective a number', (m) => (m.objective = 5)],
      ['objective alpha -1', (m) => (m.objective = { ...m.objective, alpha: -1 })],
      ['format version 99', (m) => (m.formatVersion = 99)],
      ['a huge tensor', (m) => (m.tensors[0].length = 1e12)],
      ['step -1', (m) => (m.step = -1)],
      ['sha256 not hex', (m) => (m.sha256 = 'zz')],
      ['the digest removed', (m) => delete m.digest],
      ['observation space changed', (m) => (m.env.observationSpace = 'Box(7)')],
    ];
    for (const [what, edit] of crafted) {
      for (const redigest of [false, true]) {
        const dir = copyRun(fixtures.agent);
        const m = structuredClone(manifest0);
        edit(m);
        if (redigest && m && typeof m === 'object' && 'digest' in m) m.digest = manifestDigest(m);
        writeFileSync(join(dir, 'agent.json'), JSON.stringify(m, null, 2));
        for (const cmd of [
          ['eval', dir, '--episodes', '1'],
          ['enjoy', dir],
        ])
          await check('crafted agent', `${what}${redigest ? ' (digest recomputed)' : ''}: ${cmd[0]}`, cmd, {
            codes: [2],
            names: ['agent.json', 'agent.bin', dir],
            untouched: dir,
          });
      }
    }
    // A crafted agent as another run's reference prior.
    {
      const dir = copyRun(fixtures.agent);
      const m = structuredClone(manifest0);
      m.tensors = 'x';
      m.digest = manifestDigest(m);
      writeFileSync(join(dir, 'agent.json'), JSON.stringify(m));
      await check(
        'crafted agent',
        'as --reference',
        ['train', '--env', 'Pendulum-v1', '--prior', 'reference', '--reference', dir, '--steps', '10'],
        {
          codes: [2],
          names: ['agent.json'],
        },
      );
    }

    // 3. Bounds, fail-fast and validation before anything is written.
    const spec = (name: string, body: object): string => {
      const path = join(work, `${name}.yaml`);
      writeFileSync(path, typeof body === 'string' ? body : stringify({ experiment: 'tabular-q', ...body }));
      return path;
    };
    const ok = spec('ok', { options: { steps: 100 }, grid: { alpha: [0.1, 1] }, seeds: '1' });
    const outOf = (name: string) => join(work, `sweep-${name}`);
    const fixed: Array<[string, string[], Expect]> = [
      [
        'eval --episodes 100000000',
        ['eval', fixtures.agent, '--episodes', '100000000'],
        { codes: [2], names: ['--episodes'] },
      ],
      [
        'enjoy --episodes 1000000000',
        ['enjoy', fixtures.agent, '--episodes', '1000000000'],
        { codes: [2], names: ['--episodes'] },
      ],
      [
        'eval --env-options {g: .inf}',
        ['eval', fixtures.agent, '--env-options', '{g: .inf}'],
        { codes: [2], names: ['--env-options'] },
      ],
      [
        'train --env-options {g: .inf}',
        ['train', '--env-options', '{g: .inf}', '--out', work],
        { codes: [2], names: ['--env-options'] },
      ],
      [
        'eval --env-options __proto__',
        ['eval', fixtures.agent, '--env-options', '{__proto__: {a: 1}}'],
        { codes: [2], names: ['__proto__'] },
      ],
      [
        'train --env-options constructor',
        ['train', '--env-options', '{constructor: 1}', '--out', work],
        { codes: [2], names: ['constructor'] },
      ],
      [
        'train --reference constructor',
        ['train', '--env', 'Pendulum-v1', '--prior', 'reference', '--reference', 'constructor', '--out', work],
        { codes: [2], names: ['--reference'] },
      ],
      ['enjoy --out <folder>', ['enjoy', fixtures.agent, '--out', work], { codes: [2], names: ['--out'] }],
      ['--out /proc/nope', [...TQ, '--out', '/proc/nope'], { codes: [2], names: ['/proc'] }],
      ['--out /proc/nope/deeper', [...TQ, '--out', '/proc/nope/deeper'], { codes: [2], names: ['/proc'] }],
      ['train --out /proc/x', ['train', '--steps', '10', '--out', '/proc/x'], { codes: [2], names: ['/proc'] }],
      ['sweep --out /proc/x', ['sweep', ok, '--out', '/proc/x/y'], { codes: [2], names: ['/proc'] }],
      [
        'sweep --queue notaurl',
        ['sweep', ok, '--queue', 'notaurl', '--out', outOf('q')],
        { codes: [2], names: ['--queue'] },
      ],
      [
        'sweep --queue http://x',
        ['sweep', ok, '--queue', 'http://127.0.0.1:1', '--out', outOf('q2')],
        { codes: [2], names: ['--queue'] },
      ],
      [
        'sweep --queue-file missing',
        ['sweep', ok, '--queue-file', join(work, 'nofile'), '--out', outOf('q3')],
        { codes: [2], names: ['--queue-file'] },
      ],
      [
        'sweep --queue and --queue-file',
        ['sweep', ok, '--queue', 'redis://127.0.0.1:1', '--queue-file', ok, '--out', outOf('q4')],
        { codes: [2], names: ['--queue'] },
      ],
      [
        'sweep x: nosuch',
        ['sweep', spec('x', { options: { steps: 100 }, x: 'nosuch' }), '--out', outOf('x')],
        { codes: [2], names: ['x:'] },
      ],
      [
        'sweep grid __proto__',
        ['sweep', spec('proto', 'experiment: tabular-q\ngrid: {__proto__: [1, 2]}\n' as never), '--out', outOf('p')],
        { codes: [2], names: ['__proto__'] },
      ],
      [
        'sweep options constructor',
        ['sweep', spec('ctor', 'experiment: tabular-q\noptions: {constructor: 1}\n' as never), '--out', outOf('c')],
        { codes: [2], names: ['constructor'] },
      ],
      [
        'sweep 10000 samples × 10000 seeds',
        [
          'sweep',
          spec('big', {
            options: { steps: 100 },
            random: { samples: 10_000, options: { alpha: { uniform: [0.1, 1] } } },
            seeds: '1-10000',
          }),
          '--out',
          outOf('big'),
        ],
        { codes: [2], names: ['random.samples'] },
      ],
      [
        'sweep 100 × 100 grid × 2 seeds',
        [
          'sweep',
          spec('grid', {
            grid: {
              alpha: Array.from({ length: 100 }, (_, i) => i + 1),
              lr: Array.from({ length: 100 }, (_, i) => (i + 1) / 200),
            },
            seeds: '1-2',
          }),
          '--out',
          outOf('g'),
        ],
        { codes: [2], names: ['trials'] },
      ],
      [
        'sweep status unreachable',
        ['sweep', 'status', '--queue', 'redis://127.0.0.1:1', '--connect-timeout', '500'],
        { codes: [1], names: ['did not answer within 500 ms'] },
      ],
      [
        'worker unreachable',
        ['worker', '--queue', 'redis://127.0.0.1:1', '--connect-timeout', '500'],
        { codes: [1], names: ['did not answer'] },
      ],
      ['worker without a queue', ['worker'], { codes: [2], names: ['queue'] }],
      ['--resume a missing folder', ['--resume', join(work, 'nosuch')], { codes: [2], names: ['--resume'] }],
      ['eval a missing folder', ['eval', join(work, 'nosuch')], { codes: [2], names: ['nosuch'] }],
      ['compare a missing folder', ['compare', join(work, 'nosuch')], { codes: [2], names: ['nosuch'] }],
    ];
    for (const [desc, argv, want] of fixed) await check('bounds and validation', desc, argv, want);
    // The env variant of the queue.
    process.env.PRIORLAB_QUEUE = 'notaurl';
    await check('bounds and validation', '$PRIORLAB_QUEUE notaurl', ['sweep', 'status', '--connect-timeout', '300'], {
      codes: [2],
      names: ['PRIORLAB_QUEUE'],
    });
    delete process.env.PRIORLAB_QUEUE;
    // A run folder whose creation was cut short (kill -9 at the first rename) and one that logged without a checkpoint.
    {
      const cut = join(mkdtempSync(join(cases, 'case-')), 'run');
      mkdirSync(cut);
      writeFileSync(join(cut, 'config.json.4242.tmp'), '{"experiment": "tabu');
      await check('interrupted folders', 'only config.json.<pid>.tmp', ['--resume', cut], {
        codes: [2],
        names: ['start the run again'],
        untouched: cut,
      });
      const lost = stoppedCopy(fixtures.tq);
      rmSync(join(lost, 'checkpoint.json'));
      await check('interrupted folders', 'checkpoint.json deleted', ['--resume', lost], {
        codes: [2],
        names: ['checkpoint.json: missing, but metrics.jsonl has steps'],
        untouched: lost,
      });
    }

    // Damaged sweep and compare inputs: structural damage only (sweep.json and config.json carry no digest).
    const sweepOut = join(work, 'sweep-fixture');
    const made = await cli(['sweep', ok, '--out', sweepOut, '--workers', '1']);
    expect(made.code, made.err).toBe(0);
    const structural: Array<[string, (s: string) => string]> = [
      ['truncated', (t) => t.slice(0, Math.floor(t.length / 2))],
      ['the wrong JSON type', () => '[]'],
      ['a __proto__ key', (t) => t.replace('{', '{"__proto__": {"x": 1},')],
      ['a trial id that leaves the folder', (t) => t.replace('"id": "c0-s1"', '"id": "../../escape"')],
      ['trials a string', (t) => t.replace(/"trials": \[/, '"trials": "x", "old": [')],
    ];
    for (const [what, edit] of structural) {
      const copy = join(mkdtempSync(join(cases, 'sweep-')), 'sweep');
      cpSync(sweepOut, copy, { recursive: true });
      writeFileSync(join(copy, 'sweep.json'), edit(readFileSync(join(copy, 'sweep.json'), 'utf8')));
      for (const argv of [
        ['sweep', 'status', copy],
        ['sweep', copy],
      ])
        await check('damaged sweep.json', `${what}: ${argv.slice(0, -1).join(' ')}`, argv, {
          codes: [2],
          names: ['sweep.json'],
          untouched: copy,
        });
    }
    for (const [file, edits] of [
      ['config.json', structural.slice(0, 3)],
      ['metrics.jsonl', [['a garbage line inside', (t: string) => t.replace('\n', '\nnot json\n')] as const]],
    ] as const) {
      for (const [what, edit] of edits) {
        const dir = copyRun(fixtures.tq);
        writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
        await check('damaged compare input', `${file}: ${what}`, ['compare', dir, '--out', join(work, 'cmp')], {
          codes: [2],
          names: [file],
          untouched: dir,
        });
      }
    }

    // 4. Junk options for every command, seeded.
    const JUNK = [
      '',
      'abc',
      'NaN',
      '-1',
      '0',
      '1e999',
      '0x10',
      '{',
      '{__proto__: 1}',
      '[]',
      '1.5',
      '99999999999',
      'constructor',
      '/proc/x',
    ];
    const commands: Array<[string[], string[]]> = [
      [
        ['tabular-q'],
        [
          'steps',
          'alpha',
          'seed',
          'seeds',
          'workers',
          'log-every',
          'checkpoint-every',
          'out',
          'backend',
          'prior',
          'alpah',
        ],
      ],
      [
        ['train'],
        ['algo', 'env', 'steps', 'set', 'env-options', 'prior', 'alpha', 'target-kl', 'reference', 'seed', 'out'],
      ],
      [
        ['eval', fixtures.agent],
        ['episodes', 'seed', 'env-options', 'epsiodes'],
      ],
      [
        ['enjoy', fixtures.agent],
        ['episodes', 'seed', 'size', 'every', 'fps', 'out'],
      ],
      [
        ['sweep', ok],
        ['workers', 'queue', 'queue-file', 'backend', 'out'],
      ],
      [
        ['sweep', 'status'],
        ['queue', 'queue-file', 'connect-timeout'],
      ],
      [['worker'], ['queue', 'concurrency', 'lock-ms', 'connect-timeout', 'checkpoints']],
      [
        ['compare', fixtures.tq],
        ['group', 'at', 'out'], // (--metric lists the logged names on purpose, one line per namespace)
      ],
    ];
    let junkCases = 0;
    while (junkCases < 120) {
      const [head, flags] = pick(commands);
      const n = 1 + rng.integer(2);
      const argv = [...head];
      for (let i = 0; i < n; i++) argv.push(`--${pick(flags)}=${pick(JUNK)}`);
      // Keep outputs inside the work folder; skip combinations that would legitimately run for long.
      if (!argv.some((a) => a.startsWith('--out='))) argv.push(`--out=${join(work, 'junk-out')}`);
      if (head[0] === 'worker' || (head[0] === 'sweep' && head[1] === 'status')) argv.push('--connect-timeout=300');
      const r = await cli(argv);
      invocations++;
      junkCases++;
      const row = (tally['junk options'] ??= { cases: 0, refused: 0, accepted: 0, failures: [] });
      row.cases++;
      row.ms = (row.ms ?? 0) + r.ms;
      if (r.ms > 1500) console.log(`slow junk case (${r.ms.toFixed(0)} ms): ${argv.join(' ')}`);
      if (r.code === 0) row.accepted++;
      else row.refused++;
      const desc = argv.join(' ');
      if (r.code === 'hang') row.failures.push(`${desc}: hang`);
      else if (![0, 1, 2].includes(r.code)) row.failures.push(`${desc}: exit ${r.code}`);
      if (STACK.test(r.err)) row.failures.push(`${desc}: stack trace`);
      if (RAW.test(r.err)) row.failures.push(`${desc}: raw JavaScript message: ${r.err}`);
      if (/PRIORLAB_DEBUG/.test(r.err)) row.failures.push(`${desc}: unexpected error: ${r.err}`);
      if (r.code !== 0) {
        const lines = r.err.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('priorlab: warning:'));
        if (lines.length !== 1) row.failures.push(`${desc}: ${lines.length} error lines: ${r.err}`);
      }
      rmSync(join(work, 'junk-out'), { recursive: true, force: true });
      rmSync(join(work, 'sweeps'), { recursive: true, force: true });
    }

    const rows = Object.entries(tally);
    console.log(
      [
        'category                     cases  refused  accepted  failures   time s',
        ...rows.map(
          ([k, r]) =>
            `${k.padEnd(28)} ${String(r.cases).padStart(5)} ${String(r.refused).padStart(8)} ${String(r.accepted).padStart(9)} ${String(r.failures.length).padStart(9)} ${((r.ms ?? 0) / 1000).toFixed(1).padStart(8)}`,
        ),
        `${invocations} CLI invocations in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      ].join('\n'),
    );
    expect(Object.fromEntries(rows.map(([k, r]) => [k, r.failures.slice(0, 6)]))).toEqual(
      Object.fromEntries(rows.map(([k]) => [k, []])),
    );
    expect(invocations).toBeGreaterThanOrEqual(300);
    // Damage must mostly be refused: a fuzz that accepted everything would prove nothing.
    for (const k of ['damaged checkpoint.json', 'damaged learner-state', 'damaged agent.json', 'damaged agent.bin'])
      expect(tally[k]?.refused ?? 0, k).toBeGreaterThan(3);
  }, 240_000);
});
