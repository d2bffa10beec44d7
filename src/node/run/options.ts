/**
 * Command-line options: parsing `--key value` / `--key=value` / `--flag`, validating them against
 * zod schemas before any work, and rendering `--help` from the schemas' defaults and descriptions.
 *
 * Two schemas take part: the common options every experiment accepts (`COMMON_OPTIONS`: seeds,
 * output folder, backend, resume, workers) and the experiment's own `options`. Keys are camelCase
 * in the schema and kebab-case on the command line (`learningRate` ↔ `--learning-rate`); both
 * spellings are accepted. Errors name the option, the value given and what is allowed; an unknown
 * option suggests the closest known one.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { definitionList, termColumns } from './term.js';

/** The most seeds one `--seeds` may start (each makes a run folder and a child process). */
export const MAX_SEEDS = 10_000;

/** `1,2,3` or `1-5` or a mix (`1-3,7`) → sorted distinct non-negative integers, at most `MAX_SEEDS` of them. */
export function parseSeedList(spec: string): number[] {
  const ranges: Array<[number, number]> = [];
  let count = 0;
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m)
      throw new UsageError(
        `--seeds: '${spec}' is not a seed list (allowed: comma-separated integers and ranges, e.g. 1,2,3 or 1-5)`,
      );
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (!Number.isSafeInteger(hi))
      throw new UsageError(
        `--seeds: seed '${m[2] ?? m[1]}' is too large (allowed: integers up to ${Number.MAX_SAFE_INTEGER})`,
      );
    if (hi < lo) throw new UsageError(`--seeds: range '${part.trim()}' is empty (allowed: low-high with low <= high)`);
    // Counted before any range is expanded, so a huge list fails at once instead of filling memory.
    count += hi - lo + 1;
    if (count > MAX_SEEDS)
      throw new UsageError(`--seeds: '${spec}' lists more than ${MAX_SEEDS} seeds in all; run fewer at a time`);
    ranges.push([lo, hi]);
  }
  const out = new Set<number>();
  for (const [lo, hi] of ranges) for (let s = lo; s <= hi; s++) out.add(s);
  return [...out].sort((a, b) => a - b);
}

/** Options the CLI itself handles for every experiment. */
export const COMMON_OPTIONS = z.object({
  seed: z.number().int().min(0).default(1).describe('root seed of the run (all randomness derives from it)'),
  seeds: z.string().optional().describe('several seeds, run in parallel, one run folder each: 1,2,3 or 1-5'),
  out: z.string().min(1).default('runs').describe('folder that receives the run folders'),
  backend: z
    .enum(['tensorflow', 'wasm', 'cpu'])
    .optional()
    .describe('tfjs backend (default: tensorflow if installed, else wasm, else cpu)'),
  resume: z.string().optional().describe('run folder to resume from its last checkpoint (reloads its config.json)'),
  workers: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`how many seeds run at once with --seeds (default: the number of cores, here ${availableParallelism()})`),
  help: z.boolean().default(false).describe('show this help'),
});
/** The options every experiment accepts (`--seed`, `--seeds`, `--out`, `--backend`, …). */
export type CommonOptions = z.infer<typeof COMMON_OPTIONS>;

export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Raw command line: positional words and `--key` → string value (or `true` for a bare flag). */
export interface RawArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Splits argv. `--k v`, `--k=v` and bare `--flag` are recognized; a bare flag takes no value when the next word is another flag. */
export function splitArgs(argv: readonly string[], isBoolean: (key: string) => boolean = () => false): RawArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const body = word.slice(2);
    const eq = body.indexOf('=');
    let key: string;
    let value: string | true;
    if (eq >= 0) {
      key = camel(body.slice(0, eq));
      value = body.slice(eq + 1);
    } else {
      key = camel(body);
      const next = argv[i + 1];
      // Negative numbers (`--alpha -1`) are values, not flags.
      const nextIsValue = next !== undefined && (!next.startsWith('-') || /^-\d/.test(next));
      if (!isBoolean(key) && nextIsValue) {
        value = next;
        i++;
      } else value = true;
    }
    // `--no-flag` turns a boolean flag off.
    const negated = /^no[A-Z]/.test(key) && !isBoolean(key) ? key[2].toLowerCase() + key.slice(3) : null;
    if (negated !== null && isBoolean(negated)) {
      if (value !== true) throw new UsageError(`--${kebab(key)} takes no value`);
      key = negated;
      value = 'false';
    }
    if (flags.has(key)) throw new UsageError(`--${kebab(key)} was given twice`);
    flags.set(key, value);
  }
  return { positional, flags };
}

/** The field schema under `.default()`, `.optional()` and friends. */
function baseOf(field: z.ZodType): z.ZodType {
  let t = field as z.ZodType & { def: { type: string; innerType?: z.ZodType } };
  while (
    (t.def.type === 'default' || t.def.type === 'optional' || t.def.type === 'prefault' || t.def.type === 'nullable') &&
    t.def.innerType
  ) {
    t = t.def.innerType as typeof t;
  }
  return t;
}

function fieldType(field: z.ZodType): string {
  return (baseOf(field) as unknown as { def: { type: string } }).def.type;
}

function description(field: z.ZodType): string {
  let t: z.ZodType | undefined = field;
  while (t) {
    if (t.description) return t.description;
    t = (t as unknown as { def: { innerType?: z.ZodType } }).def.innerType;
  }
  return '';
}

function defaultOf(field: z.ZodType): unknown {
  const def = (field as unknown as { def: { type: string; defaultValue?: unknown } }).def;
  return def.type === 'default' ? def.defaultValue : undefined;
}

/** What a field accepts, for help and errors: `uniform|reference|none`, `number >= 0`, `integer > 0`, `string`, `flag`. */
export function allowedText(field: z.ZodType): string {
  const base = baseOf(field) as unknown as {
    def: { type: string; checks?: Array<{ _zod: { def: Record<string, unknown> } }> };
    options?: unknown[];
  };
  const type = base.def.type;
  const meta = z.globalRegistry.get(base as unknown as z.ZodType) as { allowed?: string } | undefined;
  if (meta?.allowed) return meta.allowed;
  if (type === 'enum') return (base.options ?? []).join('|');
  if (type === 'boolean') return 'flag';
  if (type === 'number') {
    const checks = (base.def.checks ?? []).map((c) => c._zod.def);
    const isInt = checks.some((c) => c.check === 'number_format' && String(c.format).includes('int'));
    const bounds = checks.flatMap((c) => {
      if (c.check === 'greater_than') return [`${c.inclusive ? '>=' : '>'} ${c.value}`];
      if (c.check === 'less_than') return [`${c.inclusive ? '<=' : '<'} ${c.value}`];
      return [];
    });
    return [isInt ? 'integer' : 'number', ...bounds].join(' ');
  }
  return type;
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest candidate to `word`, or null when nothing is reasonably close. */
export function closest(word: string, candidates: readonly string[]): string | null {
  // A name without its version (`Pendulum` for `Pendulum-v1`) or a prefix of one is meant for it.
  const lower = word.toLowerCase();
  const versioned = candidates.filter((c) => c.toLowerCase().replace(/-v\d+$/, '') === lower);
  if (versioned.length === 1) return versioned[0];
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/** ` (did you mean 'x'?)` for the closest of `candidates`, or '' when none is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const hint = closest(word, candidates);
  return hint === null ? '' : ` (did you mean '${hint}'?)`;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Converts a raw string to the field's type, or throws a UsageError naming the option. */
function coerce(key: string, raw: string | true, field: z.ZodType): unknown {
  const type = fieldType(field);
  const shown = raw === true ? '(no value)' : `'${raw}'`;
  if (type === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === 'false') return false;
    throw new UsageError(`--${kebab(key)}: got ${shown}; allowed: a bare flag, true or false`);
  }
  if (raw === true) throw new UsageError(`--${kebab(key)}: missing value; allowed: ${allowedText(field)}`);
  if (type === 'number') {
    // Decimal literals only: Number() would also take '', ' 5', '0x10' and '1e999' (Infinity).
    const x = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(x)) throw new UsageError(`--${kebab(key)}: got ${shown}; allowed: ${allowedText(field)}`);
    return x;
  }
  return raw;
}

/**
 * Validates `flags` against the union of `schemas` (each key belongs to exactly one). Returns one
 * parsed object per schema, in order. Unknown keys and invalid values throw a UsageError.
 */
export function validateFlags<T extends readonly z.ZodObject[]>(
  flags: ReadonlyMap<string, string | true>,
  schemas: T,
): { [K in keyof T]: z.infer<T[K]> } {
  const known = schemas.flatMap((s) => Object.keys(s.shape));
  const inputs = schemas.map(() => ({}) as Record<string, unknown>);
  for (const [key, raw] of flags) {
    const idx = schemas.findIndex((s) => key in s.shape);
    if (idx < 0) {
      const hint = closest(key, known);
      throw new UsageError(
        `unknown option --${kebab(key)}${hint ? ` (did you mean --${kebab(hint)}?)` : ''}; see --help`,
      );
    }
    inputs[idx][key] = coerce(key, raw, schemas[idx].shape[key] as z.ZodType);
  }
  return schemas.map((schema, i) => {
    const res = schema.safeParse(inputs[i]);
    if (res.success) return res.data;
    const issue = res.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const field = schema.shape[key] as z.ZodType | undefined;
    // A rule over the whole set of options (no path) says itself which option is wrong.
    if (!field) throw new UsageError(issue.code === 'custom' ? issue.message : `options: ${issue.message}`);
    const given =
      key in inputs[i] ? `'${String(inputs[i][key])}'` : `${JSON.stringify(defaultOf(field))} (the default)`;
    // A rule between fields (`.superRefine`) says itself what is allowed; a field's own check is described by its
    // type, and zod's generic wording of a range or type check would only repeat it (a pattern's message is ours).
    const generic = [
      'too_small',
      'too_big',
      'invalid_type',
      'invalid_value',
      'not_multiple_of',
      'invalid_union',
    ].includes(issue.code);
    // A closed set (an enum) also suggests its closest member.
    const members = (baseOf(field) as unknown as { options?: unknown[] }).options;
    const hint =
      fieldType(field) === 'enum' && key in inputs[i] && Array.isArray(members) && !members.includes(inputs[i][key])
        ? closest(String(inputs[i][key]), members.map(String))
        : null;
    if (hint !== null)
      throw new UsageError(`--${kebab(key)}: got ${given} (did you mean '${hint}'?); allowed: ${allowedText(field)}`);
    const allowed =
      issue.code === 'custom'
        ? issue.message
        : generic
          ? allowedText(field)
          : `${allowedText(field)} (${issue.message})`;
    throw new UsageError(`--${kebab(key)}: got ${given}; allowed: ${allowed}`);
  }) as { [K in keyof T]: z.infer<T[K]> };
}

/** True when `key` is a boolean field of one of `schemas` (a bare `--key` then takes no value). */
export function booleanKeys(schemas: readonly z.ZodObject[]): (key: string) => boolean {
  return (key) => schemas.some((s) => key in s.shape && fieldType(s.shape[key] as z.ZodType) === 'boolean');
}

/** Help rows of a schema: `[flag, description (default: x)]`. */
function helpRows(schema: z.ZodObject): Array<[string, string]> {
  return Object.entries(schema.shape).map(([key, f]) => {
    const field = f as z.ZodType;
    const allowed = allowedText(field);
    const def = defaultOf(field);
    const flag = allowed === 'flag' ? `--${def === true ? '[no-]' : ''}${kebab(key)}` : `--${kebab(key)} <${allowed}>`;
    const defText = def === undefined || def === false ? '' : ` (default: ${JSON.stringify(def)})`;
    return [flag, `${description(field)}${defText}`];
  });
}

/** Width of the widest flag of `schemas`, to align several help tables. */
export function helpWidth(schemas: readonly z.ZodObject[]): number {
  return Math.max(0, ...schemas.flatMap((s) => helpRows(s).map(([flag]) => flag.length)));
}

/**
 * Help lines for a schema: `  --name <allowed>   description (default: x)`, flags padded to `width` (at most 26;
 * a longer flag gets its description on the lines below), descriptions wrapped by words to `columns`.
 */
export function helpLines(schema: z.ZodObject, width = helpWidth([schema]), columns = termColumns()): string[] {
  return definitionList(helpRows(schema), columns, { nameWidth: width });
}

/** Turns a resolved options object back into `--key=value` words (for child processes and config). */
export function toArgv(opts: Record<string, unknown>): string[] {
  return Object.entries(opts)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `--${kebab(k)}=${String(v)}`);
}
