/** Summaries over seeds and the number formats the README uses (U+2212 for minus). */

export interface SeedStats {
  /** value per seed, in the order the seeds were run */
  readonly perSeed: Record<string, number>;
  readonly mean: number;
  /** sample standard deviation (0 for one seed) */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /**
   * Seeds whose value lies outside the other seeds' range by more than that range's width (a lucky or unlucky
   * seed; needs ≥ 3 seeds). A figure quoting such a set says so.
   */
  readonly outliers: number[];
}

export function seedStats(perSeed: ReadonlyMap<number, number>): SeedStats {
  const seeds = [...perSeed.keys()];
  const v = seeds.map((s) => perSeed.get(s)!);
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const outliers: number[] = [];
  if (n >= 3) {
    seeds.forEach((seed, i) => {
      const others = v.filter((_, j) => j !== i);
      const lo = Math.min(...others);
      const hi = Math.max(...others);
      const gap = v[i] > hi ? v[i] - hi : v[i] < lo ? lo - v[i] : 0;
      if (gap > 0 && gap > hi - lo) outliers.push(seed);
    });
  }
  return {
    perSeed: Object.fromEntries(seeds.map((s, i) => [String(s), v[i]])),
    mean,
    std,
    min: Math.min(...v),
    max: Math.max(...v),
    outliers,
  };
}

const minus = (t: string): string => t.replace(/^-/, '−');

/** Fixed decimals, U+2212 minus (and no "−0"). */
export function fixed(x: number, digits: number): string {
  const t = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(t) ? t.slice(1) : minus(t);
}

/** Scientific with `digits` after the point: 7.1e-4. */
export function sci(x: number, digits = 1): string {
  return minus(x.toExponential(digits));
}

/** A percentage rounded to an integer: 33%. */
export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** `lo … hi` with the given format. */
export function range(s: SeedStats, f: (x: number) => string): string {
  return `${f(s.min)} … ${f(s.max)}`;
}

/** `mean ± std (lo … hi)`. */
export function meanStdRange(s: SeedStats, f: (x: number) => string): string {
  return `${f(s.mean)} ± ${f(s.std)} (${range(s, f)})`;
}

/** `1–3` for consecutive seeds, else `1, 4, 9`. */
export function seedsText(seeds: readonly number[]): string {
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  return consecutive && seeds.length > 2 ? `${seeds[0]}–${seeds.at(-1)}` : seeds.join(', ');
}
