/**
 * Terminal text that fits: the width of the terminal (`process.stdout.columns`, else `$COLUMNS`, else 80),
 * word wrapping with a hanging indent, and tables split into column blocks that each fit the width.
 *
 * Nothing here cuts a word: a line is broken only at spaces, and a single word longer than the width (a long
 * path) stays whole on its own line.
 */
import { isAbsolute, relative } from 'node:path';

/** The narrowest width text is laid out for (a narrower terminal gets 40-column text). */
export const MIN_COLUMNS = 40;

/** Columns of `stream` when it is a terminal, else `$COLUMNS` (set by the CLI for its child processes), else 80. */
export function termColumns(
  stream: { columns?: number; isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const fromStream = stream.isTTY && stream.columns ? stream.columns : NaN;
  const fromEnv = Number(env.COLUMNS);
  const cols = Number.isFinite(fromStream) ? fromStream : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.max(MIN_COLUMNS, Math.floor(cols));
}

/** Display width of `s` (code points; the CLI prints no wide characters). */
export const textWidth = (s: string): number => [...s].length;

/**
 * Wraps `text` to `width` columns by words. The first line starts with `first` (default: `indent` spaces),
 * the following lines with `indent` spaces. Existing newlines are kept as paragraph breaks.
 */
export function wrap(text: string, width: number, indent = 0, first: string = ' '.repeat(indent)): string[] {
  const out: string[] = [];
  const pad = ' '.repeat(indent);
  text.split('\n').forEach((para, p) => {
    const words = para.split(/ +/).filter((w) => w.length > 0);
    let line = p === 0 ? first : pad;
    let empty = true;
    for (const w of words) {
      if (!empty && textWidth(line) + 1 + textWidth(w) > width) {
        out.push(line.trimEnd());
        line = pad;
        empty = true;
      }
      line += (empty ? '' : ' ') + w;
      empty = false;
    }
    out.push(line.trimEnd());
  });
  return out;
}

/** A two-column list (`  name  text`) whose text wraps under itself; names wider than `maxName` get the text below. */
export function definitionList(
  rows: ReadonlyArray<readonly [string, string]>,
  width: number,
  { indent = 2, maxName = 26, nameWidth: given }: { indent?: number; maxName?: number; nameWidth?: number } = {},
): string[] {
  const nameWidth = Math.min(maxName, given ?? Math.max(0, ...rows.map(([n]) => textWidth(n))));
  const col = indent + nameWidth + 2;
  const out: string[] = [];
  for (const [name, text] of rows) {
    const head = ' '.repeat(indent) + name;
    if (textWidth(name) <= nameWidth && col + 12 <= width) out.push(...wrap(text, width, col, head.padEnd(col)));
    else {
      out.push(head);
      if (text) out.push(...wrap(text, width, indent + 4));
    }
  }
  return out;
}

export interface TableColumn {
  header: string;
  /** Right-aligned (numbers) unless `left`. */
  left?: boolean;
}

/**
 * A table laid out in blocks that fit `width`: the first `keys` columns (the row labels) repeat in every
 * block; the other columns go into the first block with room, in order. Blocks are separated by a blank line.
 */
export function fitTable(
  columns: readonly TableColumn[],
  rows: ReadonlyArray<readonly string[]>,
  width: number,
  keys = 1,
): string[] {
  const widths = columns.map((c, i) => Math.max(textWidth(c.header), ...rows.map((r) => textWidth(r[i] ?? ''))));
  const gap = 2;
  const keyWidth = widths.slice(0, keys).reduce((a, w) => a + w + gap, 0);
  const blocks: number[][] = [];
  let cur: number[] = [];
  let used = keyWidth;
  for (let i = keys; i < columns.length; i++) {
    const need = widths[i] + (cur.length ? gap : 0);
    if (cur.length && used + need > width) {
      blocks.push(cur);
      cur = [];
      used = keyWidth;
    }
    cur.push(i);
    used += widths[i] + (cur.length > 1 ? gap : 0);
  }
  if (cur.length || blocks.length === 0) blocks.push(cur);
  const cell = (i: number, s: string): string => {
    const padN = widths[i] - textWidth(s);
    return columns[i].left ? s + ' '.repeat(padN) : ' '.repeat(padN) + s;
  };
  const out: string[] = [];
  blocks.forEach((block, b) => {
    if (b > 0) out.push('');
    const idx = [...Array.from({ length: keys }, (_, k) => k), ...block];
    const line = (cells: (i: number) => string) =>
      idx
        .map((i) => cell(i, cells(i)))
        .join(' '.repeat(gap))
        .trimEnd();
    out.push(line((i) => columns[i].header));
    for (const r of rows) out.push(line((i) => r[i] ?? ''));
  });
  return out;
}

/**
 * How the user started the CLI, for the commands it suggests: `npm run exp --` under `npm run exp`, else
 * `npx priorlab` under npx, else `priorlab`.
 */
export function commandPrefix(env: NodeJS.ProcessEnv = process.env): string {
  if (env.npm_lifecycle_event === 'exp') return 'npm run exp --';
  if (env.npm_lifecycle_event === 'npx' || env.npm_command === 'exec') return 'npx priorlab';
  return 'priorlab';
}

/** `path` as the user would type it: relative to the working folder when inside it (`runs/…`), else absolute. */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
