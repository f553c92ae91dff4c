import { Generator, type Tensor, randn, tensor } from '@likelihood/core';
import { Adam, CosineAnnealingLR, Parameter } from '@likelihood/nn';
import { describe, expect, it } from 'vitest';
import { scoreOf } from './energyGrad.js';
import { denoisingScoreMatching, exactScoreMatching, slicedScoreMatching } from './scoreMatching.js';

// Gaussian energy E(x) = ½ (x − μ)ᵀ Λ (x − μ): score s(x) = −Λ(x − μ), Jacobian −Λ.
const mu = [0.5, -1];
const prec = [[2, 0.5], [0.5, 1]];
const energy = (x: Tensor) => {
  const d = x.sub(tensor(mu, { dtype: x.dtype }));
  return d.matmul(tensor(prec, { dtype: x.dtype })).mul(d).sum(1).mul(0.5);
};
const score = scoreOf(energy);
const x = tensor([[0, 0], [1, -2], [2.5, 0.3]], { dtype: 'float64' });
const rows = x.toArray() as number[][];
const sAt = (r: number[]) => [0, 1].map((i) => -(prec[i]![0]! * (r[0]! - mu[0]!) + prec[i]![1]! * (r[1]! - mu[1]!)));

describe('score matching losses against closed forms on a Gaussian energy', () => {
  it('exact score matching = −tr Λ + ½‖Λ(x − μ)‖²', () => {
    const l = exactScoreMatching(score, x, { reduction: 'none' }).toArray() as number[];
    rows.forEach((r, i) => {
      const s = sAt(r);
      expect(l[i]).toBeCloseTo(-3 + 0.5 * (s[0]! ** 2 + s[1]! ** 2), 12);
    });
  });

  // DSM's noise makes each step's loss random: the answer is the mean and variance of this run's noisy data,
  // whose own sampling error (500 points) is a few per cent.
  it('denoising score matching = ½‖−Λ(x + σξ − μ) + ξ/σ‖² for the same noise ξ', () => {
    const sigma = 0.3;
    const l = denoisingScoreMatching(score, x, { sigma, generator: new Generator(7), reduction: 'none' }).toArray() as number[];
    const xi = randn([3, 2], { generator: new Generator(7), dtype: 'float64' }).toArray() as number[][]; // replay the noise
    rows.forEach((r, i) => {
      const s = sAt([r[0]! + sigma * xi[i]![0]!, r[1]! + sigma * xi[i]![1]!]);
      expect(l[i]).toBeCloseTo(0.5 * ((s[0]! + xi[i]![0]! / sigma) ** 2 + (s[1]! + xi[i]![1]! / sigma) ** 2), 10);
    });
  });

  it('sliced score matching = −vᵀΛv + ½(vᵀs)² for the same projections v, and its mean over v is exact SM', () => {
    const l = slicedScoreMatching(score, x, { generator: new Generator(3), reduction: 'none' }).toArray() as number[];
    const v = randn([3, 2], { generator: new Generator(3), dtype: 'float64' }).toArray() as number[][];
    rows.forEach((r, i) => {
      const s = sAt(r);
      const [a, b] = v[i]!;
      const vLv = prec[0]![0]! * a! * a! + 2 * prec[0]![1]! * a! * b! + prec[1]![1]! * b! * b!;
      expect(l[i]).toBeCloseTo(-vLv + 0.5 * (a! * s[0]! + b! * s[1]!) ** 2, 10);
    });
    // Mean over many projections → exact SM. With ±1 entries and SSM-VR only vᵀΛv = tr Λ + 2Λ_01 v_0 v_1
    // is random (sd 2Λ_01 = 1), so 3,000 projections (each row repeated) have standard error 0.018.
    const exact = exactScoreMatching(score, x).item();
    const xs = x.repeat([1000, 1]); // [3000, 2]
    const many = slicedScoreMatching(score, xs, { projection: 'rademacher', varianceReduction: true, generator: new Generator(4) }).item();
    expect(Math.abs(many - exact)).toBeLessThan(4 * 0.018);
    expect(() => slicedScoreMatching((t) => t.sum(1), x)).toThrow(/the score must have x's shape \[3, 2\], found \[3\]/);
  });
});

describe('score matching recovers the parameters of a Gaussian', () => {
  // Data: 500 draws of N(m, diag(s²)) with m = (1, −2), s = (0.5, 2).
  const gen = new Generator(11);
  const data = randn([500, 2], { generator: gen, dtype: 'float64' }).mul(tensor([0.5, 2], { dtype: 'float64' })).add(tensor([1, -2], { dtype: 'float64' }));
  const sampleMean = data.mean(0).toArray() as number[];
  const sampleVar = data.var(0, { correction: 0 }).toArray() as number[];

  function fit(loss: (s: (x: Tensor) => Tensor) => Tensor, steps: number): { mean: number[]; variance: number[] } {
    // Natural parameters: E(x) = Σ_i ½λ_i x_i² − η_i x_i, so every score matching loss is a convex
    // quadratic in (λ, η), and μ = η/λ, variance = 1/λ.
    const lambda = new Parameter(tensor([1, 1], { dtype: 'float64' }));
    const eta = new Parameter(tensor([0, 0], { dtype: 'float64' }));
    const e = (x: Tensor) => x.square().mul(lambda).mul(0.5).sub(x.mul(eta)).sum(1);
    const opt = new Adam([lambda, eta], { lr: 0.1 });
    const schedule = new CosineAnnealingLR(opt, { tMax: steps }); // settles the noisy DSM iterates
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      loss(scoreOf(e)).backward();
      opt.step();
      schedule.step();
    }
    return { mean: eta.div(lambda).toArray() as number[], variance: lambda.reciprocal().toArray() as number[] };
  }

  it('sliced score matching: the sample mean and variance', () => {
    const g = new Generator(1);
    const r = fit((s) => slicedScoreMatching(s, data, { generator: g, varianceReduction: true }), 200);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(r.mean[i]! - sampleMean[i]!)).toBeLessThan(0.02);
      expect(Math.abs(r.variance[i]! / sampleVar[i]! - 1)).toBeLessThan(0.05);
    }
  });

  // DSM's noise makes each step's loss random: the answer is the mean and variance of this run's noisy data,
  // whose own sampling error (500 points) is a few per cent.
  it('denoising score matching: the mean, and the variance of the noised data s² + σ²', () => {
    const g = new Generator(2);
    const sigma = 0.5;
    const r = fit((s) => denoisingScoreMatching(s, data, { sigma, generator: g }), 200);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(r.mean[i]! - sampleMean[i]!)).toBeLessThan(0.1);
      expect(Math.abs(r.variance[i]! / (sampleVar[i]! + sigma ** 2) - 1)).toBeLessThan(0.1);
    }
  });
});
