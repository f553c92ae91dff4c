import { ArgumentError, Generator, type Tensor, cat, randn, tensor, zerosLike } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { velocity } from '../addNoise.js';
import { unetDenoiser } from '../denoisers/unetDenoiser.js';
import { NoiseSchedule } from '../schedule.js';
import { denoisingLoss } from './denoisingLoss.js';
import { hybridLoss } from './hybridLoss.js';
import { vlbLoss } from './vlbLoss.js';

const s = NoiseSchedule.create({ numTimesteps: 50 });
const gen = () => new Generator(11);
const x0 = randn([6, 3], { generator: new Generator(12), dtype: 'float64' });
const t = tensor([0, 3, 10, 25, 40, 49], { dtype: 'int32' });
const zeroModel = (x: Tensor) => zerosLike(x);

describe('training objectives', () => {
  it('regress on ε, x_0 or v', () => {
    const noise = randn([6, 3], { generator: gen(), dtype: 'float64' });
    const eps = denoisingLoss(zeroModel, s, x0, { t, noise });
    expectClose(eps.perExample, noise.square().mean(1), { rtol: 1e-12 });
    const x = denoisingLoss(zeroModel, s, x0, { t, noise, predictionType: 'x0' });
    expectClose(x.perExample, x0.square().mean(1), { rtol: 1e-12 });
    const v = denoisingLoss(zeroModel, s, x0, { t, noise, predictionType: 'v' });
    expectClose(v.perExample, velocity(s, x0, noise, t).square().mean(1), { rtol: 1e-12 });
  });

  it('min-SNR-γ weights are min(SNR, γ) in each prediction’s units', () => {
    const noise = randn([6, 3], { generator: gen(), dtype: 'float64' });
    const snr = Array.from(t.storage, (ti) => s.snr(ti));
    for (const [p, w] of [
      ['epsilon', (r: number) => Math.min(r, 5) / r],
      ['x0', (r: number) => Math.min(r, 5)],
      ['v', (r: number) => Math.min(r, 5) / (r + 1)],
    ] as const) {
      const plain = denoisingLoss(zeroModel, s, x0, { t, noise, predictionType: p });
      const weighted = denoisingLoss(zeroModel, s, x0, { t, noise, predictionType: p, minSnrGamma: 5 });
      expectClose(weighted.perExample, plain.perExample.mul(tensor(snr.map(w), { dtype: 'float64' })), { rtol: 1e-12, what: p });
    }
    expect(() => denoisingLoss(zeroModel, s, x0, { minSnrGamma: 0 })).toThrow(/minSnrGamma must be > 0/);
  });

  it('hybrid loss: L_vlb trains only the variance, L_simple only the mean', () => {
    const a = tensor([0.3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([-0.2], { dtype: 'float64', requiresGrad: true });
    const model = (x: Tensor) => cat([x.mul(a), zerosLike(x).add(b)], 1); // (B, 2C): [ε̂, v]
    const noise = randn([6, 3], { generator: gen(), dtype: 'float64' });
    const h = hybridLoss(model, s, x0, { t, noise, lambda: 10 });
    h.loss.backward();
    const gA = a.grad!.item();
    const gB = b.grad!.item();
    a.grad = null;
    b.grad = null;
    denoisingLoss(model, s, x0, { t, noise, varianceType: 'learnedRange' }).loss.backward();
    expect(gA).toBeCloseTo(a.grad!.item(), 12);
    expect((b.grad as Tensor | null)?.item() ?? 0).toBe(0);
    expect(Math.abs(gB)).toBeGreaterThan(1e-6);
    expect(() => hybridLoss(model, s, x0, { varianceType: 'fixedSmall' })).toThrow(ArgumentError);
  });

  it('L_vlb estimate: T·L_t + L_T per example with gradients to every output', () => {
    const a = tensor([0.1], { dtype: 'float64', requiresGrad: true });
    const model = (x: Tensor) => cat([x.mul(a), zerosLike(x).add(a)], 1);
    const r = vlbLoss(model, s, x0, { t, noise: randn([6, 3], { generator: gen(), dtype: 'float64' }), varianceType: 'learnedRange', decoder: 'gaussian' });
    expect(r.perExample.shape).toEqual([6]);
    r.loss.backward();
    expect(Number.isFinite(a.grad!.item())).toBe(true);
  });

  it('the U-Net denoiser doubles its channels for a learned variance', () => {
    const net = unetDenoiser({ inChannels: 1, baseChannels: 8, channelMults: [1, 2], attentionLevels: [], learnedVariance: true, generator: gen() });
    const out = net.forward(randn([2, 1, 8, 8], { generator: gen() }), tensor([3, 7]));
    expect(out.shape).toEqual([2, 2, 8, 8]);
  });
});
