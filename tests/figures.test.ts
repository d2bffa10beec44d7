/**
 * `npm run figures -- --check`: the README's generated blocks against the measurement. On a temp copy of the
 * README, the lesson's blocks pass as committed; one number changed by hand fails with one line naming the
 * figure, the README's value and the measured one.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isShell, main } from '../scripts/figures.js';
import { compareBlock, fillBlocks, findBlocks, tokens } from '../scripts/figures/blocks.js';
import { FIGURES } from '../scripts/figures/registry.js';
import { seedStats } from '../scripts/figures/stats.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { log: (l: string) => out.push(l), error: (l: string) => err.push(l) } };
}

describe('figure blocks', () => {
  it('finds, fills and tokenizes blocks; numbers as the README writes them', () => {
    const doc =
      'a <!-- figures:begin x -->−1.5 and 1,000 (v1)<!-- figures:end --> b <!-- figures:begin y -->2<!-- figures:end -->';
    expect(findBlocks(doc).map((b) => [b.name, b.text])).toEqual([
      ['x', '−1.5 and 1,000 (v1)'],
      ['y', '2'],
    ]);
    expect(tokens('−1.5 and 1,000 (v1), 7.1e-4, 33%')).toEqual({
      numbers: ['−1.5', '1,000', '7.1e-4', '33'],
      skeleton: '# and # (v1), #, #%',
    });
    expect(fillBlocks(doc, new Map([['y', '3']]))).toBe(doc.replace('-->2<', '-->3<'));
  });

  it('compares number by number within the tolerance, one line naming the figure and both values', () => {
    expect(compareBlock('f', 'KL 7.1e-4 at N = 1,000', 'KL 7.1e-4 at N = 1,000', { rel: 0.02 })).toBeNull();
    expect(compareBlock('f', 'KL 7.2e-4', 'KL 7.1e-4', { rel: 0.02 })).toBeNull();
    expect(compareBlock('f', 'KL 8.1e-4', 'KL 7.1e-4', { rel: 0.02 })).toBe(
      'f: README 8.1e-4, measured 7.1e-4 (tolerance rel 0.02)',
    );
    expect(compareBlock('f', 'KL 7.1e-4 seed 1', 'KL 7.1e-4', {})).toMatch(/^f: README text .* differs/);
  });

  it('summarizes seeds: sample std, range, and a seed outside the others’ range', () => {
    const s = seedStats(
      new Map([
        [1, 1],
        [2, 1.1],
        [3, 3],
      ]),
    );
    expect(s.mean).toBeCloseTo(5.1 / 3, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(((1 - 1.7) ** 2 + (1.1 - 1.7) ** 2 + (3 - 1.7) ** 2) / 2), 12);
    expect([s.min, s.max, s.outliers]).toEqual([1, 3, [3]]);
  });

  it('every registry entry names a command, seeds and files that each hold its block', () => {
    expect(new Set(FIGURES.map((f) => f.name)).size).toBe(FIGURES.length);
    for (const f of FIGURES) {
      expect(f.commands.length, f.name).toBeGreaterThan(0);
      expect(f.files.length, f.name).toBeGreaterThan(0);
      for (const file of f.files) {
        const doc = readFileSync(join(import.meta.dirname, '..', file), 'utf8');
        expect(
          findBlocks(doc).some((b) => b.name === f.name),
          `${f.name} has a block in ${file}`,
        ).toBe(true);
      }
      // A shell command has no seed of its own: more seeds would only repeat it.
      if (f.commands.some(isShell)) expect(f.seeds, f.name).toEqual([1]);
      // Learning and sampling are quoted over seeds; one seed only for a table that names it, or a timing.
      if (f.seeds.length < 3)
        expect(f.timing || /seed 1/.test(f.what) || f.commands.every((c) => c === 'lesson'), f.name).toBe(true);
    }
  });

  it('every SVG the README and docs/ show from docs/figures is drawn by a registry entry, and every one drawn is shown', () => {
    const root = join(import.meta.dirname, '..');
    const docs = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((n) => n.endsWith('.md'))
        .map((n) => `docs/${n}`),
    ];
    const shown = new Set(
      docs.flatMap((file) =>
        [...readFileSync(join(root, file), 'utf8').matchAll(/\]\(((?:docs\/)?figures\/[\w.-]+\.svg)\)/g)].map((m) =>
          m[1].startsWith('docs/') ? m[1] : `docs/${m[1]}`,
        ),
      ),
    );
    const drawn = new Set(FIGURES.flatMap((f) => Object.keys(f.plots ?? {})));
    expect(shown.size).toBeGreaterThan(0);
    expect([...shown].filter((p) => !drawn.has(p))).toEqual([]);
    expect([...drawn].filter((p) => !shown.has(p))).toEqual([]);
  });

  it('every block in README.md and docs/ belongs to a registry entry', () => {
    const names = new Set(FIGURES.map((f) => f.name));
    const root = join(import.meta.dirname, '..');
    for (const file of [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((n) => n.endsWith('.md'))
        .map((n) => `docs/${n}`),
    ])
      for (const b of findBlocks(readFileSync(join(root, file), 'utf8')))
        expect(names.has(b.name), `${file}: ${b.name}`).toBe(true);
  });
});

describe('npm run figures -- --check', () => {
  it('passes on the README as committed and fails on one number changed by hand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'priorlab-figures-test-'));
    const readme = join(dir, 'README.md');
    copyFileSync(join(import.meta.dirname, '..', 'README.md'), readme);
    const args = ['--check', '--only', 'lesson-table,lesson-gaps', '--readme', readme];

    const ok = capture();
    expect(await main(args, ok.io), ok.err.join('\n')).toBe(0);
    expect(ok.err).toEqual([]);
    expect(ok.out.at(-1)).toMatch(/^figures --check: 2 of 2 agree/);

    const text = readFileSync(readme, 'utf8');
    const block = findBlocks(text).find((b) => b.name === 'lesson-gaps')!;
    expect(block.text).toContain('0.193426409720');
    writeFileSync(
      readme,
      text.slice(0, block.start) + block.text.replace('0.193426409720', '0.193426409820') + text.slice(block.end),
    );
    const bad = capture();
    expect(await main(args, bad.io)).toBe(1);
    expect(bad.err).toEqual([
      'figures --check: README.md: lesson-gaps: README 0.193426409820, measured 0.193426409720 (tolerance abs 1e-12)',
    ]);
  });
});
