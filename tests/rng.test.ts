import { describe, expect, it } from 'vitest';
import { Rng, RngStreams, type RngState } from '../src/core/rng.js';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.uniform());

describe('Rng', () => {
  it('same seed gives the same numbers; a different seed different ones', () => {
    expect(draw(new Rng(42), 20)).toEqual(draw(new Rng(42), 20));
    expect(draw(new Rng('42'), 20)).toEqual(draw(new Rng(42), 20)); // seeds are stringified
    expect(draw(new Rng(43), 20)).not.toEqual(draw(new Rng(42), 20));
    const u = draw(new Rng(1), 1000);
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('getState/setState resumes exactly, including the cached normal, through a JSON round trip', () => {
    const rng = new Rng(9);
    rng.uniform();
    rng.normal(); // leaves the second Box–Muller deviate cached
    const saved: RngState = JSON.parse(JSON.stringify(rng.getState()));
    expect(saved.spare).not.toBeNull();
    const continued = [rng.normal(), rng.normal(), rng.uniform(), rng.integer(10), rng.normal()];

    const restored = new Rng('unused seed', saved);
    expect([restored.normal(), restored.normal(), restored.uniform(), restored.integer(10), restored.normal()]).toEqual(
      continued,
    );

    const other = new Rng(123);
    other.normal();
    other.setState(saved);
    expect([other.normal(), other.normal(), other.uniform(), other.integer(10), other.normal()]).toEqual(continued);
  });

  it('normal draws have mean 0, variance 1 and uncorrelated successive pairs (5 standard errors)', () => {
    const rng = new Rng(2024);
    const n = 100_000;
    const x = Array.from({ length: n }, () => rng.normal());
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    let lag1 = 0;
    for (let i = 0; i + 1 < n; i++) lag1 += x[i] * x[i + 1];
    lag1 /= n - 1;
    expect(Math.abs(mean)).toBeLessThanOrEqual(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThanOrEqual(5 * Math.sqrt(2 / n)); // Var(s²) ≈ 2σ⁴/n
    expect(Math.abs(lag1)).toBeLessThanOrEqual(5 / Math.sqrt(n));
    const shifted = new Rng(7).normal(3, 2);
    expect(shifted).toBeCloseTo(3 + 2 * new Rng(7).normal(), 12);
  });

  it('categorical frequencies match the normalized weights (each within 5 binomial s.e.); zero weights never drawn', () => {
    const rng = new Rng(5);
    const weights = [1, 0, 3, 6];
    const total = 10;
    const n = 50_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[rng.categorical(weights)]++;
    expect(counts[1]).toBe(0);
    weights.forEach((w, i) => {
      const p = w / total;
      expect(Math.abs(counts[i] - n * p)).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)) + 1e-9);
    });
  });

  it('integer(n) covers {0..n-1} uniformly; bad arguments are errors naming the value', () => {
    const rng = new Rng(8);
    const n = 30_000;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) counts[rng.integer(6)]++;
    counts.forEach((c) => expect(Math.abs(c - n / 6)).toBeLessThanOrEqual(5 * Math.sqrt((n * 5) / 36)));
    expect(() => rng.integer(0)).toThrow('integer(n): n must be a positive integer, got 0');
    expect(() => rng.categorical([0, 0])).toThrow(/sum > 0 \(sum=0\)/);
    expect(() => rng.categorical([2, -1])).toThrow('weights[1] must be finite and non-negative, got -1');
    expect(() => rng.categorical([1, NaN])).toThrow('weights[1] must be finite and non-negative, got NaN');
  });
});

describe('RngStreams', () => {
  it('named streams are reproducible, differ between names, and do not depend on creation order', () => {
    const a = new RngStreams(1);
    const envFirst = draw(a.get('env'), 10);
    const agentSecond = draw(a.get('agent'), 10);

    const b = new RngStreams(1);
    const agentFirst = draw(b.get('agent'), 10);
    draw(b.get('buffer'), 5); // an extra stream in between changes nothing
    const envSecond = draw(b.get('env'), 10);

    expect(envSecond).toEqual(envFirst);
    expect(agentFirst).toEqual(agentSecond);
    expect(envFirst).not.toEqual(agentSecond);
    expect(a.get('env')).toBe(a.get('env')); // the same generator object, continuing its stream
    expect(draw(new RngStreams(2).get('env'), 10)).not.toEqual(envFirst);
  });

  it('getState/setState of all streams resumes every stream exactly through JSON', () => {
    const s = new RngStreams(77);
    s.get('env').normal();
    s.get('agent').uniform();
    const saved = JSON.parse(JSON.stringify(s.getState()));
    const next = { env: s.get('env').normal(), agent: draw(s.get('agent'), 3) };

    const r = new RngStreams(77);
    r.setState(saved);
    expect({ env: r.get('env').normal(), agent: draw(r.get('agent'), 3) }).toEqual(next);
  });
});
