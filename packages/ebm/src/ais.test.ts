import { Generator, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { ais, baseRateVisibleBias, summariseLogWeights } from './ais.js';
import { GaussianBernoulliRBM } from './gaussianBernoulliRbm.js';
import { linearSchedule, salakhutdinovMurraySchedule, sigmoidSchedule } from './schedules.js';
import { randomBernoulliRBM } from './testing/rbmReference.js';

describe('annealed importance sampling', () => {
  it('estimates log Z of Bernoulli RBMs within its ±3 se error bars of the exact value (fixed seeds)', () => {
    for (const [v, h, seed] of [[12, 10, 1], [10, 16, 2]] as const) {
      const rbm = randomBernoulliRBM(v, h, seed, 0.5);
      const exact = rbm.exactLogZ().item();
      const r = ais(rbm, { numRuns: 64, betas: salakhutdinovMurraySchedule(0.025), generator: new Generator(seed + 100) });
      expect(r.logZLow).toBeLessThanOrEqual(exact);
      expect(r.logZHigh).toBeGreaterThanOrEqual(exact);
      expect(Math.abs(r.logZ - exact)).toBeLessThan(0.05);
      expect(r.logZStdErr).toBeLessThan(0.05);
      expect(r.effectiveSampleSize).toBeGreaterThan(10);
    }
  });

  it('float32 matmuls keep the estimate within its error bars (the log-weights still add up in float64)', () => {
    const rbm = randomBernoulliRBM(12, 10, 1, 0.5);
    const exact = rbm.exactLogZ().item();
    const r = ais(rbm, { numRuns: 64, betas: salakhutdinovMurraySchedule(0.025), matmulDType: 'float32', generator: new Generator(101) });
    expect(r.logZLow).toBeLessThanOrEqual(exact);
    expect(r.logZHigh).toBeGreaterThanOrEqual(exact);
    expect(Math.abs(r.logZ - exact)).toBeLessThan(0.05);
    expect(() => ais(rbm, { matmulDType: 'float16' as 'float32' })).toThrow(/matmulDType must be 'float32' or 'float64', found 'float16'/);
  });

  it('a base-rate base model and a sigmoid schedule also work', () => {
    const rbm = randomBernoulliRBM(14, 8, 5, 0.5);
    const exact = rbm.exactLogZ().item();
    const data = tensor(Array.from({ length: 50 }, (_, i) => Array.from({ length: 14 }, (_, j) => ((i * 7 + j * 3) % 5 < 2 ? 1 : 0))), { dtype: 'float64' });
    const r = ais(rbm, { numRuns: 64, betas: sigmoidSchedule(400), baseVisibleBias: baseRateVisibleBias(data), generator: new Generator(9) });
    expect(r.logZLow).toBeLessThanOrEqual(exact);
    expect(r.logZHigh).toBeGreaterThanOrEqual(exact);
  });

  it('estimates log Z of a Gaussian–Bernoulli RBM within its error bars', () => {
    const rbm = new GaussianBernoulliRBM(6, 10, { initStd: 0.3, generator: new Generator(3), sigma: 0.8 });
    rbm.visibleBias.assign_(tensor([0.5, -0.5, 0.2, 0, 1, -1], { dtype: 'float64' }));
    const exact = rbm.exactLogZ().item();
    const r = ais(rbm, { numRuns: 64, betas: linearSchedule(300), generator: new Generator(4) });
    expect(r.logZLow).toBeLessThanOrEqual(exact);
    expect(r.logZHigh).toBeGreaterThanOrEqual(exact);
    expect(Math.abs(r.logZ - exact)).toBeLessThan(0.05);
    expect(() => ais(rbm, { baseVisibleBias: tensor([0, 0, 0, 0, 0, 0], { dtype: 'float64' }) })).toThrow(/baseVisibleBias applies to Bernoulli visible units only/);
  });

  it('with a single step AIS is plain importance sampling from the base model, which is unbiased for Z', () => {
    // Z_B/Z_A = E_A[p*_B / p*_A]; the estimate is noisy but its error bars still hold.
    const rbm = randomBernoulliRBM(8, 6, 4, 0.3);
    const exact = rbm.exactLogZ().item();
    const r = ais(rbm, { numRuns: 2000, betas: [0, 1], generator: new Generator(1) });
    expect(r.logZLow).toBeLessThanOrEqual(exact);
    expect(r.logZHigh).toBeGreaterThanOrEqual(exact);
  });

  it('summarises log-weights stably and checks its schedule', () => {
    const s = summariseLogWeights(Float64Array.from([1000, 1000 + Math.log(3)]), 2);
    expect(s.logZ).toBeCloseTo(2 + 1000 + Math.log(2), 10);
    expect(s.effectiveSampleSize).toBeCloseTo(16 / 10, 12);
    const rbm = randomBernoulliRBM(3, 3, 1);
    expect(() => ais(rbm, { betas: [0, 0.5] })).toThrow(/betas must start at 0 and end at 1/);
    expect(() => ais(rbm, { betas: [0, 0.6, 0.5, 1] })).toThrow(/non-decreasing, found 0.6 then 0.5 at index 2/);
    expect(salakhutdinovMurraySchedule(1).length).toBe(14501);
  });
});
