import { ArgumentError, Generator, ShapeError, randn, tensor, zeros } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { addNoise } from './addNoise.js';
import { NoiseSchedule } from './schedule.js';
import { cosineBetas } from './schedules/cosine.js';
import { linearBetas } from './schedules/linear.js';

type Table = Record<'betas' | 'alphas_cumprod' | 'snr' | 'posterior_variance' | 'posterior_log_variance_clipped' | 'posterior_mean_coef1' | 'posterior_mean_coef2', number[]>;
const fx = loadFixture<{ schedules: Record<string, Table> }>(new URL('../fixtures/schedulers.json', import.meta.url));

const CASES: [string, () => NoiseSchedule][] = [
  ['linear_1000', () => NoiseSchedule.create()],
  ['squaredcos_cap_v2_1000', () => NoiseSchedule.create({ kind: 'cosine' })],
  ['scaled_linear_1000', () => NoiseSchedule.create({ kind: 'scaledLinear' })],
  ['sigmoid_1000', () => NoiseSchedule.create({ kind: 'sigmoid' })],
  ['linear_10', () => NoiseSchedule.create({ numTimesteps: 10 })],
];

describe('noise schedules (vs diffusers/guided-diffusion formulas in fixtures/gen_schedulers.py)', () => {
  for (const [name, make] of CASES) {
    it(`${name}: betas, ᾱ, SNR and posterior coefficients`, () => {
      const s = make();
      const ref = fx.schedules[name]!;
      expectClose(s.betas, ref.betas, { rtol: 1e-12, atol: 1e-15, what: 'betas' });
      expectClose(s.alphasCumprod, ref.alphas_cumprod, { rtol: 1e-10, atol: 1e-15, what: 'alphas_cumprod' });
      expectClose(Array.from({ length: s.numTimesteps }, (_, t) => s.snr(t)), ref.snr, { rtol: 1e-9, what: 'snr' });
      expectClose(s.posteriorVariance, ref.posterior_variance, { rtol: 1e-10, atol: 1e-15, what: 'posterior variance' });
      expectClose(s.posteriorLogVarianceClipped, ref.posterior_log_variance_clipped, { rtol: 1e-10, what: 'log variance clipped' });
      expectClose(s.posteriorMeanCoef1, ref.posterior_mean_coef1, { rtol: 1e-10, atol: 1e-15, what: 'mean coef1' });
      expectClose(s.posteriorMeanCoef2, ref.posterior_mean_coef2, { rtol: 1e-10, atol: 1e-15, what: 'mean coef2' });
    });
  }

  it('has the papers’ constants: DDPM β_1 = 1e-4, β_T = 0.02; cosine ᾱ_t = f(t)/f(0) and β ≤ 0.999', () => {
    const b = linearBetas();
    expect(b.length).toBe(1000);
    expect(b[0]).toBe(1e-4);
    expect(b[999]).toBeCloseTo(0.02, 15);
    const s = new NoiseSchedule(cosineBetas());
    const f = (u: number) => Math.cos(((u + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [0, 10, 500, 990]) expect(s.alphaBar(t)).toBeCloseTo(f((t + 1) / 1000) / f(0), 12);
    expect(Math.max(...s.betas)).toBe(0.999);
  });

  it('posterior q(x_{t−1} | x_t, x_0) matches brute-force Gaussian conditioning of the joint', () => {
    // Joint of (x_{t−1}, x_t) given x_0: x_{t−1} = √ᾱ_{t−1} x_0 + √(1−ᾱ_{t−1}) e, x_t = √α_t x_{t−1} + √β_t e'.
    const s = NoiseSchedule.create({ kind: 'cosine', numTimesteps: 50 });
    for (const t of [1, 7, 30, 49]) {
      const [ap, a, alpha] = [s.alphasCumprod[t - 1]!, s.alphasCumprod[t]!, s.alphas[t]!];
      const x0 = 0.7;
      const xt = -0.3;
      // Cov(x_{t−1}, x_t) = √α_t (1−ᾱ_{t−1}); Var(x_t) = 1 − ᾱ_t.
      const cov = Math.sqrt(alpha) * (1 - ap);
      const mean = Math.sqrt(ap) * x0 + (cov / (1 - a)) * (xt - Math.sqrt(a) * x0);
      const variance = 1 - ap - (cov * cov) / (1 - a);
      expect(s.posteriorMeanCoef1[t]! * x0 + s.posteriorMeanCoef2[t]! * xt).toBeCloseTo(mean, 12);
      expect(s.posteriorVariance[t]!).toBeCloseTo(variance, 12);
    }
  });

  it('addNoise has the moments of q(x_t | x_0)', () => {
    const s = NoiseSchedule.create();
    const gen = new Generator(3);
    const n = 20000;
    const x0 = tensor(Array.from({ length: n }, () => [1.5]), { dtype: 'float64' });
    for (const t of [0, 250, 999]) {
      const xt = addNoise(s, x0, randn([n, 1], { generator: gen, dtype: 'float64' }), t);
      const m = xt.mean().item();
      const v = xt.var().item();
      const sd = Math.sqrt(1 - s.alphaBar(t));
      expect(Math.abs(m - Math.sqrt(s.alphaBar(t)) * 1.5)).toBeLessThan((4 * sd) / Math.sqrt(n));
      expect(Math.abs(v / sd ** 2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
  });

  it('addNoise takes one timestep per example', () => {
    const s = NoiseSchedule.create({ numTimesteps: 10 });
    const x0 = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    const noise = tensor([[0.5, -1], [2, 0]], { dtype: 'float64' });
    const out = addNoise(s, x0, noise, tensor([0, 9], { dtype: 'int32' }));
    const [a0, a9] = [s.alphaBar(0), s.alphaBar(9)];
    expectClose(out, [
      [Math.sqrt(a0) + Math.sqrt(1 - a0) * 0.5, 2 * Math.sqrt(a0) - Math.sqrt(1 - a0)],
      [3 * Math.sqrt(a9) + 2 * Math.sqrt(1 - a9), 4 * Math.sqrt(a9)],
    ], { rtol: 1e-12 });
  });

  it('rejects a timestep out of range and mismatched shapes with clear errors', () => {
    const s = NoiseSchedule.create({ numTimesteps: 10 });
    const x0 = zeros([2, 3]);
    expect(() => addNoise(s, x0, zeros([2, 3]), 10)).toThrow(ArgumentError);
    expect(() => addNoise(s, x0, zeros([2, 3]), 10)).toThrow(/timestep t must be an integer in \[0, 9\], found 10/);
    expect(() => addNoise(s, x0, zeros([2, 3]), tensor([0, -1], { dtype: 'int32' }))).toThrow(/found -1/);
    expect(() => addNoise(s, x0, zeros([2, 3]), 2.5)).toThrow(ArgumentError);
    expect(() => addNoise(s, x0, zeros([3, 2]), 1)).toThrow(ShapeError);
    expect(() => addNoise(s, x0, zeros([3, 2]), 1)).toThrow(/noise must have x0's shape \[2, 3\], found \[3, 2\]/);
    expect(() => addNoise(s, x0, zeros([2, 3]), tensor([1, 2, 3], { dtype: 'int32' }))).toThrow(/t must have shape \[2\]/);
    expect(() => NoiseSchedule.create({ kind: 'quadratic' as never })).toThrow(/kind must be/);
    expect(() => linearBetas(0)).toThrow(/numTimesteps must be a positive integer/);
    expect(() => new NoiseSchedule([0.1, 1.5])).toThrow(/betas\[1\] must lie in \(0, 1\]/);
  });
});
