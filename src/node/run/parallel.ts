/**
 * Seeds side by side: `--seeds 1-4` starts one child process per seed (at most `--workers` at
 * once), each running the same CLI with `--seed s` into a run folder created here. Children report
 * progress over IPC; their printed lines come back prefixed with `[seed s]`. One combined line shows
 * every seed's progress (redrawn on a TTY; under CI or a pipe, one line per finished seed instead).
 * A failing seed is reported with its last stderr lines while the others keep going.
 *
 * Ctrl-C: the children run in their own process group, so the terminal's SIGINT reaches only this
 * process, which forwards SIGTERM to each child (they stop at the next step and checkpoint); a
 * second Ctrl-C kills them and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmtDuration, isLive, type ProgressState } from './progress.js';
import { shownPath, termColumns } from './term.js';

/** The CLI entry that children run (it registers tsx itself, so no loader flags are needed). */
export const CLI_ENTRY = fileURLToPath(new URL('../../../bin/priorlab.mjs', import.meta.url));

/** Environment variables by which the parent hands a child its run folder and asks for IPC progress. */
export const CHILD_ENV = { runDir: 'PRIORLAB_RUN_DIR', ipc: 'PRIORLAB_IPC' } as const;

export interface SeedJob {
  seed: number;
  dir: string;
  /** CLI words for the child, e.g. `['tabular-q', '--seed=3', '--alpha=0.1']`. */
  args: string[];
}

export interface SeedResult {
  seed: number;
  dir: string;
  code: number;
  /** Last lines of stderr when the child failed. */
  error: string | null;
}

export interface ProgressMessage {
  type: 'progress';
  step: number;
  total: number;
  fields: Record<string, number>;
}

/**
 * Removes `dir` when no run started in it: it holds nothing but what start-up writes (config.json, the
 * lock, temp files). Returns true when it was removed.
 */
export function removeUnstartedRunDir(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  if (!names.every((f) => f === 'config.json' || f === '.lock' || f.endsWith('.tmp'))) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}

type SeedView = { state: 'waiting' | 'running' | 'done' | 'stopped' | 'failed'; progress: ProgressState | null };

/**
 * The combined line: `seeds 2 running, 1 done, 1 failed | ETA 0:12 | s1 45% s2 40% s3 done s4 failed`. With
 * `maxWidth`, whole per-seed entries are dropped from the end (`…` says so); the ETA always stays.
 */
export function renderCombined(views: ReadonlyMap<number, SeedView>, etaSec: number, maxWidth = Infinity): string {
  const counts = new Map<string, number>();
  const parts: string[] = [];
  for (const [seed, v] of views) {
    counts.set(v.state, (counts.get(v.state) ?? 0) + 1);
    const p = v.progress;
    const pct = p && p.total > 0 ? `${Math.floor((100 * p.step) / p.total)}%` : '';
    parts.push(`s${seed} ${v.state === 'running' ? pct || 'start' : v.state}`);
  }
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  const head = `seeds ${summary} | ETA ${fmtDuration(etaSec)}`;
  for (let n = parts.length; n >= 0; n--) {
    const line = `${head} | ${parts.slice(0, n).join(' ')}${n < parts.length ? ' …' : ''}`;
    if (line.length <= maxWidth || n === 0) return line;
  }
  return head;
}

export async function runSeedsInParallel(
  jobs: readonly SeedJob[],
  workers: number,
  out: NodeJS.WriteStream = process.stdout,
): Promise<SeedResult[]> {
  const live = isLive(out);
  const views = new Map<number, SeedView>(jobs.map((j) => [j.seed, { state: 'waiting', progress: null }]));
  const children = new Set<ChildProcess>();
  const results: SeedResult[] = [];
  const start = performance.now();
  let drawn = false;
  let lastDraw = 0;

  const eta = (): number => {
    let frac = 0;
    for (const v of views.values()) {
      if (v.state === 'done' || v.state === 'failed' || v.state === 'stopped') frac += 1;
      else if (v.progress && v.progress.total > 0) frac += v.progress.step / v.progress.total;
    }
    frac /= views.size;
    const elapsed = (performance.now() - start) / 1000;
    return frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
  };
  const draw = (force = false): void => {
    if (!live) return;
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    out.write(`\r\x1b[2K${renderCombined(views, eta(), termColumns(out) - 1)}`);
    drawn = true;
  };
  const println = (line: string): void => {
    if (drawn) out.write('\r\x1b[2K');
    out.write(`${line}\n`);
    if (drawn) draw(true);
  };

  let interrupted = 0;
  const onSignal = (): void => {
    interrupted++;
    for (const child of children) child.kill(interrupted === 1 ? 'SIGTERM' : 'SIGKILL');
    if (interrupted === 1) println('stopping every seed after its current step (Ctrl-C again to kill them)');
    else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runOne = (job: SeedJob): Promise<void> =>
    new Promise((resolveJob) => {
      const view = views.get(job.seed)!;
      view.state = 'running';
      const child = spawn(process.execPath, [CLI_ENTRY, ...job.args], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: true,
        // The child's lines come back prefixed with `[seed s] `: it lays them out for what is left of the width.
        env: {
          ...process.env,
          [CHILD_ENV.runDir]: job.dir,
          [CHILD_ENV.ipc]: '1',
          COLUMNS: String(termColumns(out) - `[seed ${job.seed}] `.length),
        },
      });
      children.add(child);
      let stdoutBuf = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdoutBuf += chunk;
        let nl: number;
        while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
          println(`[seed ${job.seed}] ${stdoutBuf.slice(0, nl)}`);
          stdoutBuf = stdoutBuf.slice(nl + 1);
        }
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.on('message', (msg: ProgressMessage) => {
        if (msg?.type === 'progress') {
          view.progress = { step: msg.step, total: msg.total, fields: msg.fields };
          draw();
        }
      });
      child.on('close', (code, signal) => {
        children.delete(child);
        if (stdoutBuf) println(`[seed ${job.seed}] ${stdoutBuf}`);
        // A child that our forwarded Ctrl-C killed before it could install its handler was stopped, not failed.
        const stoppedByUs = interrupted > 0 && (code === 130 || signal !== null);
        const exit = stoppedByUs ? 130 : (code ?? (signal ? 128 : 1));
        view.state = exit === 0 ? 'done' : exit === 130 ? 'stopped' : 'failed';
        const error =
          view.state === 'failed' ? stderr.trim().split('\n').slice(-12).join('\n') || `killed by ${signal}` : null;
        results.push({ seed: job.seed, dir: job.dir, code: exit, error });
        if (error)
          println(`seed ${job.seed} FAILED (exit ${exit}, run folder ${job.dir}):\n${error.replace(/^/gm, '  ')}`);
        else if (stoppedByUs && signal !== null && removeUnstartedRunDir(job.dir))
          println(`seed ${job.seed} stopped during start-up; its empty run folder was removed`);
        else println(`seed ${job.seed} ${view.state}: ${shownPath(job.dir)}`);
        resolveJob();
      });
    });

  const queue = [...jobs];
  const lanes = Array.from({ length: Math.min(workers, jobs.length) }, async () => {
    while (interrupted === 0 && queue.length > 0) await runOne(queue.shift()!);
  });
  try {
    await Promise.all(lanes);
    // Seeds that never started after a Ctrl-C leave no folder behind.
    for (const job of queue) removeUnstartedRunDir(job.dir);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (drawn) out.write('\r\x1b[2K');
  }
  if (!live || drawn) out.write(`${renderCombined(views, 0, termColumns(out))}\n`);
  return results.sort((x, y) => x.seed - y.seed);
}
