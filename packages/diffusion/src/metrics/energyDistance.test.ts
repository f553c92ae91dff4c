import { Generator, ShapeError, randn, tensor } from '@likelihood/core';
import { loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { energyDistance, energyDistanceNull, quantile } from './energyDistance.js';

const fx = loadFixture<{ energy_distance_1d: { u: number[]; v: number[]; scipy: number }[] }>(new URL('../../fixtures/metrics.json', import.meta.url));
const col = (v: number[]) => tensor(v, { dtype: 'float64' }).reshape([v.length, 1]);

/** Φ by the Abramowitz–Stegun erf (|error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('energyDistance', () => {
  it("as a V-statistic, its square root is scipy.stats.energy_distance's", () => {
    for (const c of fx.energy_distance_1d) expect(Math.sqrt(energyDistance(col(c.u), col(c.v), { unbiased: false }))).toBeCloseTo(c.scipy, 12);
  });

  it('estimates the closed form for N(0, 1) against N(μ, 1) without bias', () => {
    // X − Y ~ N(−μ, 2): E|X − Y| = √2·√(2/π)·exp(−μ²/4) + μ(1 − 2Φ(−μ/√2)); E|X − X′| = E|Y − Y′| = 2/√π.
    const mu = 0.5;
    const exact = 2 * (Math.sqrt(2) * Math.sqrt(2 / Math.PI) * Math.exp(-(mu * mu) / 4) + mu * (1 - 2 * normalCdf(-mu / Math.SQRT2))) - 4 / Math.sqrt(Math.PI);
    const gen = new Generator(0);
    const est = Array.from({ length: 20 }, () => energyDistance(randn([300, 1], { generator: gen, dtype: 'float64' }), randn([300, 1], { generator: gen, dtype: 'float64' }).add(mu)));
    const mean = est.reduce((a, b) => a + b, 0) / est.length;
    const se = Math.sqrt(est.reduce((a, b) => a + (b - mean) ** 2, 0) / (est.length - 1) / est.length);
    // Measured: mean 0.1615 ± 0.0129 vs exact 0.1396 (1.7 standard errors).
    expect(Math.abs(mean - exact)).toBeLessThan(3 * se);
  });

  it('between two draws of one distribution it is centred on 0 (U-statistic) and its null quantiles are ordered', () => {
    const gen = new Generator(1);
    const nullValues = energyDistanceNull((n, g) => randn([n, 2], { generator: g, dtype: 'float64' }), 100, { repeats: 40, generator: gen });
    const mean = nullValues.reduce((a, b) => a + b, 0) / nullValues.length;
    const sd = Math.sqrt(nullValues.reduce((a, b) => a + (b - mean) ** 2, 0) / (nullValues.length - 1));
    expect(Math.abs(mean)).toBeLessThan((3 * sd) / Math.sqrt(nullValues.length));
    expect(nullValues[0]!).toBeLessThan(0); // the U-statistic can go below 0
    expect(quantile(nullValues, 0.95)).toBeGreaterThan(quantile(nullValues, 0.5));
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12); // numpy.quantile([1..5], 0.95)
  });

  it('names the argument and the shapes on bad input', () => {
    const x = randn([5, 2]);
    expect(() => energyDistance(x, randn([5, 3]))).toThrow(/same number of columns, found \[5, 2\] and \[5, 3\]/);
    expect(() => energyDistance(randn([5]), x)).toThrow(ShapeError);
    expect(() => energyDistance(x, randn([1, 2]))).toThrow(/y needs at least 2 rows, found 1/);
  });
});
