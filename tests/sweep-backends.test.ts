/**
 * Sweeps end to end, through the CLI: the local backend and the Redis backend (a real `redis-server` on a
 * random loopback port, no persistence, stopped after) write the same sweep folder byte for byte except
 * timestamps; and the same holds after faults: a worker killed with SIGKILL mid-trial, the coordinator
 * killed and restarted, Redis stopped mid-sweep and started again (empty), a local sweep stopped and rerun.
 * Identical metrics.jsonl files are the "each trial's metrics exactly once" check: a lost row or a
 * duplicated one changes the bytes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import tabularQ from '../experiments/tabular-q.js';
import { PRIOR_NAMES } from '../src/priors/index.js';
import { trialStatus } from '../src/node/sweep/folder.js';
import { freePort, startRedisServer, stopRedisServer } from '../src/node/sweep/localredis.js';
import { sweepIdOf } from '../src/node/sweep/redis.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const work = mkdtempSync(join(tmpdir(), 'priorlab-sweeps-'));
const procs = new Set<ChildProcess>(); // redis-server
const clis = new Set<ChildProcess>(); // priorlab processes: killed after each test, so a failed test leaves no worker behind

interface Proc {
  child: ChildProcess;
  out(): string;
  exit: Promise<number>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  clis.add(child);
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (text += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (text += c));
  const exit = new Promise<number>((res) =>
    child.on('exit', (code, signal) => {
      clis.delete(child);
      res(code ?? (signal === 'SIGKILL' ? 137 : 128));
    }),
  );
  return { child, out: () => text, exit };
}

async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server tracked for cleanup. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = await startRedisServer(port);
  procs.add(child);
  child.on('exit', () => procs.delete(child));
  return child;
}

/** Every file of a sweep folder, with createdAt/updatedAt masked (the only bytes allowed to differ). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else
        out[relative(dir, p)] = readFileSync(p, 'utf8').replace(/"(createdAt|updatedAt)": "[^"]*"/g, '"$1": "<time>"');
    }
  };
  walk(dir);
  return out;
}

function spec(name: string, body: object): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, stringify({ experiment: 'tabular-q', ...body }));
  return path;
}

/** The priors tabular-q's schema accepts: all three (reference: TwoRoute's guide, so the grid runs on TwoRoute-v0). */
const PRIORS = PRIOR_NAMES.filter((prior) => tabularQ.options.safeParse({ prior, env: 'TwoRoute-v0' }).success);

let redisPort = 0;
let redis: ChildProcess;
let url = '';

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  url = `redis://127.0.0.1:${redisPort}`;
});

afterEach(() => {
  for (const p of clis) p.kill('SIGKILL');
});

afterAll(async () => {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const worker = (): Proc => start(['worker', '--queue', url, '--lock-ms', '2000']);
const stopAll = async (ps: Proc[]): Promise<void> => {
  for (const p of ps) p.child.kill('SIGTERM');
  await Promise.all(ps.map((p) => p.exit));
};

describe('sweep backends', () => {
  it(`local and Redis with 2 workers write the same sweep folder: ${PRIORS.length} priors × 5 α × 3 seeds of tabular-q`, async () => {
    const file = spec('grid', {
      options: { env: 'TwoRoute-v0', steps: 1000, logEvery: 250, checkpointEvery: 500 },
      grid: { prior: PRIORS, alpha: [0.01, 0.03, 0.1, 0.3, 1] },
      seeds: '1-3',
    });
    const local = start(['sweep', file, '--out', 'grid-local', '--workers', '2']);
    expect(await local.exit, local.out()).toBe(0);
    const workers = [worker(), worker()];
    const coord = start(['sweep', file, '--out', 'grid-redis', '--queue', url]);
    expect(await coord.exit, coord.out()).toBe(0);
    await stopAll(workers);
    const a = snapshot(join(work, 'grid-local'));
    const b = snapshot(join(work, 'grid-redis'));
    const trials = 15 * PRIORS.length;
    expect(Object.keys(a).filter((f) => f.endsWith('metrics.jsonl'))).toHaveLength(trials);
    const first = Object.keys(a).find((f) => /^trials\/c0+-s1\/metrics\.jsonl$/.test(f))!;
    expect(a[first].trim().split('\n')).toHaveLength(4);
    expect(a['summary.md']).toMatch(/\| 0 \| \w+ \| 0\.01 \| 3 \| -?\d/);
    expect(Object.keys(a)).toContain('charts_episodic_return-vs-alpha.svg');
    expect(b).toEqual(a);
    // Both workers took trials.
    expect(workers.map((w) => (w.out().match(/: done/g) ?? []).length).every((n) => n > 0)).toBe(true);
  });

  describe('faults (each compared with an uninterrupted local sweep)', () => {
    // Trials long enough to be caught in the middle (600k steps: ~1 s each on a quiet machine, where 60k took 0.1 s and a
    // trial could finish between the check and the kill); checkpoints every 50k steps.
    const body = {
      options: { env: 'TwoRoute-v0', steps: 600_000, logEvery: 25_000, checkpointEvery: 50_000 },
      grid: { prior: PRIORS.slice(0, 2), alpha: [0.1, 1] },
      seeds: [1],
    };
    let file = '';
    let reference: Record<string, string> = {};
    /** Rows shipped so far per unfinished trial of the sweep in `dir` (empty when Redis does not answer). */
    const shippedRows = async (dir: string): Promise<Record<string, number>> => {
      if (!existsSync(join(work, dir, 'sweep.json'))) return {};
      const r = new Redis({
        host: '127.0.0.1',
        port: redisPort,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      const p = `priorlab:sweep:${sweepIdOf(join(work, dir))}`;
      try {
        await r.connect();
        const out: Record<string, number> = {};
        for (const id of ['c0-s1', 'c1-s1', 'c2-s1', 'c3-s1']) {
          if (!(await r.sismember(`${p}:done`, id))) out[id] = await r.llen(`${p}:t:${id}:rows`);
        }
        return out;
      } catch {
        return {};
      } finally {
        r.disconnect();
      }
    };
    const doneTrials = (dir: string): number =>
      existsSync(join(work, dir, 'trials'))
        ? readdirSync(join(work, dir, 'trials')).filter((t) => trialStatus(join(work, dir), t) === 'done').length
        : 0;

    beforeAll(async () => {
      file = spec('faults', body);
      const ref = start(['sweep', file, '--out', 'faults-ref', '--workers', '2']);
      expect(await ref.exit, ref.out()).toBe(0);
      reference = snapshot(join(work, 'faults-ref'));
      expect(reference['trials/c0-s1/metrics.jsonl'].trim().split('\n')).toHaveLength(24);
    });

    it('kill -9 one of two workers mid-trial: another worker resumes it from its checkpoint', async () => {
      const [a, b] = [worker(), worker()];
      const coord = start(['sweep', file, '--out', 'faults-kill', '--queue', url]);
      let victim = '';
      await waitFor('worker A 100k steps into a trial (2 checkpoints shipped)', async () => {
        const m = [...a.out().matchAll(/trial (\S+) of sweep \S+: starting/g)].at(-1);
        if (!m) return false;
        victim = m[1];
        return ((await shippedRows('faults-kill'))[victim] ?? 0) >= 4;
      });
      a.child.kill('SIGKILL');
      expect(await coord.exit, coord.out()).toBe(0);
      await stopAll([b]);
      expect(b.out()).toMatch(new RegExp(`trial ${victim} of sweep \\S+: resuming`));
      expect(snapshot(join(work, 'faults-kill'))).toEqual(reference);
    });

    it('the coordinator killed and restarted collects the rest', async () => {
      // One worker until the kill, so on a quiet machine the sweep cannot finish before it.
      const workers = [worker()];
      const first = start(['sweep', file, '--out', 'faults-coord', '--queue', url]);
      await waitFor('one trial collected', () => doneTrials('faults-coord') >= 1);
      first.child.kill('SIGKILL');
      await first.exit;
      expect(doneTrials('faults-coord')).toBeLessThan(4);
      workers.push(worker());
      const second = start(['sweep', file, '--out', 'faults-coord', '--queue', url]);
      expect(await second.exit, second.out()).toBe(0);
      expect(second.out()).toMatch(/4 trials of tabular-q \(4 cells\); [1-3] already done/);
      await stopAll(workers);
      expect(snapshot(join(work, 'faults-coord'))).toEqual(reference);
    });

    it('Redis stopped mid-sweep: a clear error, and the sweep resumes when it is back (empty)', async () => {
      const workers = [worker(), worker()];
      const coord = start(['sweep', file, '--out', 'faults-redis', '--queue', url]);
      await waitFor('a trial started', () => workers.some((w) => /: starting/.test(w.out())));
      await stopRedisServer(redis);
      await waitFor('the coordinator reporting Redis down', () => /unreachable/.test(coord.out()), 30_000);
      expect(coord.out()).toMatch(new RegExp(`redis redis://127\\.0\\.0\\.1:${redisPort}/? unreachable`));
      redis = await startRedis(redisPort);
      expect(await coord.exit, coord.out()).toBe(0);
      expect(coord.out()).toMatch(/lost this sweep's state/);
      await stopAll(workers);
      expect(snapshot(join(work, 'faults-redis'))).toEqual(reference);
    });

    it('workers keeping trial files in a --checkpoints folder (not Redis) give the same folder, and the files are cleared', async () => {
      const store = join(work, 'store');
      const workers = [0, 1].map(() => start(['worker', '--queue', url, '--lock-ms', '2000', '--checkpoints', store]));
      const coord = start(['sweep', file, '--out', 'faults-store', '--queue', url]);
      const files = (): string[] =>
        existsSync(store)
          ? readdirSync(store, { recursive: true, withFileTypes: true })
              .filter((d) => d.isFile())
              .map((d) => d.name)
          : [];
      await waitFor('a shipped file in the checkpoints folder', () => files().length > 0);
      expect(await coord.exit, coord.out()).toBe(0);
      await stopAll(workers);
      expect(files()).toEqual([]);
      expect(snapshot(join(work, 'faults-store'))).toEqual(reference);
    });

    it('local worker processes killed mid-trial: their trials fail, and a rerun resumes them', async () => {
      const first = start(['sweep', file, '--out', 'faults-crash', '--workers', '2']);
      // The checkpointed step of every running trial (null: none yet). Killing a trial before its first
      // checkpoint leaves logs a rerun must not overwrite, so wait until every running one has checkpointed.
      const running = (): (number | null)[] => {
        const trials = join(work, 'faults-crash', 'trials');
        if (!existsSync(trials)) return [];
        return readdirSync(trials)
          .filter((t) => trialStatus(join(work, 'faults-crash'), t) === 'running')
          .map((t) => {
            const p = join(trials, t, 'checkpoint.json');
            return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')).step as number) : null;
          });
      };
      await waitFor('every running trial checkpointed, one at 100k steps', () => {
        const steps = running();
        return steps.every((s) => s !== null) && steps.some((s) => s! >= 100_000);
      });
      // Every worker process: the one running the trial seen above is among them (which one is not visible from here).
      const kids = spawnSync('pgrep', ['-P', String(first.child.pid)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .map(Number);
      for (const pid of kids) process.kill(pid, 'SIGKILL');
      expect(await first.exit, first.out()).toBe(1);
      expect(first.out()).toMatch(/trial c\d-s1 FAILED/);
      expect(doneTrials('faults-crash')).toBeLessThan(4);
      const second = start(['sweep', join(work, 'faults-crash')]);
      expect(await second.exit, second.out()).toBe(0);
      expect(snapshot(join(work, 'faults-crash'))).toEqual(reference);
    });

    it('a local sweep stopped with SIGTERM and run again ends as if uninterrupted', async () => {
      const first = start(['sweep', file, '--out', 'faults-local', '--workers', '2']);
      await waitFor('a trial checkpointed at 100k steps', () => {
        const trials = join(work, 'faults-local', 'trials');
        if (!existsSync(trials)) return false;
        return readdirSync(trials).some((t) => {
          const p = join(trials, t, 'checkpoint.json');
          return existsSync(p) && JSON.parse(readFileSync(p, 'utf8')).step >= 100_000;
        });
      });
      first.child.kill('SIGTERM');
      expect(await first.exit, first.out()).toBe(130);
      expect(first.out()).toMatch(/trials not done; run the same command again/);
      expect(doneTrials('faults-local')).toBeLessThan(4);
      const second = start(['sweep', join(work, 'faults-local')]);
      expect(await second.exit, second.out()).toBe(0);
      expect(snapshot(join(work, 'faults-local'))).toEqual(reference);
    });
  });
});
