/**
 * The priorlab command line (`npm run exp -- <name> [options]`, or `npx priorlab <name> [options]`).
 *
 *   priorlab list                         every experiment with its one-line summary
 *   priorlab <name> --help                its options, with defaults and descriptions
 *   priorlab <name> [--seed 3] [--alpha 0.1] ...      one run folder under --out (default runs/)
 *   priorlab <name> --seeds 1-4 [--workers 2]         seeds in parallel, one run folder each
 *   priorlab --resume runs/<dir>          continue a stopped run from its last checkpoint
 *   priorlab lesson --check answers.yaml  grades answers to the lesson's exercises (exit 0 all right, 1 some wrong)
 *   priorlab compare runs/... [--metric charts/episodic_return] [--group prior] [--at 1000,5000]
 *   priorlab sweep spec.yaml [--queue redis://host:port]   grids over any options (src/node/sweep/cli.ts)
 *   priorlab worker --queue redis://host:port              takes sweep trials from Redis
 *
 * Options are validated (zod) before any work; errors name the option, the value and what is
 * allowed. One exit-code rule for every command: 0 done, 2 the input is wrong (an option, a file, a path:
 * `UsageError`, zod errors, the file-system errors a path causes), 1 the run failed (`RunFailure`, or anything
 * unexpected), 130 interrupted (Ctrl-C/SIGTERM). Every message is one line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Experiment } from '../src/node/run/experiment.js';
import { EXPERIMENTS, type ExperimentEntry } from './index.js';
import {
  booleanKeys,
  closest,
  COMMON_OPTIONS,
  kebab,
  parseSeedList,
  splitArgs,
  toArgv,
  validateFlags,
  type CommonOptions,
} from '../src/node/run/options.js';
import { issueLine, RunFailure, UsageError } from '../src/core/errors.js';
import { unusedObjectiveOptions } from '../src/priors/objective.js';
import { CHILD_ENV, runSeedsInParallel, type ProgressMessage } from '../src/node/run/parallel.js';
import { ProgressBar } from '../src/node/run/progress.js';
import { cannotRead, fsErrorLine } from '../src/node/run/errors.js';
import {
  checkOutFolder,
  checkRunValue,
  createRunDir,
  FILES,
  newRunConfig,
  readRunFile,
  RUN_CONFIG_SCHEMA,
  RUN_STATUS_SCHEMA,
  RunFileError,
  writeJson,
} from '../src/node/run/rundir.js';
import { abortOnSignals, runSeed, type Reporter } from '../src/node/run/runner.js';
import { commandPrefix, shownPath, termColumns, wrap } from '../src/node/run/term.js';
import { helpText, listText, usageText } from './cli-text.js';

function findEntry(name: string): ExperimentEntry {
  const entry = EXPERIMENTS.find((e) => e.name === name);
  if (entry) return entry;
  const hint = closest(
    name,
    EXPERIMENTS.map((e) => e.name),
  );
  throw new UsageError(
    `unknown experiment '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}; '${commandPrefix()} list' shows them all`,
  );
}

async function loadExperiment(entry: ExperimentEntry): Promise<Experiment> {
  let exp: Experiment;
  try {
    exp = (await entry.load()).default;
  } catch (err) {
    throw new Error(`experiment '${entry.name}' failed to load: ${(err as Error).message ?? err}`);
  }
  if (!exp || exp.name !== entry.name) {
    throw new Error(
      `experiments/index.ts lists '${entry.name}' but its module's default export is named '${exp?.name}'`,
    );
  }
  const clash = Object.keys(exp.options.shape).filter((k) => k in COMMON_OPTIONS.shape);
  if (clash.length)
    throw new Error(
      `experiment '${exp.name}' redeclares common option(s) ${clash.map((k) => `--${kebab(k)}`).join(', ')}`,
    );
  return exp;
}

function listExperiments(): void {
  for (const line of listText(termColumns())) console.log(line);
}

function printHelp(exp: Experiment): void {
  for (const line of helpText(exp, termColumns())) console.log(line);
}

/** The reporter of this process: IPC to the parent under `--seeds`, else a local progress bar. */
function makeReporter(label: string, unit: string, fromStep: number | null): Reporter {
  if (process.env[CHILD_ENV.ipc] && process.send) {
    const send = process.send.bind(process);
    let last = 0;
    return {
      progress(step, total, fields) {
        const now = performance.now();
        if (now - last < 200 && step < total) return;
        last = now;
        send({ type: 'progress', step, total, fields } satisfies ProgressMessage);
      },
      print: (line) => console.log(line),
      finish() {},
    };
  }
  const bar = new ProgressBar(label, process.stdout, undefined, unit, fromStep);
  return { progress: (s, t, f) => bar.update(s, t, f), print: (l) => bar.print(l), finish: () => bar.finish() };
}

/** Runs one seed here, in this process; returns the exit code. */
async function runHere(
  exp: Experiment,
  options: Record<string, unknown>,
  common: CommonOptions,
  resumeDir: string | null,
  command?: string,
): Promise<number> {
  const { initNodeBackend } = await import('../src/node/backend.js');
  const backend = await initNodeBackend(common.backend);
  // A requested backend that cannot start here falls back along the default order: say so.
  const asked = common.backend ?? process.env.PRIORLAB_BACKEND;
  console.log(
    `backend: ${backend}${asked && asked !== backend ? ` (${asked} was requested but cannot start here${asked === 'tensorflow' ? ': @tensorflow/tfjs-node is not installed' : ''})` : ''}`,
  );
  let dir: string | null = null;
  // The experiment's own checks that need the backend, before its folder exists (a child of --seeds: its parent did them).
  if (!resumeDir && !process.env[CHILD_ENV.runDir]) await exp.prepare?.(options);
  if (resumeDir) dir = resumeDir;
  else if (exp.kind === 'train') {
    dir = process.env[CHILD_ENV.runDir] ?? createRunDir(common.out, exp.name, common.seed);
    writeJson(join(dir, FILES.config), newRunConfig(exp.name, common.seed, options, backend, common.backend ?? null));
  }
  if (dir) console.log(`run folder: ${shownPath(dir)}`);
  const reporter = makeReporter(`${exp.name} s${common.seed}`, exp.progressUnit ?? 'steps', resumeDir ? null : 0);
  const signals = abortOnSignals((sig) =>
    reporter.print(`${sig}: stopping after the current step (Ctrl-C again to exit now)`),
  );
  try {
    const outcome = await runSeed({
      experiment: exp,
      options,
      seed: common.seed,
      dir,
      resume: resumeDir !== null,
      backend,
      signal: signals.signal,
      reporter,
      command,
    });
    if (outcome === 'stopped') {
      // Only an experiment that checkpoints can continue; the others say so instead of offering --resume.
      if (exp.resumable) console.log(`stopped; resume with: ${commandPrefix()} --resume ${shownPath(dir!)}`);
      else
        console.log(
          wrap(
            `stopped; ${exp.name} writes no checkpoints, so it cannot be resumed: start it again${dir ? ` (the partial run is in ${shownPath(dir)})` : ''}`,
            termColumns(),
            2,
            '',
          ).join('\n'),
        );
      return 130;
    }
    return 0;
  } finally {
    signals.dispose();
  }
}

async function runExperiment(argv: string[]): Promise<number> {
  const raw0 = splitArgs(argv, booleanKeys([COMMON_OPTIONS]));
  const first = raw0.positional[0];
  const resumeArg = raw0.flags.get('resume');

  // --resume: everything comes from the run folder's config.json.
  if (resumeArg !== undefined) {
    if (resumeArg === true)
      throw new UsageError('--resume: missing value; allowed: a run folder containing config.json');
    const dir = resolve(resumeArg);
    const cfgPath = join(dir, FILES.config);
    try {
      statSync(cfgPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`--resume: ${cfgPath}: ${cannotRead(err)}`);
      // A folder whose creation was cut short (killed before config.json was renamed into place) holds a temp file.
      const cut = existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((f) => f.endsWith('.tmp'));
      throw new UsageError(
        cut
          ? `--resume: '${resumeArg}' has no config.json (the run was stopped while its folder was being made); remove the folder and start the run again`
          : `--resume: '${resumeArg}' has no config.json; allowed: a run folder written by priorlab`,
      );
    }
    const extra = [...raw0.flags.keys()].filter((k) => k !== 'resume');
    if (extra.length)
      throw new UsageError(
        `--resume reloads every option from ${cfgPath}; drop ${extra.map((k) => `--${kebab(k)}`).join(', ')}`,
      );
    // Every file resume relies on is checked here, before the run folder is locked or changed.
    const cfg = readRunFile(dir, FILES.config, RUN_CONFIG_SCHEMA)!;
    if (first !== undefined && first !== cfg.experiment)
      throw new UsageError(`--resume: '${resumeArg}' is a run of '${cfg.experiment}', not '${first}'`);
    if (!EXPERIMENTS.some((e) => e.name === cfg.experiment)) {
      throw new RunFileError(
        `${cfgPath}: field experiment: got '${cfg.experiment}'; allowed: one of '${commandPrefix()} list'; fix that field or start a new run`,
      );
    }
    const exp = await loadExperiment(findEntry(cfg.experiment));
    const status = readRunFile(dir, FILES.status, RUN_STATUS_SCHEMA);
    if (status?.state === 'done') {
      console.log(
        `${dir} is already complete (status.json: done${status.step !== null ? ` at step ${status.step}` : ''}); nothing to resume.`,
      );
      const again = cfg.command?.startsWith('priorlab ')
        ? cfg.command.slice('priorlab '.length)
        : `${cfg.experiment} --seed=${cfg.seed}`;
      console.log(`to run it again, start a new run folder: ${commandPrefix()} ${again}`);
      return 0;
    }
    if (!exp.resumable)
      throw new UsageError(`--resume: '${exp.name}' writes no checkpoints and cannot continue a run; start a new one`);
    const options = checkRunValue(dir, FILES.config, exp.options.strict(), cfg.options, ['options']) as Record<
      string,
      unknown
    >;
    const common = COMMON_OPTIONS.parse({ seed: cfg.seed, backend: cfg.requestedBackend ?? undefined });
    const again = cfg.command?.startsWith('priorlab ') ? cfg.command.slice('priorlab '.length) : undefined;
    return runHere(exp, options, common, dir, again);
  }

  if (first === undefined) throw new UsageError(`missing experiment name\n${usageText(termColumns())}`);
  const exp = await loadExperiment(findEntry(first));
  const raw = splitArgs(argv, booleanKeys([COMMON_OPTIONS, exp.options]));
  if (raw.positional.length > 1)
    throw new UsageError(`unexpected argument '${raw.positional[1]}' (options start with --)`);
  if (raw.flags.get('help') === true) {
    printHelp(exp);
    return 0;
  }
  // Every option and every rule between options is checked here, before any folder is made.
  const [common, options] = validateAll(raw.flags, exp);
  for (const line of ignoredOptions(raw.flags, options)) console.log(line);
  const seeds = common.seeds === undefined ? null : parseSeedList(common.seeds);
  if (seeds !== null && raw.flags.has('seed')) throw new UsageError('--seed and --seeds were both given; use one');
  if (seeds !== null && exp.kind !== 'train')
    throw new UsageError(`--seeds: '${exp.name}' is a print-only experiment; run it once per --seed`);
  if (exp.kind === 'train' && !process.env[CHILD_ENV.runDir]) checkOutFolder(common.out);
  if (seeds === null) return runHere(exp, options, common, null);
  if (exp.prepare) {
    const { initNodeBackend } = await import('../src/node/backend.js');
    await initNodeBackend(common.backend);
    await exp.prepare(options);
  }

  const jobs = seeds.map((seed) => ({
    seed,
    dir: createRunDir(common.out, exp.name, seed),
    args: [
      exp.name,
      `--seed=${seed}`,
      ...toArgv(options),
      `--out=${common.out}`,
      ...(common.backend ? [`--backend=${common.backend}`] : []),
    ],
  }));
  const workers = Math.min(common.workers ?? availableParallelism(), jobs.length);
  console.log(`running ${jobs.length} seeds of ${exp.name}, ${workers} at a time`);
  const results = await runSeedsInParallel(jobs, workers);
  const finished = results.filter((r) => r.code === 0);
  if (finished.length > 1) {
    const { findRuns, seedsTable } = await import('../src/node/run/compare.js');
    for (const line of seedsTable(findRuns(finished.map((r) => r.dir)))) console.log(line);
  }
  const failed = results.filter((r) => r.error !== null);
  if (failed.length) {
    console.error(`${failed.length} of ${jobs.length} seeds failed: ${failed.map((r) => r.seed).join(', ')}`);
    return 1;
  }
  if (results.length < jobs.length || results.some((r) => r.code === 130)) return 130;
  return 0;
}

/**
 * One line per objective option given on the command line that the run's Objective does not use (under
 * `--prior none` the temperature, its target and the reference; a target with a fixed α; …).
 */
function ignoredOptions(flags: ReadonlyMap<string, string | true>, options: Record<string, unknown>): string[] {
  if (options.prior === undefined) return [];
  const unused = unusedObjectiveOptions(options as Parameters<typeof unusedObjectiveOptions>[0]).filter((k) =>
    flags.has(k),
  );
  if (!unused.length) return [];
  const given = unused.map((k) => `--${kebab(k)} ${String(flags.get(k))}`).join(', ');
  return wrap(
    `note: ${given} ${unused.length > 1 ? 'are' : 'is'} ignored: the objective of --prior ${String(options.prior)} does not use ${unused.length > 1 ? 'them' : 'it'}`,
    termColumns(),
    2,
    '',
  );
}

function validateAll(
  flags: ReadonlyMap<string, string | true>,
  exp: Experiment,
): [CommonOptions, Record<string, unknown>] {
  const [common, options] = validateFlags(flags, [COMMON_OPTIONS, exp.options] as const);
  return [common as CommonOptions, options as Record<string, unknown>];
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = argv[0];
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      console.log(usageText(termColumns()));
      if (cmd === undefined) return 2;
      return 0;
    }
    if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
      const { readFileSync } = await import('node:fs');
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      console.log(`priorlab ${pkg.version}`);
      return 0;
    }
    if (cmd === 'list') {
      listExperiments();
      return 0;
    }
    if (cmd === 'sweep' || cmd === 'worker') {
      const { provideExperiments } = await import('../src/node/sweep/trial.js');
      provideExperiments({ registry: EXPERIMENTS, childEntry: resolve(import.meta.dirname, 'sweep-child.ts') });
      const sweep = await import('../src/node/sweep/cli.js');
      return await (cmd === 'sweep' ? sweep.sweepMain : sweep.workerMain)(argv.slice(1));
    }
    if (cmd === 'eval' || cmd === 'enjoy') {
      const { evalMain, enjoyMain } = await import('../src/node/train/commands.js');
      return await (cmd === 'eval' ? evalMain : enjoyMain)(argv.slice(1));
    }
    if (cmd === 'compare') {
      const { compareMain } = await import('../src/node/run/compare.js');
      return await compareMain(argv.slice(1));
    }
    if (cmd === 'lesson' && argv.some((a) => a === '--check' || a.startsWith('--check='))) {
      const { lessonCheckMain } = await import('../src/node/lesson/check.js');
      return lessonCheckMain(argv.slice(1));
    }
    return await runExperiment(argv);
  } catch (err) {
    // One line each, never a stack: bad input (options, run files, paths) exits 2, anything else 1.
    if (err instanceof UsageError) {
      console.error(`priorlab: ${err.message}`);
      return 2;
    }
    if (err instanceof z.ZodError) {
      console.error(`priorlab: ${issueLine(err, undefined)}`);
      return 2;
    }
    const fsLine = fsErrorLine(err);
    if (fsLine !== null) {
      console.error(`priorlab: ${fsLine}`);
      return 2;
    }
    if (err instanceof RunFailure) {
      console.error(`priorlab: ${err.message.split('\n')[0]}`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    console.error(
      `priorlab: ${message.split('\n')[0]}${process.env.PRIORLAB_DEBUG ? `\n${(err as Error).stack}` : ' (PRIORLAB_DEBUG=1 prints the stack)'}`,
    );
    return 1;
  }
}

// bin/priorlab.mjs calls `main`; tests call it in-process.
