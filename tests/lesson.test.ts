import { beforeAll, describe, expect, it } from 'vitest';
import lesson from '../experiments/lesson.js';
import type { RunContext } from '../src/node/run/experiment.js';
import { EXPERIMENTS } from '../experiments/index.js';
import { RngStreams } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';

let backend = '';
beforeAll(async () => {
  backend = await initNodeBackend();
});

/** A print-only RunContext whose `print` collects the lines; everything a print experiment must not use throws. */
function fakeContext(seed: number): { ctx: RunContext; lines: string[] } {
  const lines: string[] = [];
  const unused = (): never => {
    throw new Error('a print experiment must not touch the run folder');
  };
  const ctx: RunContext = {
    seed,
    streams: new RngStreams(seed),
    dir: null,
    backend,
    resume: false,
    signal: new AbortController().signal,
    log: unused,
    progress: () => {},
    print: (line) => lines.push(line),
    writeFile: unused,
    readFile: unused,
    checkpoint: unused,
    loadCheckpoint: () => null,
  };
  return { ctx, lines };
}

async function run(seed: number, overrides: Record<string, unknown> = {}): Promise<string[]> {
  const { ctx, lines } = fakeContext(seed);
  await lesson.run(lesson.options.parse({ samples: 2000, fitSteps: 0, ...overrides }), ctx);
  return lines;
}

/** The table row whose first cell is `label`, split into its cells. */
function row(lines: string[], label: string, occurrence = 0): string[] {
  const found = lines.filter((l) => l.trim().startsWith(label));
  expect(found.length).toBeGreaterThan(occurrence);
  return found[occurrence]
    .trim()
    .slice(label.length)
    .trim()
    .split(/\s{3,}/);
}

const toNumber = (cell: string): number => Number(cell.replace('−', '-'));

describe('lesson experiment', () => {
  it('is registered in the experiment list under its own name and summary', () => {
    const entry = EXPERIMENTS.find((e) => e.name === 'lesson');
    expect(entry?.summary).toBe(lesson.summary);
    expect(lesson.kind).toBe('print');
  });

  it('prints both tables with the lesson values, ours, the MC column and a check per stated value', async () => {
    const lines = await run(1);
    expect(lines[0]).toContain(`backend ${backend}`);
    // Worked example, then practice: [lesson, analytic, MC, check].
    const elboWorked = row(lines, 'ELBO', 0);
    expect(elboWorked[0]).toBe('−1.709');
    expect(toNumber(elboWorked[1])).toBeCloseTo(-1.708939, 6);
    const [mcMean, mcSe] = elboWorked[2].split(' ± ').map(toNumber);
    expect(Math.abs(mcMean - -1.708939)).toBeLessThanOrEqual(5 * mcSe);
    expect(elboWorked[3]).toBe('✓');
    const klPractice = row(lines, 'KL(q ‖ p(z))', 1);
    expect(klPractice[0]).toBe('0.303');
    expect(toNumber(klPractice[1])).toBeCloseTo(0.302915, 6);
    expect(klPractice[3]).toBe('✓');
    // Dual path: both gaps printed to 12 decimals, equal.
    const byDef = lines
      .filter((l) => l.includes('gap by definition'))
      .map((l) => toNumber(l.trim().split(/\s+/).pop()!));
    const byKl = lines
      .filter((l) => l.includes('KL to the posterior'))
      .map((l) => toNumber(l.trim().split(/\s+/).pop()!));
    expect(byDef).toHaveLength(2);
    expect(byDef).toEqual(byKl);
    expect(byDef[0]).toBeCloseTo(0.193426, 6);
    expect(byDef[1]).toBeCloseTo(0.348196, 6);
    expect(lines.some((l) => l.startsWith('DISAGREES'))).toBe(false);
    expect(lines.at(-1)).toBe('all 16 values the lesson states agree with the formulas to three decimals');
    expect(lines.some((l) => l.startsWith('reparameterization trick'))).toBe(false);
  });

  it('is deterministic in the seed; another seed changes only the Monte Carlo column', async () => {
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    const b = await run(4);
    expect(b).not.toEqual(a);
    expect(row(b, 'ELBO', 0).slice(0, 2)).toEqual(row(a, 'ELBO', 0).slice(0, 2));
    expect(row(b, 'ELBO', 0)[2]).not.toBe(row(a, 'ELBO', 0)[2]);
  });

  it('the reparameterized fit section moves q from the prior toward the posterior', async () => {
    const lines = await run(1, { fitSteps: 150 });
    expect(lines.some((l) => l.startsWith('reparameterization trick'))).toBe(true);
    const start = row(lines, 'q = prior (start)', 0).map(toNumber);
    const end = row(lines, 'q after 150 steps', 0).map(toNumber);
    expect(start[2]).toBeCloseTo(0.403426, 6); // gap of q = N(0, 1) in the worked example
    expect(end[2]).toBeLessThan(0.01);
  });
});
