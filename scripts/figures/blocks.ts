/**
 * The README's generated blocks and how a block is compared with a measurement.
 *
 * A block is `<!-- figures:begin name -->text<!-- figures:end -->` (inline or over several lines); the script
 * rewrites its text, the prose around it stays. A check renders the measured figure and compares it with the
 * block number by number: the text between the numbers must be equal, and each number within the figure's
 * tolerance.
 */

export interface Block {
  readonly name: string;
  readonly text: string;
  /** Offsets of the text inside the document. */
  readonly start: number;
  readonly end: number;
}

const BLOCK = /<!-- figures:begin ([a-z0-9-]+) -->([\s\S]*?)<!-- figures:end -->/g;

/** Every block of `doc`, in order (a name may occur more than once: each occurrence gets the same text). */
export function findBlocks(doc: string): Block[] {
  const out: Block[] = [];
  for (const m of doc.matchAll(BLOCK)) {
    const head = `<!-- figures:begin ${m[1]} -->`;
    const start = m.index + head.length;
    out.push({ name: m[1], text: m[2], start, end: start + m[2].length });
  }
  return out;
}

/** `doc` with the text of every block named in `texts` replaced; blocks of other names are left as they are. */
export function fillBlocks(doc: string, texts: ReadonlyMap<string, string>): string {
  return doc.replace(BLOCK, (whole, name: string) => {
    const text = texts.get(name);
    return text === undefined ? whole : `<!-- figures:begin ${name} -->${text}<!-- figures:end -->`;
  });
}

/**
 * A number as the README writes it: `−0.5` (U+2212 or `-`), `1,000`, `7.1e-4`, `33%` (the `%` is text). Digits
 * glued to a letter or a dot (`v1`, `x2`) are part of a word, not a number.
 */
const NUMBER = /(?<![\w.])[−-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[−-]?\d+)?(?![\w])/g;

export function parseNumber(token: string): number {
  return Number(token.replace(/−/g, '-').replace(/,/g, ''));
}

/** The numbers of `text` (as written) and the text with each replaced by `#`. */
export function tokens(text: string): { numbers: string[]; skeleton: string } {
  const numbers: string[] = [];
  const skeleton = text.replace(NUMBER, (t) => {
    numbers.push(t);
    return '#';
  });
  return { numbers, skeleton };
}

/** How far a number may move before the check fails: |readme − measured| ≤ max(abs, rel·|measured|). */
export interface Tolerance {
  readonly abs?: number;
  readonly rel?: number;
}

export function toleranceText(t: Tolerance): string {
  const parts = [t.abs !== undefined ? `abs ${t.abs}` : '', t.rel !== undefined ? `rel ${t.rel}` : ''];
  return parts.filter(Boolean).join(', ') || 'exact';
}

/**
 * Compares a README block with the text the measurement renders. Returns null when they agree, else one line:
 * the first number that differs beyond the tolerance (README's and measured), or the text that differs.
 */
export function compareBlock(name: string, readme: string, measured: string, tol: Tolerance): string | null {
  const a = tokens(readme);
  const b = tokens(measured);
  if (a.skeleton !== b.skeleton || a.numbers.length !== b.numbers.length) {
    const oneLine = (s: string) => JSON.stringify(s.replace(/\s+/g, ' ').trim());
    return `${name}: README text ${oneLine(readme)} differs from the generated ${oneLine(measured)} (not only in its numbers)`;
  }
  const bad: string[] = [];
  for (let i = 0; i < a.numbers.length; i++) {
    const x = parseNumber(a.numbers[i]);
    const y = parseNumber(b.numbers[i]);
    const allowed = Math.max(tol.abs ?? 0, (tol.rel ?? 0) * Math.abs(y));
    if (!(Math.abs(x - y) <= allowed + 1e-12 * Math.abs(y)))
      bad.push(`README ${a.numbers[i]}, measured ${b.numbers[i]}`);
  }
  if (bad.length === 0) return null;
  return `${name}: ${bad.join('; ')} (tolerance ${toleranceText(tol)})`;
}
