/**
 * A throwaway `redis-server` for tests and benchmarks: 127.0.0.1 only, a free port, no persistence
 * (`--save '' --appendonly no`). Debian's `redis-server` must be installed (`.ci/run` installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export function hasRedisServer(): boolean {
  return !spawnSync('redis-server', ['--version']).error;
}

/** Starts redis-server on 127.0.0.1:`port`; resolves once it accepts connections. */
export async function startRedisServer(port: number, timeoutMs = 20_000): Promise<ChildProcess> {
  if (!hasRedisServer()) throw new Error("redis-server not found: install Debian's redis-server (.ci/run does)");
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (log += c));
  const t0 = Date.now();
  while (!/Ready to accept connections/.test(log)) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited: ${log.slice(-500)}`);
    if (Date.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} not ready after ${timeoutMs} ms: ${log.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

/** Stops it (SIGTERM) and waits for the exit. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}
