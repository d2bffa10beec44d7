/** `priorlab lesson --check`: exit 0 for the correct answers file, 1 for the wrong one, 2 for bad input; ≤ 80 columns. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const check = (file: string) => {
  const r = spawnSync(process.execPath, [BIN, 'lesson', '--check', file], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  return { code: r.status, out: r.stdout.trimEnd().split('\n'), err: r.stderr.trim() };
};
const answerLines = (out: string[]) => out.filter((l) => l.startsWith('  '));

describe('priorlab lesson --check', () => {
  it('a correct answers file: exit 0, one line per answer, each correct', () => {
    const r = check('src/lesson/answers/correct.yaml');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = answerLines(r.out);
    expect(lines).toHaveLength(19);
    expect(lines.every((l) => l.endsWith(' correct'))).toBe(true);
    expect(lines[5]).toMatch(/^ {2}elbo {15}-2\.472 {6}correct$/);
    expect(r.out).toContain('practice-elbo: p(z)=N(0,4), p(x|z)=N(z,1), x=2, q=N(1,1.5)');
    expect(r.out.at(-1)).toBe('19 of 19 correct');
    for (const l of r.out) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('a file with wrong answers: exit 1, each wrong one named with its value and hint', () => {
    const r = check('src/lesson/answers/wrong.yaml');
    expect(r.code).toBe(1);
    const lines = answerLines(r.out);
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe('  posteriorVariance  0.894       wrong: 1/v = 1/σ_p² + 1/σ_x² (a variance)');
    expect(lines[4]).toMatch(/^ {2}elbo +-2\.472 +wrong: ELBO = /); // the practice's ELBO for another attempt's model
    expect(lines[5]).toBe('  sac-prior          pretrained  wrong: entropy bonus = −KL to it + const');
    expect(r.out.at(-1)).toBe('3 of 7 correct');
    for (const l of r.out) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('bad input exits 2 with one line: a missing file, a malformed file, no value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'priorlab-lesson-'));
    const missing = check(join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^priorlab: .*nope\.yaml: does not exist; check the path \(ENOENT\)$/);
    writeFileSync(join(dir, 'bad.yaml'), 'practice-elbo: { elbo: [1] }\n');
    const bad = check(join(dir, 'bad.yaml'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^priorlab: .*bad\.yaml: got .*; allowed: a map of exercise ids/);
    expect(bad.err).not.toContain('\n');
    const r = spawnSync(process.execPath, [BIN, 'lesson', '--check'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'priorlab: lesson --check: missing value; allowed: a YAML file of answers (see src/lesson/answers/)',
    );
  });
});
