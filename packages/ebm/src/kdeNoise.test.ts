import { Generator, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { gridLogZ2d } from './grid2d.js';
import { GaussianKDENoise } from './kdeNoise.js';

describe('GaussianKDENoise', () => {
  const centers = tensor([[0, 0], [1, 0.5], [-1, 1], [0.5, -1]], { dtype: 'float64' });
  const kde = new GaussianKDENoise(centers, 0.4);

  it('log q is a normalised density that matches the mixture formula', () => {
    // ∫ q = 1: the grid log-normaliser of E = −log q is 0 (the box holds all but ~1e-20 of the mass).
    const { logZ } = gridLogZ2d((x) => kde.logProb(x).neg(), { low: [-4, -4], high: [4, 4], size: 200 });
    expect(Math.abs(logZ)).toBeLessThan(1e-8);
    // At a centre-free point, by hand: (1/4) Σ_m exp(−‖x − c_m‖²/2h²) / (2πh²).
    const x = [0.3, 0.2];
    const h2 = 0.16;
    const byHand = [[0, 0], [1, 0.5], [-1, 1], [0.5, -1]].reduce((s, c) => s + Math.exp(-((x[0]! - c[0]!) ** 2 + (x[1]! - c[1]!) ** 2) / (2 * h2)), 0) / 4 / (2 * Math.PI * h2);
    expect(kde.logProb(tensor([x], { dtype: 'float64' })).item()).toBeCloseTo(Math.log(byHand), 12);
  });

  it('with a uniform component on a box, q still integrates to 1 and the right share of draws is uniform', () => {
    const mixed = new GaussianKDENoise(centers, 0.4, { uniform: { low: [-4, -4], high: [4, 4], weight: 0.25 } });
    // The uniform part is a step, so the midpoint rule is exact for it when cell edges fall on the box edges.
    const { logZ } = gridLogZ2d((x) => mixed.logProb(x).neg(), { low: [-4, -4], high: [4, 4], size: 160 });
    expect(Math.abs(logZ)).toBeLessThan(1e-8);
    const far = mixed.logProb(tensor([[3.9, -3.9], [5, 0]], { dtype: 'float64' })).toArray() as number[];
    expect(far[0]).toBeCloseTo(Math.log(0.25 / 64), 6); // the KDE is negligible there
    expect(far[1]).toBeCloseTo(Math.log(0.75) + kde.logProb(tensor([[5, 0]], { dtype: 'float64' })).item(), 10); // outside the box only the KDE counts
    const s = mixed.sample([20000], new Generator(4)).toArray() as number[][];
    const farShare = s.filter(([x, y]) => Math.hypot(x!, y!) > 3.2).length / s.length; // the KDE puts ~0 mass beyond radius 3.2
    const expected = 0.25 * (1 - (Math.PI * 3.2 * 3.2) / 64);
    expect(Math.abs(farShare - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / 20000));
  });

  it('samples have the mixture mean and covariance (mean of centres; their covariance + h²I)', () => {
    const n = 40000;
    const s = kde.sample([n], new Generator(3));
    expect(s.shape).toEqual([n, 2]);
    const mean = s.mean(0).toArray() as number[];
    const c = centers.toArray() as number[][];
    const mu = [0, 1].map((j) => c.reduce((a, r) => a + r[j]!, 0) / 4);
    const varTrue = [0, 1].map((j) => c.reduce((a, r) => a + (r[j]! - mu[j]!) ** 2, 0) / 4 + 0.16);
    const variance = s.var(0, { correction: 0 }).toArray() as number[];
    for (const j of [0, 1]) {
      expect(Math.abs(mean[j]! - mu[j]!)).toBeLessThan(4 * Math.sqrt(varTrue[j]! / n));
      expect(Math.abs(variance[j]! - varTrue[j]!)).toBeLessThan(0.02);
    }
  });

  it('names bad arguments', () => {
    expect(() => new GaussianKDENoise(tensor([1, 2]), 0.1)).toThrow(/centers must be a non-empty \[M, D\] tensor, found shape \[2\]/);
    expect(() => new GaussianKDENoise(centers, 0)).toThrow(/bandwidth must be a finite number > 0, found 0/);
    expect(() => kde.logProb(tensor([[1, 2, 3]]))).toThrow(/x must be \[N, 2\], found \[1, 3\]/);
    expect(() => kde.sample([2, 3])).toThrow(/sampleShape must be \[n\], found \[2, 3\]/);
    expect(() => new GaussianKDENoise(centers, 0.1, { uniform: { low: [0, 0], high: [1, 1], weight: 1 } })).toThrow(/uniform.weight must be in \(0, 1\), found 1/);
    expect(() => new GaussianKDENoise(centers, 0.1, { uniform: { low: [0], high: [1], weight: 0.1 } })).toThrow(/uniform box must have 2 coordinates with low < high/);
  });
});
