/**
 * Seeds in parallel: wall time of N seeds of a short tabular-q run through the CLI, one at a time
 * (`--workers 1`) against side by side (`--workers` = cores), and the ratio. Each seed is a child
 * process, so both timings include process start-up (tsx + tfjs import), as users see it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_ENTRY } from '../src/node/run/parallel.js';

const SEEDS = 4;
const STEPS = 300_000;

function wallSeconds(workers: number): number {
  const out = mkdtempSync(join(tmpdir(), 'priorlab-bench-'));
  const start = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      CLI_ENTRY,
      'tabular-q',
      `--seeds=1-${SEEDS}`,
      `--steps=${STEPS}`,
      `--workers=${workers}`,
      `--out=${out}`,
      '--backend=cpu',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    },
  );
  const seconds = (performance.now() - start) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`bench parallel: CLI exited ${r.status}: ${r.stderr}`);
  return seconds;
}

export async function bench(): Promise<void> {
  const cores = availableParallelism();
  const sequential = wallSeconds(1);
  const parallel = wallSeconds(cores);
  console.log(
    `parallel seeds: ${SEEDS} seeds × ${STEPS} tabular-q steps: sequential ${sequential.toFixed(2)} s, ${cores} workers ${parallel.toFixed(2)} s, speed-up ×${(sequential / parallel).toFixed(2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
