/**
 * Fail fast where waiting is wrong (issue 26), through spawned CLIs and a real `redis-server` on a random
 * loopback port: `sweep status` and `worker` give up on an unreachable Redis after `--connect-timeout` with one
 * line (exit 1); a worker stops within 2 s of SIGINT or SIGTERM, idle, mid-trial (the trial checkpoints and goes
 * back to the queue) and after Redis went away; the queue URL can come from $PRIORLAB_QUEUE or --queue-file; a
 * bad URL leaves no sweep folder. Nothing connects beyond 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, stopRedisServer } from '../src/node/sweep/localredis.js';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const work = mkdtempSync(join(tmpdir(), 'priorlab-failfast-'));
const clis = new Set<ChildProcess>();
let redis: ChildProcess | null = null;
let url = '';

interface Proc {
  child: ChildProcess;
  out(): string;
  exit: Promise<number>;
}

function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { ...process.env, CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  clis.add(child);
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (text += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (text += c));
  const exit = new Promise<number>((res) =>
    child.on('exit', (code, signal) => {
      clis.delete(child);
      res(code ?? (signal ? 128 : -1));
    }),
  );
  return { child, out: () => text, exit };
}

async function waitFor(what: string, pred: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sends `signal` and resolves to [exit code, ms from the signal to the exit]. */
async function stopWith(p: Proc, signal: NodeJS.Signals): Promise<[number, number]> {
  const t0 = performance.now();
  p.child.kill(signal);
  const code = await p.exit;
  return [code, performance.now() - t0];
}

const errorLines = (text: string) => text.split('\n').filter((l) => l.startsWith('priorlab:'));

beforeAll(async () => {
  const port = await freePort();
  redis = await startRedisServer(port);
  url = `redis://127.0.0.1:${port}`;
});

afterEach(() => {
  for (const p of clis) p.kill('SIGKILL');
});

afterAll(async () => {
  if (redis) await stopRedisServer(redis);
  rmSync(work, { recursive: true, force: true });
});

describe('unreachable Redis', () => {
  it('sweep status and worker give up after --connect-timeout with one line and exit 1', async () => {
    for (const args of [
      ['sweep', 'status', '--queue', 'redis://127.0.0.1:1', '--connect-timeout', '800'],
      ['worker', '--queue', 'redis://127.0.0.1:1', '--connect-timeout', '800'],
    ]) {
      const t0 = performance.now();
      const p = start(args);
      expect(await p.exit, p.out()).toBe(1);
      const ms = performance.now() - t0;
      expect(errorLines(p.out()), p.out()).toEqual([
        expect.stringMatching(/redis redis:\/\/127\.0\.0\.1:1 did not answer within 800 ms \(ECONNREFUSED\)/),
      ]);
      // Start-up (tsx, imports) plus the 0.8 s wait; nowhere near "forever".
      expect(ms, args.join(' ')).toBeLessThan(8000);
    }
  });

  it('a worker waiting for an unreachable Redis obeys SIGTERM at once', async () => {
    const p = start(['worker', '--queue', 'redis://127.0.0.1:1', '--connect-timeout', '60000']);
    await new Promise((r) => setTimeout(r, 2500)); // past start-up, into the wait
    const [, ms] = await stopWith(p, 'SIGTERM');
    expect(ms).toBeLessThan(2000);
  });
});

describe('stopping a worker', () => {
  it('an idle worker stops within 2 s of SIGINT, exit 130', async () => {
    const p = start(['worker', '--queue', url]);
    await waitFor('the worker to start', () => p.out().includes('Ctrl-C to stop'));
    const [code, ms] = await stopWith(p, 'SIGINT');
    expect(code, p.out()).toBe(130);
    expect(ms).toBeLessThan(2000);
  });

  it('mid-trial: SIGTERM checkpoints, requeues and exits within 2 s; another worker resumes it', async () => {
    const spec = join(work, 'long.yaml');
    writeFileSync(
      spec,
      stringify({
        experiment: 'tabular-q',
        options: { env: 'TwoRoute-v0', steps: 200_000_000, logEvery: 1_000_000, checkpointEvery: 2_000_000 },
        seeds: '1',
      }),
    );
    const coord = start(['sweep', spec, '--out', 'long', '--queue', url]);
    const a = start(['worker', '--queue', url]);
    await waitFor('worker A to start the trial', () => /trial c0-s1 of sweep \S+: starting/.test(a.out()));
    await new Promise((r) => setTimeout(r, 1500));
    const [code, ms] = await stopWith(a, 'SIGTERM');
    expect(code, a.out()).toBe(130);
    expect(ms, a.out()).toBeLessThan(2000);
    const b = start(['worker', '--queue', url]);
    await waitFor(
      'worker B to resume the trial',
      () => /trial c0-s1 of sweep \S+: resuming/.test(b.out()),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nA: ${a.out()}\nB: ${b.out()}`);
    });
    await stopWith(b, 'SIGTERM');
    coord.child.kill('SIGKILL');
  });

  it('after Redis went away: SIGTERM still stops the worker within 2 s', async () => {
    const port = await freePort();
    const own = await startRedisServer(port);
    const p = start(['worker', '--queue', `redis://127.0.0.1:${port}`]);
    await waitFor('the worker to start', () => p.out().includes('Ctrl-C to stop'));
    await stopRedisServer(own);
    await waitFor('the worker to notice', () => p.out().includes('unreachable'), 20_000);
    const [code, ms] = await stopWith(p, 'SIGTERM');
    expect(code, p.out()).toBe(130);
    expect(ms).toBeLessThan(2000);
  });
});

describe('where the queue URL comes from', () => {
  it('$PRIORLAB_QUEUE and --queue-file work like --queue; a password on the command line gets a warning', async () => {
    const env = start(['sweep', 'status'], { PRIORLAB_QUEUE: url });
    expect(await env.exit, env.out()).toBe(0);
    expect(env.out()).toMatch(/queue redis:\/\/127\.0\.0\.1:\d+ \(priorlab-trials\)/);
    const file = join(work, 'queue.txt');
    writeFileSync(file, `${url}\n`);
    const fromFile = start(['sweep', 'status', '--queue-file', file]);
    expect(await fromFile.exit, fromFile.out()).toBe(0);
    const secret = start(['sweep', 'status', '--queue', 'redis://u:hunter2@127.0.0.1:1', '--connect-timeout', '300']);
    expect(await secret.exit).toBe(1);
    expect(secret.out()).toMatch(/warning: the --queue URL holds a password/);
    expect(secret.out()).not.toContain('hunter2');
  });

  it('a bad queue URL stops the sweep before its folder exists (exit 2)', async () => {
    const spec = join(work, 'ok.yaml');
    writeFileSync(spec, stringify({ experiment: 'tabular-q', options: { steps: 100 }, seeds: '1' }));
    for (const args of [
      ['--queue', 'notaurl'],
      ['--queue', 'http://127.0.0.1:1'],
    ]) {
      const p = start(['sweep', spec, '--out', 'badq', ...args]);
      expect(await p.exit, p.out()).toBe(2);
      expect(errorLines(p.out())).toHaveLength(1);
      expect(existsSync(join(work, 'badq'))).toBe(false);
    }
    const env = start(['sweep', spec, '--out', 'badq'], { PRIORLAB_QUEUE: 'notaurl' });
    expect(await env.exit).toBe(2);
    expect(env.out()).toMatch(/\$PRIORLAB_QUEUE: got 'notaurl'/);
    expect(existsSync(join(work, 'badq'))).toBe(false);
  });
});
