/** The one metrics.jsonl reader (`src/core/metrics.ts`), used by the CLI's resume and compare and by the viewer. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetrics } from '../src/core/metrics.js';
import { readMetrics, truncateMetrics } from '../src/node/run/rundir.js';

describe('metrics.jsonl', () => {
  it('skips a torn last line silently and reports other bad lines by number', () => {
    const problems: string[] = [];
    const rows = parseMetrics(
      '{"step":1,"a":2,"s":"x"}\nnot json\n{"a":3}\n{"step":2,"a":null}\n{"step":3,"a',
      problems,
    );
    expect(rows).toEqual([{ step: 1, a: 2 }, { step: 2 }]);
    expect(problems).toEqual(['metrics.jsonl line 2: not JSON', 'metrics.jsonl line 3: no numeric "step"']);
  });

  it('readMetrics names the file of a bad line; truncateMetrics keeps rows byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'priorlab-metrics-'));
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"step":1,  "a":1}\n{"step":2,"a":2}\n{"step":3,"a":3}\n{"step":4,"a');
    expect(readMetrics(path).map((r) => r.step)).toEqual([1, 2, 3]);
    truncateMetrics(dir, 2);
    expect(readFileSync(path, 'utf8')).toBe('{"step":1,  "a":1}\n{"step":2,"a":2}\n');
    writeFileSync(path, '{"step":1}\nbad\n{"step":2}\n');
    expect(() => readMetrics(path)).toThrow(`${path} line 2: not JSON`);
  });
});
