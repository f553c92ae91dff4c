import { Generator, type Tensor, randn, tensor, zeros } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { energyAndGrad } from './energyGrad.js';
import { langevin, mala } from './samplers.js';

// A correlated 2-D Gaussian target: E(x) = ½ (x − μ)ᵀ Λ (x − μ), covariance Σ = Λ⁻¹.
const mu = [1, -2];
const cov = [[1, 0.6], [0.6, 0.5]];
const det = cov[0]![0]! * cov[1]![1]! - cov[0]![1]! ** 2;
const prec = [[cov[1]![1]! / det, -cov[0]![1]! / det], [-cov[1]![0]! / det, cov[0]![0]! / det]];
const gaussianEnergy = (x: Tensor) => {
  const d = x.sub(tensor(mu, { dtype: x.dtype }));
  return d.matmul(tensor(prec, { dtype: x.dtype })).mul(d).sum(1).mul(0.5);
};

function moments(x: Tensor): { mean: number[]; cov: number[][] } {
  const n = x.shape[0]!;
  const s = x.storage;
  const m = [0, 0];
  for (let r = 0; r < n; r++) for (let i = 0; i < 2; i++) m[i]! += s[2 * r + i]! / n;
  const c = [[0, 0], [0, 0]];
  for (let r = 0; r < n; r++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) c[i]![j]! += ((s[2 * r + i]! - m[i]!) * (s[2 * r + j]! - m[j]!)) / (n - 1);
  return { mean: m, cov: c };
}

describe('energy gradients', () => {
  it('∇E of the Gaussian energy is Λ(x − μ)', () => {
    const x = tensor([[0.3, 0.1], [2, -1]], { dtype: 'float64' });
    const { grad } = energyAndGrad(gaussianEnergy, x);
    const g = grad.toArray() as number[][];
    (x.toArray() as number[][]).forEach((row, r) => {
      for (let i = 0; i < 2; i++) expect(g[r]![i]).toBeCloseTo(prec[i]![0]! * (row[0]! - mu[0]!) + prec[i]![1]! * (row[1]! - mu[1]!), 12);
    });
    expect(() => energyAndGrad((t) => t.sum(), x)).toThrow(/one energy per row, shape \[2\], found \[\]/);
  });
});

describe('MALA', () => {
  // 2,000 independent chains, 100 steps from a far-off start: the final states are independent
  // draws. Standard errors: mean √(Σ_ii / 2000) ≤ 0.023, variance Σ_ii √(2/2000) ≤ 0.032,
  // covariance √((Σ_00Σ_11 + Σ_01²)/2000) ≈ 0.022.
  it('samples a correlated Gaussian exactly: mean and covariance within 4 standard errors', () => {
    const gen = new Generator(1);
    const x0 = randn([2000, 2], { generator: gen, dtype: 'float64' }).mul(3);
    const r = mala(gaussianEnergy, x0, { stepSize: 0.15, numSteps: 100, generator: gen });
    const { mean, cov: c } = moments(r.x);
    expect(Math.abs(mean[0]! - mu[0]!)).toBeLessThan(4 * 0.023);
    expect(Math.abs(mean[1]! - mu[1]!)).toBeLessThan(4 * 0.016);
    expect(Math.abs(c[0]![0]! - 1)).toBeLessThan(4 * 0.032);
    expect(Math.abs(c[1]![1]! - 0.5)).toBeLessThan(4 * 0.016);
    expect(Math.abs(c[0]![1]! - 0.6)).toBeLessThan(4 * 0.022);
    // Diagnostics: a sensible acceptance rate, and the energy settles at its stationary mean D/2 = 1.
    expect(r.acceptanceRate).toBeGreaterThan(0.3);
    expect(r.acceptanceRate).toBeLessThan(0.99);
    expect(r.acceptanceTrace.length).toBe(100);
    expect(r.energyTrace[0]).toBeGreaterThan(5);
    expect(Math.abs(r.energyTrace[100]! - 1)).toBeLessThan(0.1);
  });

  it('rejects almost everything with a huge step and accepts almost everything with a tiny one', () => {
    const x0 = zeros([500, 2], { dtype: 'float64' }).add(tensor(mu, { dtype: 'float64' }));
    expect(mala(gaussianEnergy, x0, { stepSize: 5, numSteps: 20, generator: new Generator(2) }).acceptanceRate).toBeLessThan(0.05);
    expect(mala(gaussianEnergy, x0, { stepSize: 1e-4, numSteps: 20, generator: new Generator(2) }).acceptanceRate).toBeGreaterThan(0.99);
  });
});

describe('Langevin', () => {
  it('started at exact draws, the unadjusted chain stays close to the target for a small step (O(ε) bias)', () => {
    const gen = new Generator(3);
    // x0 = μ + Lξ with LLᵀ = Σ (Cholesky by hand).
    const l11 = 1;
    const l21 = 0.6;
    const l22 = Math.sqrt(0.5 - 0.36);
    const xi = randn([2000, 2], { generator: gen, dtype: 'float64' });
    const x0 = xi.matmul(tensor([[l11, l21], [0, l22]], { dtype: 'float64' })).add(tensor(mu, { dtype: 'float64' }));
    const r = langevin(gaussianEnergy, x0, { stepSize: 0.01, numSteps: 100, generator: gen });
    const { mean, cov: c } = moments(r.x);
    expect(Math.abs(mean[0]! - mu[0]!)).toBeLessThan(0.08);
    expect(Math.abs(mean[1]! - mu[1]!)).toBeLessThan(0.08);
    expect(Math.abs(c[0]![0]! - 1)).toBeLessThan(0.1);
    expect(Math.abs(c[0]![1]! - 0.6)).toBeLessThan(0.08);
    expect(r.energyTrace.length).toBe(101);
    expect(Math.abs(r.energyTrace[100]! - 1)).toBeLessThan(0.1);
  });

  it('without noise it is gradient descent to the mode; clamp and gradClip are applied', () => {
    const x0 = tensor([[5, 5]], { dtype: 'float64' });
    const r = langevin(gaussianEnergy, x0, { stepSize: 0.1, numSteps: 300, noiseScale: 0 });
    expect((r.x.toArray() as number[][])[0]![0]).toBeCloseTo(mu[0]!, 6);
    expect((r.x.toArray() as number[][])[0]![1]).toBeCloseTo(mu[1]!, 6);
    const c = langevin(gaussianEnergy, x0, { stepSize: 0.05, numSteps: 5, noiseScale: 0, clamp: [2, 10] });
    expect(Math.min(...(c.x.toArray() as number[][])[0]!)).toBeGreaterThanOrEqual(2);
    const g = langevin(gaussianEnergy, x0, { stepSize: 1, numSteps: 1, noiseScale: 0, gradClip: 0.1 });
    const [g0, g1] = (g.x.toArray() as number[][])[0]!; // ∇E(5, 5) = Λ(4, 7) = (−15.7, 32.9): clipped to ±0.1
    expect(g0).toBeCloseTo(5.1, 12);
    expect(g1).toBeCloseTo(4.9, 12);
    expect(() => langevin(gaussianEnergy, x0, { stepSize: 0, numSteps: 1 })).toThrow(/stepSize must be a finite number > 0, found 0/);
  });
});
