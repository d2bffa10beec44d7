/**
 * The one reader of `metrics.jsonl` (one `{ "step": n, "ns/key": x, ... }` object per line), browser-safe
 * so the CLI (`src/node/run/`) and the viewer (`src/viz/recorded/`) read the file the same way.
 */
import { UNSAFE_KEYS } from './safekeys.js';

/** One line of metrics.jsonl: the step and its namespaced scalars. */
export interface MetricsRow {
  step: number;
  [key: string]: number;
}

/** A parsed line: its 1-based number, its text as written, and the row. */
export interface MetricsLine {
  n: number;
  text: string;
  row: MetricsRow;
}

/**
 * Parses metrics.jsonl text. A row needs a numeric `step`; non-numeric and non-finite values are dropped.
 * A torn (unparseable) LAST line is what a crashed writer leaves: skipped silently. Any other bad line is
 * skipped and described in `problems` (`<file> line <n>: ...`).
 */
export function parseMetricsLines(text: string, problems: string[] = [], file = 'metrics.jsonl'): MetricsLine[] {
  const lines = text.split('\n');
  const out: MetricsLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      if (lines.slice(i + 1).some((l) => l.trim() !== '')) problems.push(`${file} line ${i + 1}: not JSON`);
      return;
    }
    if (typeof obj !== 'object' || obj === null || typeof (obj as { step?: unknown }).step !== 'number') {
      problems.push(`${file} line ${i + 1}: no numeric "step"`);
      return;
    }
    const row: MetricsRow = { step: (obj as { step: number }).step };
    for (const [k, v] of Object.entries(obj))
      if (typeof v === 'number' && Number.isFinite(v) && !UNSAFE_KEYS.includes(k)) row[k] = v;
    out.push({ n: i + 1, text: line, row });
  });
  return out;
}

/** The rows of metrics.jsonl text (see `parseMetricsLines`). */
export function parseMetrics(text: string, problems: string[] = [], file = 'metrics.jsonl'): MetricsRow[] {
  return parseMetricsLines(text, problems, file).map((l) => l.row);
}
