/**
 * Seeded fuzz over what a user can type or a file can hold (issue 14): the CLI's option parsing, the run-folder
 * files resume reads, every env's reset/step, the exact solver's model, the RSSM config checker and the
 * learner configs (continuous SAC, KL-PPO).
 *
 * Each case is built together with its expected verdict (valid or not), by a small spec written here
 * independently of the code under test. A valid case must be accepted; an invalid one must be refused with
 * an Error whose message is one line, names the field and is not a JavaScript engine message (no
 * "Cannot read properties of null"). About 10,000 cases; a table of the counts is printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Rng, RngStreams } from '../src/core/rng.js';
import { KlPpo, KLPPO_DEFAULTS, type KlPpoConfig } from '../src/agents/klppo/ppo.js';
import { SAC_DEFAULTS, SAC_OBJECTIVE, SacContinuous, type SacConfig } from '../src/agents/sac/continuous.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';
import { make, registeredIds } from '../src/envs/registry.js';
import type { Env, Transition, TabularModel } from '../src/envs/env.js';
import { softValueIteration } from '../src/agents/exact/softvi.js';
import { checkRssmConfig, DEFAULT_RSSM_CONFIG } from '../src/worldmodel/rssm.js';
import { EXPERIMENTS } from '../experiments/index.js';
import tabularQ from '../experiments/tabular-q.js';
import type { Experiment } from '../src/node/run/experiment.js';
import {
  booleanKeys,
  COMMON_OPTIONS,
  kebab,
  MAX_SEEDS,
  parseSeedList,
  splitArgs,
  validateFlags,
} from '../src/node/run/options.js';
import {
  checkpointDigest,
  checkRunValue,
  CHECKPOINT_SCHEMA,
  FILES,
  readCheckpoint,
  readRunFile,
  RUN_CONFIG_SCHEMA,
  RUN_STATUS_SCHEMA,
  type CheckpointFile,
} from '../src/node/run/rundir.js';

const rng = new Rng('fuzz-issue-14');
const pick = <T>(xs: readonly T[]): T => xs[rng.integer(xs.length)];
const chance = (p: number): boolean => rng.uniform() < p;

type Verdict = 'accepted' | 'refused';
interface Tally {
  [category: string]: { valid: number; invalid: number; failures: string[] };
}
const tally: Tally = {};

/** Engine messages that mean the code crashed instead of checking its input. */
const CRASH =
  /Cannot read propert|is not a function|is not iterable|undefined is not|of undefined|of null|Maximum call stack|Invalid array length/;

type Field = string | RegExp | string[];

/** Runs one case: `run` must return when `valid`, and throw a clear error naming `field` (or one of several) otherwise. */
function check(category: string, desc: string, valid: boolean, field: Field, run: () => unknown): void {
  const row = (tally[category] ??= { valid: 0, invalid: 0, failures: [] });
  row[valid ? 'valid' : 'invalid']++;
  let verdict: Verdict;
  let message = '';
  try {
    run();
    verdict = 'accepted';
  } catch (err) {
    verdict = 'refused';
    message = err instanceof Error ? err.message : `non-Error thrown: ${String(err)}`;
    if (!(err instanceof Error)) return void row.failures.push(`${desc}: ${message}`);
  }
  if (valid && verdict === 'refused') return void row.failures.push(`${desc}: valid but refused: ${message}`);
  if (!valid && verdict === 'accepted') return void row.failures.push(`${desc}: invalid but accepted`);
  if (verdict === 'accepted') return;
  const names =
    typeof field === 'string'
      ? message.includes(field)
      : Array.isArray(field)
        ? field.some((f) => message.includes(f))
        : field.test(message);
  if (message.includes('\n') || CRASH.test(message) || !names)
    row.failures.push(`${desc}: unclear error (want ${String(field)}): ${message}`);
}

// ---------------------------------------------------------------------------------------------------------
// 1. CLI option parsing

const JUNK = [
  '',
  'abc',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  'null',
  'true',
  'false',
  '[]',
  '{}',
  '0x10',
  ' 5',
  '1_000',
  '--',
  '5e-324',
  '1e308',
  '2.5',
  '-1',
  '-0',
  '0',
  '1',
  '3',
  '7',
  '25',
  '100',
  '250',
  '1000000',
  '0.5',
  '.5',
  '5.',
  '+4',
  '1e3',
  'uniform',
  'none',
  'reference',
  'wasm',
  'cpu',
  'runs',
];
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type FieldKind = { kind: 'boolean' } | { kind: 'number'; schema: z.ZodType } | { kind: 'string'; schema: z.ZodType };

/** Unwraps defaults/optionals to learn what a field holds (the kind only; the values are checked by the schema). */
function kindOf(field: z.ZodType): FieldKind {
  let t = field as unknown as { def: { type: string; innerType?: unknown } };
  while (t.def.innerType && ['default', 'optional', 'prefault', 'nullable'].includes(t.def.type))
    t = t.def.innerType as typeof t;
  if (t.def.type === 'boolean') return { kind: 'boolean' };
  return { kind: t.def.type === 'number' ? 'number' : 'string', schema: field };
}

/** The spec of a seed list: comma-separated decimal integers or low-high ranges, at most MAX_SEEDS in all. */
function seedListValid(spec: string): boolean {
  let count = 0;
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) return false;
    count += hi - lo + 1;
  }
  return count <= MAX_SEEDS;
}

function seedSpec(): string {
  const part = (): string => {
    const n = (): string =>
      pick(['0', '1', '5', '9999', '10000', '10001', '20000', '99999999999999999999', 'a', '-1', '']);
    return chance(0.5) ? n() : `${n()}-${n()}`;
  };
  return Array.from({ length: 1 + rng.integer(3) }, part).join(pick([',', ',', ', ']));
}

function fuzzCli(experiments: readonly Experiment[], cases: number): void {
  for (let c = 0; c < cases; c++) {
    const exp = pick(experiments);
    const schemas = [COMMON_OPTIONS, exp.options] as const;
    const known = schemas.flatMap((s) => Object.keys(s.shape)).filter((k) => k !== 'help' && k !== 'resume');
    const flags: Array<{ key: string; raw: string | true }> = [];
    for (let i = rng.integer(4); i > 0; i--) {
      const key = chance(0.08) ? pick(['alpah', 'stpes', 'fooBar', 'seedz']) : pick(known);
      const field = COMMON_OPTIONS.shape[key as keyof typeof COMMON_OPTIONS.shape] ?? exp.options.shape[key];
      const kind = field ? kindOf(field as z.ZodType) : null;
      let raw: string | true;
      if (key === 'seeds') raw = seedSpec();
      else if (kind?.kind === 'boolean') raw = pick([true, true, 'true', 'false', 'maybe', '1']);
      else raw = chance(0.05) ? true : pick(JUNK);
      flags.push({ key, raw });
    }
    // The expected verdict, from the spec: no repeats, known keys, typed values, then the schemas (ranges, cross-field rules).
    const inputs = schemas.map(() => ({}) as Record<string, unknown>);
    let valid = new Set(flags.map((f) => f.key)).size === flags.length;
    let blame: string | RegExp = /--[a-z]/;
    for (const { key, raw } of flags) {
      const idx = schemas.findIndex((s) => key in s.shape);
      if (idx < 0) {
        valid = false;
        continue;
      }
      const kind = kindOf(schemas[idx].shape[key as never] as z.ZodType);
      let value: unknown;
      if (kind.kind === 'boolean') value = raw === true || raw === 'true' ? true : raw === 'false' ? false : undefined;
      else if (raw === true) value = undefined;
      else if (kind.kind === 'number')
        value = DECIMAL.test(raw) && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
      else value = raw;
      if (value === undefined) valid = false;
      inputs[idx][key] = value;
    }
    if (valid) valid = schemas.every((s, i) => s.safeParse(inputs[i]).success);
    const seeds = flags.find((f) => f.key === 'seeds');
    if (valid && seeds && typeof seeds.raw === 'string') valid = seedListValid(seeds.raw);
    if (flags.length === 1)
      blame = flags[0].key.match(/alpah|stpes|fooBar|seedz/) ? 'unknown option' : `--${kebab(flags[0].key)}`;
    // Words as a user types them: --k=v, or --k v when v cannot be mistaken for a flag.
    // (A boolean flag never takes the next word: `--auto-alpha false` would leave 'false' as an argument.)
    const argv = flags.flatMap(({ key, raw }) => {
      const flag = `--${chance(0.8) ? kebab(key) : key}`;
      if (raw === true) return [flag];
      const isBoolean =
        key in COMMON_OPTIONS.shape
          ? false
          : kindOf((exp.options.shape[key] as z.ZodType) ?? z.string()).kind === 'boolean';
      return raw === '' || raw.startsWith('-') || isBoolean || chance(0.5) ? [`${flag}=${raw}`] : [flag, raw];
    });
    check('cli options', `${exp.name} ${JSON.stringify(argv)}`, valid, blame, () => {
      const parsed = splitArgs(argv, booleanKeys([...schemas]));
      if (parsed.positional.length) throw new Error(`unexpected argument '${parsed.positional[0]}'`);
      const [common] = validateFlags(parsed.flags, schemas);
      if (common.seeds !== undefined) parseSeedList(common.seeds);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Run-folder files, as resume reads them

type Mutation = { desc: string; text: string; valid: boolean; field: string | RegExp };
const WRONG: unknown[] = [null, true, [], {}, '5', 'abc', -5, 1.5, 1e9, -1e-9];

/** A field of a file and the values it allows (the spec of the file format). */
interface FieldSpec {
  path: string[];
  ok: (v: unknown) => boolean;
}
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNum = (v: unknown): boolean => typeof v === 'number';

function mutate(template: Record<string, unknown>, fields: readonly FieldSpec[]): Mutation {
  const doc = structuredClone(template);
  const text = JSON.stringify(doc, null, 2);
  switch (rng.integer(6)) {
    case 0: {
      const cut = 1 + rng.integer(text.length - 2);
      const t = text.slice(0, cut);
      let parses = true;
      try {
        JSON.parse(t);
      } catch {
        parses = false;
      }
      return parses
        ? { desc: `cut at ${cut}`, text: t, valid: false, field: /got|field|file/ }
        : { desc: `cut at ${cut}`, text: t, valid: false, field: 'not valid JSON' };
    }
    case 1:
      return pick([
        { desc: 'empty', text: '', valid: false, field: 'the file is empty' },
        { desc: 'garbage', text: 'garbage\n\u0000\u00ff', valid: false, field: 'not valid JSON' },
        { desc: 'null', text: 'null', valid: false, field: 'the file: got null' },
        { desc: 'array', text: '[]', valid: false, field: 'the file: got []' },
      ]);
    case 2: {
      const f = pick(fields);
      let parent = doc as Record<string, unknown>;
      for (const k of f.path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
      delete parent[f.path.at(-1)!];
      const valid = f.ok(undefined);
      return {
        desc: `without ${f.path.join('.')}`,
        text: JSON.stringify(doc),
        valid,
        field: `field ${f.path.join('.')}`,
      };
    }
    case 3:
      return {
        desc: 'whitespace and key order',
        text: JSON.stringify(Object.fromEntries(Object.entries(doc).reverse()), null, 4),
        valid: true,
        field: '',
      };
    default: {
      const f = pick(fields);
      const v = pick(WRONG);
      let parent = doc as Record<string, unknown>;
      for (const k of f.path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
      parent[f.path.at(-1)!] = v;
      return {
        desc: `${f.path.join('.')} = ${JSON.stringify(v)}`,
        text: JSON.stringify(doc),
        valid: f.ok(v),
        field: `field ${f.path.join('.')}`,
      };
    }
  }
}

function fuzzRunFiles(cases: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'priorlab-fuzz-'));
  const opts = tabularQ.options.parse({ steps: 3000 });
  const stateSchema = tabularQ.checkpointState!(opts);
  const nQ = 48 * 4;
  const alea = { c: 1, s0: 0.1, s1: 0.2, s2: 0.3 };
  const files = [
    {
      name: FILES.config,
      schema: RUN_CONFIG_SCHEMA,
      template: {
        experiment: 'tabular-q',
        seed: 3,
        options: { steps: 3000 },
        requestedBackend: null,
        command: 'priorlab tabular-q',
      },
      fields: [
        { path: ['experiment'], ok: (v: unknown) => typeof v === 'string' && v.length > 0 },
        { path: ['seed'], ok: isCount },
        { path: ['options'], ok: (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) },
        { path: ['requestedBackend'], ok: (v: unknown) => v === null || v === undefined },
        { path: ['command'], ok: (v: unknown) => v === undefined || typeof v === 'string' },
      ],
    },
    {
      name: FILES.status,
      schema: RUN_STATUS_SCHEMA,
      template: { state: 'stopped', step: 1000, updatedAt: '2026-11-29T00:00:00Z' },
      fields: [
        { path: ['state'], ok: () => false },
        { path: ['step'], ok: (v: unknown) => v === null || isCount(v) },
        { path: ['updatedAt'], ok: (v: unknown) => typeof v === 'string' },
      ],
    },
    {
      name: FILES.checkpoint,
      schema: CHECKPOINT_SCHEMA,
      template: {
        step: 2000,
        state: {
          q: new Array(nQ).fill(-1.5),
          s: 3,
          t: 7,
          episodeReturn: -4,
          episodes: 12,
          windowReturns: [-13],
          tdAbsSum: 2.5,
          tdCount: 100,
          lastReturn: null,
        },
        rng: { env: { alea, spare: null }, agent: { alea, spare: 0.25 } },
      },
      fields: [
        { path: ['step'], ok: (v: unknown) => isCount(v) && (v as number) <= 3000 },
        { path: ['rng', 'env', 'alea', 's1'], ok: isNum },
        { path: ['rng', 'agent', 'spare'], ok: (v: unknown) => v === null || isNum(v) },
        { path: ['state', 'q'], ok: () => false },
        { path: ['state', 's'], ok: (v: unknown) => isCount(v) && (v as number) < 48 },
        { path: ['state', 't'], ok: (v: unknown) => isCount(v) && (v as number) < 100 },
        { path: ['state', 'episodes'], ok: isCount },
        { path: ['state', 'tdAbsSum'], ok: (v: unknown) => isNum(v) && (v as number) >= 0 },
        { path: ['state', 'lastReturn'], ok: (v: unknown) => v === null || isNum(v) },
        { path: ['state', 'windowReturns'], ok: (v: unknown) => Array.isArray(v) && v.length === 0 },
      ],
    },
  ];
  // checkpoint.json carries the digest of its contents: every change but whitespace and the top-level key order
  // is refused, by the check that names the field or else by the digest.
  const ckTemplate = files.find((f) => f.name === FILES.checkpoint)!.template as unknown as CheckpointFile;
  (ckTemplate as unknown as Record<string, unknown>).digest = checkpointDigest(ckTemplate);
  for (let c = 0; c < cases; c++) {
    const file = pick(files);
    const m = mutate(file.template, file.fields);
    if (file.name === FILES.checkpoint && m.desc !== 'whitespace and key order') {
      const unchanged = m.valid && m.text === JSON.stringify(file.template);
      m.valid = unchanged;
      m.field = new RegExp(
        `${typeof m.field === 'string' ? m.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : m.field.source}|field digest`,
      );
    }
    writeFileSync(join(dir, file.name), m.text);
    check('run files', `${file.name}: ${m.desc}`, m.valid, m.field, () => {
      // What the runner checks for a checkpoint: the frame, the step against --steps, the state against the
      // experiment's schema, then the digest.
      if (file.name === FILES.checkpoint)
        readCheckpoint(dir, (ck) => {
          if (ck.step > opts.steps) throw new Error(`field step: got ${ck.step}; allowed: at most ${opts.steps}`);
          checkRunValue(dir, file.name, stateSchema, ck.state, ['state']);
        });
      else readRunFile(dir, file.name, file.schema);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 3. Every env's reset and step

/** Valid reset options of an env, from its documentation; each entry draws a value and says whether it is allowed. */
const RESET_OPTIONS: Record<string, Record<string, () => [unknown, (o: Record<string, unknown>) => boolean]>> = {
  'Pendulum-v1': {
    xInit: () => {
      const v = pick([0, 1, 3, -1, NaN, '2', null]);
      return [v, () => typeof v === 'number' && v >= 0];
    },
    yInit: () => {
      const v = pick([0, 1, 8, 9, -1, Infinity, true]);
      return [v, () => typeof v === 'number' && v >= 0 && v <= 8];
    },
  },
  'MountainCarContinuous-v0': {
    low: () => {
      const v = pick([-1.2, -1, -0.6, 0.5, -100, 1, 'x']);
      return [v, () => typeof v === 'number' && v >= -1.2 && v <= 0.6];
    },
    high: () => {
      const v = pick([-0.4, 0, 0.6, 100, -1.3, null]);
      return [v, (o) => typeof v === 'number' && v <= 0.6 && v >= ((o.low as number | undefined) ?? -0.6)];
    },
  },
};
RESET_OPTIONS['PendulumNoVel-v1'] = RESET_OPTIONS['Pendulum-v1'];

function fuzzEnvs(cases: number): void {
  const ids = registeredIds();
  const envs = new Map<string, Env>(ids.map((id) => [id, make(id)]));
  const running = new Map<string, boolean>(ids.map((id) => [id, false]));
  for (let c = 0; c < cases; c++) {
    const id = pick(ids);
    let env = envs.get(id)!;
    if (!running.get(id) || chance(0.3)) {
      // reset
      const arg: Record<string, unknown> = {};
      const wrong: string[] = [];
      if (chance(0.6)) {
        const seed = chance(0.7)
          ? rng.integer(1000)
          : pick<unknown>([-1, 1.5, '5', {}, { a: 1 }, null, NaN, 2 ** 60, true, []]);
        arg.seed = seed;
        if (!(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0))
          wrong.push('seed must be a non-negative integer');
      }
      if (chance(0.4)) {
        const spec = RESET_OPTIONS[id] ?? {};
        const options: Record<string, unknown> = {};
        const checks: Array<[string, (o: Record<string, unknown>) => boolean]> = [];
        for (const [name, draw] of Object.entries(spec)) {
          if (!chance(0.5)) continue;
          const [v, ok] = draw();
          options[name] = v;
          checks.push([name, ok]);
        }
        if (chance(0.15)) {
          options.bogus = 1;
          checks.push(['bogus', () => false]);
        }
        arg.options = options;
        for (const [name, ok] of checks)
          if (!ok(options)) wrong.push(name === 'bogus' ? "unknown option 'bogus'" : `option ${name}`);
      }
      if (chance(0.03)) [arg.sed] = [1, wrong.push("unknown field 'sed'")];
      const valid = wrong.length === 0;
      check('env reset', `${id}.reset(${JSON.stringify(arg)})`, valid, wrong, () => {
        const { obs } = env.reset(arg);
        if (!env.observationSpace.contains(obs)) throw new Error(`obs ${String(obs)} outside the observation space`);
      });
      if (valid) running.set(id, true);
      continue;
    }
    // step
    const space = env.actionSpace;
    let action: unknown;
    let valid: boolean;
    let field: string | RegExp = 'action';
    if (space.kind === 'discrete') {
      action = chance(0.8) ? rng.integer(space.n) : pick<unknown>([-1, space.n, 1.5, '1', null, NaN, [0]]);
      valid = Number.isInteger(action) && (action as number) >= 0 && (action as number) < space.n;
    } else {
      const a: unknown[] = Array.from(
        { length: space.dim },
        (_, i) => space.low[i] + (space.high[i] - space.low[i]) * (rng.uniform() * 3 - 1),
      );
      valid = true;
      if (chance(0.2)) {
        const bad = pick<unknown>([NaN, Infinity, -Infinity, '1', null, undefined]);
        a[rng.integer(space.dim)] = bad;
        valid = false;
      }
      if (id === 'MountainCarContinuous-v0' && chance(0.05)) [a[0], valid] = [pick([1e308, -1e200]), false];
      action = chance(0.05) ? ((valid = false), a.slice(1)) : chance(0.03) ? ((valid = false), 'left') : a;
    }
    const closing = chance(0.01);
    if (closing) {
      env.close();
      [valid, field] = [false, 'after close()'];
    }
    check('env step', `${id}.step(${JSON.stringify(action)})${closing ? ' after close' : ''}`, valid, field, () => {
      const r = env.step(action as never);
      if (!Number.isFinite(r.reward)) throw new Error(`reward ${r.reward} is not finite`);
      if (!env.observationSpace.contains(r.obs)) throw new Error(`obs ${String(r.obs)} outside the observation space`);
      if (r.terminated || r.truncated) running.set(id, false);
    });
    if (closing) {
      env = make(id);
      envs.set(id, env);
      running.set(id, false);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4. The exact solver's model

function fuzzSolver(cases: number): void {
  for (let c = 0; c < cases; c++) {
    const nS = 2 + rng.integer(5);
    const nA = 1 + rng.integer(3);
    const terminal = new Set([nS - 1]);
    const P: Transition[][][] = Array.from({ length: nS }, () =>
      Array.from({ length: nA }, () => {
        const k = 1 + rng.integer(3);
        const w = Array.from({ length: k }, () => rng.uniform() + 0.01);
        const sum = w.reduce((x, y) => x + y, 0);
        return w.map((x) => {
          const next = rng.integer(nS);
          return { prob: x / sum, next, reward: rng.normal(), terminated: terminal.has(next) };
        });
      }),
    );
    let valid = true;
    let field: string | RegExp = 'model.';
    if (chance(0.6)) {
      valid = false;
      const s = rng.integer(nS - 1); // a non-terminal state
      const a = rng.integer(nA);
      const t = P[s][a][0];
      switch (rng.integer(7)) {
        case 0:
          [t.next, field] = [pick([nS, -1, 1.5, NaN]), `model.P[${s}][${a}][0].next`];
          break;
        case 1:
          [t.prob, field] = [pick([-0.5, 1.5, NaN]), `model.P[${s}][${a}][0].prob`];
          break;
        case 2:
          [t.prob, field] = [t.prob / 2, `model.P[${s}][${a}] probabilities`];
          break;
        case 3:
          [t.reward, field] = [pick([NaN, Infinity, -Infinity]), `model.P[${s}][${a}][0].reward`];
          break;
        case 4:
          [(t as { terminated: unknown }).terminated, field] = [
            pick([null, 0, 'no']),
            `model.P[${s}][${a}][0].terminated`,
          ];
          break;
        case 5:
          P[s].pop();
          field = `model.P[${s}].length`;
          break;
        default:
          (P[s][a] as unknown[])[0] = pick([null, 5, 'x']);
          field = `model.P[${s}][${a}][0]`;
      }
    }
    const model: TabularModel = {
      nStates: nS,
      nActions: nA,
      P,
      initialDistribution: new Float64Array(nS).fill(1 / nS),
      terminalStates: terminal,
    };
    check('exact solver', `nS=${nS} nA=${nA}`, valid, field, () => {
      const r = softValueIteration(model, { alpha: pick([0, 0.1, 1]), gamma: 0.9, maxIterations: 5000 });
      if (!r.converged || !r.V.every(Number.isFinite)) throw new Error(`not converged or non-finite V`);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 5. The RSSM config checker

const RSSM_FIELDS: Record<string, (v: unknown) => boolean> = {
  deterDim: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4096,
  stochDim: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4096,
  hiddenDim: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4096,
  minStd: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  obsStd: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  rewardStd: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  lr: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  klScale: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  freeNats: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  clipNorm: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  klBalance: (v) => v === null || (typeof v === 'number' && v > 0 && v < 1),
  learnObsStd: (v) => typeof v === 'boolean',
};

function fuzzRssmConfig(cases: number): void {
  const values: unknown[] = [0, 1, 2, 64, 0.5, 1e-3, -1, 2.5, NaN, Infinity, null, true, '5', [], {}, 1e9];
  for (let c = 0; c < cases; c++) {
    const cfg: Record<string, unknown> = {};
    let valid = true;
    let field: string | RegExp = 'RssmConfig';
    for (let i = rng.integer(3); i >= 0; i--) {
      const key = chance(0.1) ? pick(['klbalance', 'alpha', 'batchSize']) : pick(Object.keys(RSSM_FIELDS));
      if (key in cfg) continue;
      cfg[key] = pick(values);
      const ok = key in RSSM_FIELDS ? RSSM_FIELDS[key](cfg[key]) : false;
      if (valid && !ok) [valid, field] = [false, `RssmConfig.`];
    }
    check('rssm config', JSON.stringify(cfg), valid, field, () => checkRssmConfig(cfg));
  }
  expect(Object.keys(RSSM_FIELDS).sort()).toEqual(Object.keys(DEFAULT_RSSM_CONFIG).sort());
}

// ---------------------------------------------------------------------------------------------------------
// 6. Learner configs (continuous SAC, KL-PPO): each scalar field's rule, written here from the docs as an oracle.

const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const nonNegInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const SAC_FIELDS: Record<string, (v: unknown) => boolean> = {
  totalSteps: posInt,
  bufferSize: (v) => posInt(v) && (v as number) <= 1e7,
  batchSize: posInt,
  gradientSteps: posInt,
  policyFrequency: posInt,
  logEvery: posInt,
  evalEpisodes: (v) => posInt(v) && (v as number) <= 1e4,
  learningStarts: nonNegInt,
  evalEvery: nonNegInt,
  checkpointEvery: nonNegInt,
  gamma: (v) => finite(v) && v >= 0 && v <= 1,
  tau: (v) => finite(v) && v > 0 && v <= 1,
  actorLr: (v) => finite(v) && v > 0,
  criticLr: (v) => finite(v) && v > 0,
  alphaLr: (v) => finite(v) && v > 0,
  clipNorm: (v) => finite(v) && v >= 0,
};
const PPO_FIELDS: Record<string, (v: unknown) => boolean> = {
  numEnvs: (v) => posInt(v) && (v as number) <= 1024,
  numSteps: posInt,
  numMinibatches: posInt,
  updateEpochs: posInt,
  annealIterations: nonNegInt,
  gamma: (v) => finite(v) && v >= 0 && v <= 1,
  gaeLambda: (v) => finite(v) && v >= 0 && v <= 1,
  learningRate: (v) => finite(v) && v > 0,
  clipCoef: (v) => finite(v) && v > 0,
  maxGradNorm: (v) => finite(v) && v > 0,
  vfCoef: (v) => finite(v) && v >= 0,
  initLogStd: finite,
  klHorizon: (v) => finite(v) && v > 0,
  normAdv: (v) => typeof v === 'boolean',
};

function fuzzLearnerConfigs(cases: number): void {
  const values: unknown[] = [0, 1, 2, 3, 64, 0.5, 1e-3, -1, 2.5, NaN, Infinity, null, true, false, '5', [], {}, 1e9];
  const pendulum = make('Pendulum-v1');
  const sacObjective = makeObjective(SAC_OBJECTIVE, pendulum);
  const ppoObjective = makeObjective({ prior: 'uniform', alpha: 0.1 }, pendulum);
  for (let c = 0; c < cases; c++) {
    const sac = chance(0.5);
    const fields = sac ? SAC_FIELDS : PPO_FIELDS;
    const cfg: Record<string, unknown> = {};
    let valid = true;
    for (let i = rng.integer(3); i >= 0; i--) {
      const key = chance(0.1) ? pick(['learningRate', 'alpha', 'klControl', 'hidden_']) : pick(Object.keys(fields));
      if (key in cfg || (key === 'learningRate' && !sac)) continue;
      cfg[key] = pick(values);
      if (!(key in fields && fields[key](cfg[key]))) valid = false;
    }
    // The rules between fields.
    if (valid && sac)
      valid =
        ((cfg.batchSize as number) ?? SAC_DEFAULTS.batchSize) <=
        ((cfg.bufferSize as number) ?? SAC_DEFAULTS.bufferSize);
    if (valid && !sac) {
      const get = (k: keyof KlPpoConfig) => (cfg[k] ?? KLPPO_DEFAULTS[k]) as number;
      const batch = get('numEnvs') * get('numSteps');
      valid = batch <= 1_000_000 && batch % get('numMinibatches') === 0;
    }
    const desc = `${sac ? 'SacConfig' : 'KlPpoConfig'} ${JSON.stringify(cfg)}`;
    check('learner config', desc, valid, sac ? 'SacConfig.' : 'KlPpoConfig.', () => {
      if (sac)
        new SacContinuous(
          { ...SAC_DEFAULTS, hidden: [4], ...cfg } as SacConfig,
          pendulum,
          sacObjective,
          new Rng(1),
        ).dispose();
      else
        new KlPpo(
          () => make('Pendulum-v1'),
          ppoObjective,
          { hidden: [4], ...cfg } as Partial<KlPpoConfig>,
          new RngStreams(1),
        ).dispose();
    });
  }
}

// ---------------------------------------------------------------------------------------------------------

let experiments: Experiment[] = [];
beforeAll(async () => {
  await initNodeBackend('wasm'); // tfjs and the SAC engine, for the learner configs
  experiments = await Promise.all(EXPERIMENTS.map(async (e) => (await e.load()).default));
});

describe('fuzz (seeded, ~10,000 cases)', () => {
  it('every valid case is accepted; every invalid one is a one-line error naming the field', () => {
    fuzzCli(experiments, 4000);
    fuzzRunFiles(2000);
    fuzzEnvs(2500);
    fuzzSolver(1000);
    fuzzRssmConfig(600);
    fuzzLearnerConfigs(600);
    const rows = Object.entries(tally).map(([category, r]) => ({
      category,
      valid: r.valid,
      invalid: r.invalid,
      failures: r.failures.length,
    }));
    console.log(
      [
        'category        valid  invalid  failures',
        ...rows.map(
          (r) =>
            `${r.category.padEnd(14)} ${String(r.valid).padStart(6)} ${String(r.invalid).padStart(8)} ${String(r.failures).padStart(9)}`,
        ),
      ].join('\n') + `\ntotal ${rows.reduce((s, r) => s + r.valid + r.invalid, 0)} cases`,
    );
    expect(Object.fromEntries(Object.entries(tally).map(([k, r]) => [k, r.failures.slice(0, 5)]))).toEqual(
      Object.fromEntries(rows.map((r) => [r.category, []])),
    );
    for (const r of rows) {
      expect(r.valid, `${r.category}: valid cases`).toBeGreaterThan(50);
      expect(r.invalid, `${r.category}: invalid cases`).toBeGreaterThan(50);
    }
  }, 120_000);
});
