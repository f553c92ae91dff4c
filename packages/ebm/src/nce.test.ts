import { Generator, type Tensor, randn, tensor } from '@likelihood/core';
import { Independent, Normal } from '@likelihood/distributions';
import { Adam, CosineAnnealingLR, Parameter } from '@likelihood/nn';
import { describe, expect, it } from 'vitest';
import { nceLoss } from './nce.js';

describe('noise-contrastive estimation', () => {
  it('recovers a Gaussian and its normalising constant (c ≈ −log Z) from unnormalised log p̃ = −½λx² + ηx + c', () => {
    const gen = new Generator(5);
    const n = 400;
    // Data N((1, −0.5), diag(0.6², 1.2²)); noise: a Gaussian fitted to the data, 1.5 times wider.
    const data = randn([n, 2], { generator: gen, dtype: 'float64' }).mul(tensor([0.6, 1.2], { dtype: 'float64' })).add(tensor([1, -0.5], { dtype: 'float64' }));
    const noise = new Independent(new Normal(data.mean(0), data.std(0).mul(1.5)), 1);
    const lambda = new Parameter(tensor([1, 1], { dtype: 'float64' }));
    const eta = new Parameter(tensor([0, 0], { dtype: 'float64' }));
    const c = new Parameter(tensor(0, { dtype: 'float64' }));
    const logModel = (x: Tensor) => x.square().mul(lambda).mul(-0.5).add(x.mul(eta)).sum(1).add(c);
    const noiseSamples = noise.sample([4 * n], gen); // one fixed noise set: NCE is then a plain M-estimator
    const opt = new Adam([lambda, eta, c], { lr: 0.1 });
    const schedule = new CosineAnnealingLR(opt, { tMax: 200 });
    let acc = 0;
    for (let i = 0; i < 200; i++) {
      opt.zeroGrad();
      const r = nceLoss(logModel, data, noise, { numNoise: 4, noiseSamples });
      r.loss.backward();
      opt.step();
      schedule.step();
      acc = r.accuracy;
    }
    const lam = lambda.toArray() as number[];
    const mean = (eta.div(lambda).toArray() as number[]);
    const sampleMean = data.mean(0).toArray() as number[];
    const sampleVar = data.var(0).toArray() as number[];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(mean[i]! - sampleMean[i]!)).toBeLessThan(0.05);
      expect(Math.abs(1 / lam[i]! / sampleVar[i]! - 1)).toBeLessThan(0.1); // NCE is less efficient than ML: ~5% sd here
    }
    // The model normalises itself: c = −log Z(λ, η) = −Σ_i [½ log(2π/λ_i) + η_i²/(2λ_i)].
    const etaA = eta.toArray() as number[];
    const logZ = [0, 1].reduce((s, i) => s + 0.5 * Math.log((2 * Math.PI) / lam[i]!) + etaA[i]! ** 2 / (2 * lam[i]!), 0);
    expect(Math.abs(c.item() + logZ)).toBeLessThan(0.05);
    expect(acc).toBeGreaterThanOrEqual(0.8); // close noise: about the 4/5 of always answering "noise"
    expect(() => nceLoss(logModel, data, noise, { numNoise: 2, noiseSamples })).toThrow(/noiseSamples must have 800 rows/);
  });
});
