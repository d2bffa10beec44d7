/**
 * `npm run figures`: regenerates the numbers the README and docs/ quote, each from the command its block shows,
 * over the figure's seeds, and writes them to `docs/figures/figures.json` and into the marked blocks
 * (`<!-- figures:begin name -->…<!-- figures:end -->`).
 *
 *   npm run figures                    the fast figures (seconds each); slow ones keep their block, marked not regenerated
 *   npm run figures -- --slow          every figure (long learning runs, timings)
 *   npm run figures -- --only a,b      just these
 *   npm run figures -- --check         recompute the fast figures and compare with the blocks; exit 1 where one
 *                                      differs beyond its tolerance (one line each); writes nothing
 *   --readme <file>                    the README to read/fill instead of ./README.md (tests use a copy)
 *   --list                             the registry
 *
 * An experiment command runs in-process (`runSeed`, as `priorlab <experiment> --seed N` runs it) in a temporary
 * folder; a shell command (`npm run bench -- engine`, `npx tsx examples/x.ts`) runs as a child process and its
 * stdout is what it printed. Blocks are filled into the files as they are when the runs end, and a figure's
 * plots (SVGs drawn from its runs, e.g. `docs/figures/dreamer-priors.svg`) are written beside them. A command can name
 * an earlier command's run folder (`{run:K}`), and an extract can evaluate a run folder as `priorlab eval` does
 * (`evaluateRun`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXPERIMENTS } from '../experiments/index.js';
import { UsageError } from '../src/core/errors.js';
import { initNodeBackend } from '../src/node/backend.js';
import { writeFileAtomic } from '../src/node/atomicfs.js';
import { booleanKeys, COMMON_OPTIONS, splitArgs, validateFlags } from '../src/node/run/options.js';
import { createRunDir, FILES, gitInfo, newRunConfig, readMetrics, writeJson } from '../src/node/run/rundir.js';
import { runSeed } from '../src/node/run/runner.js';
import { compareBlock, fillBlocks, findBlocks, toleranceText } from './figures/blocks.js';
import { FIGURES, figureByName, type Figure, type RunOutput } from './figures/registry.js';
import { seedStats, type SeedStats } from './figures/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
export const FIGURES_JSON = 'docs/figures/figures.json';

interface FigureRecord {
  name: string;
  what: string;
  commands: readonly string[];
  seeds: readonly number[];
  speed: 'fast' | 'slow';
  timing: boolean;
  tolerance: string;
  files: readonly string[];
  /** the SVGs it draws (repository paths) */
  plots: readonly string[];
  /** false: not rerun this time; its block keeps the text it had (measuredAt says when it was, if ever) */
  regenerated: boolean;
  measuredAt: string | null;
  /** os.loadavg() (1, 5, 15 min) when its first run started */
  load: number[] | null;
  wallSeconds: number | null;
  values: Record<string, SeedStats> | null;
  text: string;
}

interface FiguresFile {
  generatedAt: string;
  node: string;
  backend: string;
  git: unknown;
  figures: FigureRecord[];
}

/**
 * A command the README shows as a shell line (`npm run bench -- engine`, `npx tsx examples/x.ts`): run as a child
 * process in the repository, its stdout's lines are what it printed. `{out}` stands for a fresh folder. It has no
 * seed of its own (the registry gives such figures seed 1 only).
 */
async function runShell(command: string, seed: number, out: string): Promise<RunOutput> {
  const dir = mkdtempSync(join(out, 'shell-'));
  const argv = command.replaceAll('{out}', dir).split(/\s+/).filter(Boolean);
  const load = loadavg();
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  if (code !== 0)
    throw new Error(`figures: '${command}' exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const wallSeconds = (performance.now() - t0) / 1000;
  return {
    command,
    seed,
    dir,
    lines: stdout.split('\n'),
    results: null,
    json: () => null,
    metrics: [],
    wallSeconds,
    load,
  };
}

export const isShell = (command: string): boolean => /^(npm|npx) /.test(command);

/** Runs one seed of one command in this process; cached per (command, seed) across figures. */
async function runCommand(command: string, seed: number, out: string, backendCache: Map<string, string>) {
  if (isShell(command)) return { run: await runShell(command, seed, out), backend: '' };
  const words = command.split(/\s+/).filter(Boolean);
  const entry = EXPERIMENTS.find((e) => e.name === words[0]);
  if (!entry) throw new UsageError(`figures: command '${command}': unknown experiment '${words[0]}'`);
  const exp = (await entry.load()).default;
  const raw = splitArgs(words.slice(1), booleanKeys([COMMON_OPTIONS, exp.options]));
  for (const k of ['seed', 'seeds', 'out', 'resume', 'workers'])
    if (raw.flags.has(k))
      throw new UsageError(`figures: command '${command}': --${k} is the registry's, not the command's`);
  const [common, options] = validateFlags(raw.flags, [COMMON_OPTIONS, exp.options] as const);
  const key = common.backend ?? '';
  if (!backendCache.has(key)) backendCache.set(key, await initNodeBackend(common.backend));
  const backend = backendCache.get(key)!;
  const dir = exp.kind === 'train' ? createRunDir(out, exp.name, seed) : null;
  // A run folder as `priorlab` makes it, so `compare` reads it.
  if (dir) writeJson(join(dir, FILES.config), newRunConfig(exp.name, seed, options, backend, common.backend ?? null));
  const lines: string[] = [];
  const load = loadavg();
  const t0 = performance.now();
  await runSeed({
    experiment: exp,
    options: options as Record<string, unknown>,
    seed,
    dir,
    resume: false,
    backend,
    signal: new AbortController().signal,
    reporter: { progress() {}, print: (l) => lines.push(...l.split('\n')), finish() {} },
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const readJson = (name: string): unknown => {
    const p = dir ? join(dir, name) : null;
    return p && existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
  };
  // Read on demand while `measure` runs (its temporary folder, holding every run folder, goes at the end).
  const results = readJson('results.json');
  const metrics = (dir && existsSync(join(dir, FILES.metrics)) ? readMetrics(join(dir, FILES.metrics)) : []).map(
    ({ step, ...scalars }) => ({ step, scalars }),
  );
  return {
    run: { command, seed, dir, lines, results, json: readJson, metrics, wallSeconds, load } satisfies RunOutput,
    backend,
  };
}

/**
 * `{run:K}` in a command is the run folder of the figure's command K at the same seed (run before it): a
 * fine-tune's `--reference {run:0}`.
 */
function withRunFolders(command: string, runs: readonly RunOutput[]): string {
  return command.replace(/\{run:(\d+)\}/g, (_, k: string) => {
    const dir = runs[Number(k)]?.dir;
    if (!dir) throw new UsageError(`figures: command '${command}': {run:${k}} names no earlier train command's folder`);
    return dir;
  });
}

interface Measured {
  figure: Figure;
  text: string;
  /** SVG text by repository path */
  plots: Record<string, string>;
  values: Record<string, SeedStats>;
  load: number[];
  wallSeconds: number;
}

/** Measures each figure; one that fails is reported in `failed` and the others still count. */
async function measure(
  figures: readonly Figure[],
  log: (l: string) => void,
): Promise<{ measured: Measured[]; failed: string[]; backend: string }> {
  const out = mkdtempSync(join(tmpdir(), 'priorlab-figures-'));
  const cache = new Map<string, RunOutput>();
  const backends = new Map<string, string>();
  let backend = '';
  const measured: Measured[] = [];
  const failed: string[] = [];
  const one = async (figure: Figure): Promise<Measured> => {
    const perKey = new Map<string, Map<number, number>>();
    let load: number[] | null = null;
    let wall = 0;
    const perSeed: RunOutput[][] = [];
    for (const seed of figure.seeds) {
      const runs: RunOutput[] = [];
      perSeed.push(runs);
      for (const template of figure.commands) {
        const command = withRunFolders(template, runs);
        const k = `${command}\u0000${seed}`;
        let run = cache.get(k);
        if (run === undefined) {
          const r = await runCommand(command, seed, out, backends);
          backend ||= r.backend;
          run = r.run;
          cache.set(k, run);
          log(
            `  ran ${isShell(command) ? command : `${command} --seed ${seed}`}: ${run.wallSeconds.toFixed(1)} s at load ${run.load[0].toFixed(1)}`,
          );
        }
        load ??= [...run.load];
        wall += run.wallSeconds;
        runs.push(run);
      }
      for (const [key, value] of Object.entries(figure.extract(runs))) {
        if (!perKey.has(key)) perKey.set(key, new Map());
        perKey.get(key)!.set(seed, value);
      }
    }
    const all = Object.fromEntries([...perKey].map(([k, m]) => [k, seedStats(m)]));
    // figures.json keeps the values the text is made of (an extract may return far more).
    const values: Record<string, SeedStats> = {};
    const v = (key: string): SeedStats => {
      const s = all[key];
      if (!s) throw new Error(`figures: ${figure.name}: its render asked for '${key}', which extract did not return`);
      return (values[key] = s);
    };
    const args = { v, seeds: figure.seeds, runs: perSeed };
    return {
      figure,
      text: figure.render(args),
      // Drawn now: the run folders go when `measure` ends.
      plots: Object.fromEntries(Object.entries(figure.plots ?? {}).map(([path, draw]) => [path, draw(args)])),
      values,
      load: load!,
      wallSeconds: wall,
    };
  };
  try {
    for (const figure of figures) {
      try {
        measured.push(await one(figure));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        failed.push(`${figure.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return { measured, failed, backend };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The files holding blocks: README (or its stand-in) and docs/. */
function docPath(file: string, readme: string): string {
  return file === 'README.md' ? readme : join(ROOT, file);
}

export interface Io {
  log(line: string): void;
  error(line: string): void;
}

export async function main(
  argv: readonly string[],
  io: Io = { log: console.log, error: console.error },
): Promise<number> {
  try {
    const raw = splitArgs(argv, (k) => ['check', 'slow', 'list'].includes(k));
    for (const k of raw.flags.keys())
      if (!['check', 'slow', 'only', 'readme', 'list'].includes(k))
        throw new UsageError(
          `unknown option --${k}; allowed: --check, --slow, --only <names>, --readme <file>, --list`,
        );
    const flag = (k: string) => raw.flags.get(k) === true || raw.flags.get(k) === 'true';
    const str = (k: string): string | null => {
      const v = raw.flags.get(k);
      if (v === undefined) return null;
      if (v === true) throw new UsageError(`--${k}: missing value`);
      return v;
    };
    if (flag('list')) {
      for (const f of FIGURES)
        io.log(
          `${f.name.padEnd(20)} ${f.speed}${f.timing ? ' (timing)' : ''}  seeds ${f.seeds.join(',')}  tolerance ${toleranceText(f.tolerance)}  ${f.commands.join(' | ')}`,
        );
      return 0;
    }
    const readme = resolve(str('readme') ?? join(ROOT, 'README.md'));
    const only = str('only');
    const check = flag('check');
    const selected = only
      ? only.split(',').map((n) => figureByName(n.trim()))
      : FIGURES.filter((f) => flag('slow') || f.speed === 'fast');
    if (check && selected.some((f) => f.timing))
      throw new UsageError(
        `--check: timings are not checked; drop ${selected
          .filter((f) => f.timing)
          .map((f) => f.name)
          .join(', ')}`,
      );

    const docs = new Map<string, string>();
    for (const f of FIGURES)
      for (const file of f.files) {
        const p = docPath(file, readme);
        if (!docs.has(p)) docs.set(p, readFileSync(p, 'utf8'));
      }
    const blocksOf = (f: Figure) =>
      f.files.flatMap((file) =>
        findBlocks(docs.get(docPath(file, readme))!)
          .filter((b) => b.name === f.name)
          .map((b) => ({ file, b })),
      );
    for (const f of selected)
      if (blocksOf(f).length === 0)
        throw new UsageError(`figures: ${f.name}: no <!-- figures:begin ${f.name} --> block in ${f.files.join(', ')}`);

    const t0 = performance.now();
    const load0 = loadavg();
    io.log(
      `figures: ${selected.length} figure${selected.length === 1 ? '' : 's'} (${selected.map((f) => f.name).join(', ')})`,
    );
    const { measured, failed, backend } = await measure(selected, io.log);
    for (const f of failed) io.error(`figures: failed: ${f}`);
    const seconds = (performance.now() - t0) / 1000;
    const loadText = `load ${load0.map((x) => x.toFixed(1)).join(' ')} at the start, ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end`;

    const differences: string[] = [];
    for (const m of measured)
      for (const { file, b } of blocksOf(m.figure)) {
        const d = m.figure.timing ? null : compareBlock(m.figure.name, b.text, m.text, m.figure.tolerance);
        if (d) differences.push(`${file}: ${d}`);
      }

    if (check) {
      for (const d of differences) io.error(`figures --check: ${d}`);
      io.log(
        `figures --check: ${measured.length - new Set(differences.map((d) => d.split(': ')[1])).size} of ${selected.length} agree with ${readme === join(ROOT, 'README.md') ? 'README.md' : readme} and docs/ in ${seconds.toFixed(0)} s (${loadText})`,
      );
      return differences.length || failed.length ? 1 : 0;
    }

    for (const d of differences) io.log(`drift: ${d}`);
    const texts = new Map(measured.map((m) => [m.figure.name, m.text]));
    // Filled into the files as they are now: a long --slow run must not undo edits made while it ran.
    for (const p of docs.keys()) {
      const text = readFileSync(p, 'utf8');
      const next = fillBlocks(text, texts);
      if (next !== text) writeFileAtomic(p, next);
    }
    const plots = measured.flatMap((m) => Object.entries(m.plots));
    for (const [path, svg] of plots) writeFileAtomic(join(ROOT, path), svg);
    const jsonPath = join(ROOT, FIGURES_JSON);
    const previous: FiguresFile | null = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : null;
    const now = new Date().toISOString();
    const records: FigureRecord[] = FIGURES.map((f) => {
      const m = measured.find((x) => x.figure === f);
      const base = {
        name: f.name,
        what: f.what,
        commands: f.commands,
        seeds: f.seeds,
        speed: f.speed,
        timing: f.timing ?? false,
        tolerance: toleranceText(f.tolerance),
        files: f.files,
        plots: Object.keys(f.plots ?? {}),
      };
      if (m)
        return {
          ...base,
          regenerated: true,
          measuredAt: now,
          load: m.load,
          wallSeconds: m.wallSeconds,
          values: m.values,
          text: m.text,
        };
      const old = previous?.figures.find((r) => r.name === f.name);
      const block = blocksOf(f)[0]?.b.text ?? '';
      return {
        ...base,
        regenerated: false,
        measuredAt: old?.measuredAt ?? null,
        load: old?.load ?? null,
        wallSeconds: old?.wallSeconds ?? null,
        values: old?.values ?? null,
        text: block,
      };
    });
    const file: FiguresFile = { generatedAt: now, node: process.version, backend, git: gitInfo(), figures: records };
    writeFileAtomic(jsonPath, `${JSON.stringify(file, null, 2)}\n`);
    io.log(
      `figures: wrote ${FIGURES_JSON}, ${[...docs.keys()].length} documents' blocks and ${plots.length} plots in ${seconds.toFixed(0)} s (${loadText})`,
    );
    const stale = records.filter((r) => !r.regenerated).map((r) => r.name);
    if (stale.length) io.log(`figures: not regenerated this time (blocks kept): ${stale.join(', ')}`);
    return failed.length ? 1 : 0;
  } catch (err) {
    io.error(err instanceof Error ? err.message : String(err));
    if (process.env.PRIORLAB_DEBUG) io.error((err as Error).stack ?? '');
    return err instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
