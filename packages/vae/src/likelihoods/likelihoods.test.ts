import { ArgumentError, Generator, arange, bernoulli, cat, logsumexp, rand, randn, tensor, zeros } from '@likelihood/core';
import { expectClose, gradcheck, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { bernoulliLikelihood } from './bernoulli.js';
import { bernoulliLogProbSum } from './bernoulliLogProb.js';
import { categoricalLikelihood } from './categorical256.js';
import { DiscretizedLogistic, discretizedLogisticLikelihood } from './discretizedLogistic.js';
import { gaussianLikelihood } from './gaussian.js';

interface DLCase { loc: number; logScale: number; level: number; logProb: number; pixelcnnpp: number; pixelcnnppExact: boolean }
const fx = loadFixture<{ discretizedLogistic: DLCase[] }>(new URL('../../fixtures/vae.json', import.meta.url));
const f64 = { dtype: 'float64' as const };
const levels = arange(0, 256, 1, f64).reshape([256, 1]); // (256, 1) broadcasts against batch [B]

describe('DiscretizedLogistic', () => {
  it('matches the exact log-probabilities (mpmath) and PixelCNN++ where its formula is exact', () => {
    const c = fx.discretizedLogistic;
    const d = new DiscretizedLogistic(tensor(c.map((r) => r.loc), f64), tensor(c.map((r) => Math.exp(r.logScale)), f64));
    const lp = d.logProb(tensor(c.map((r) => r.level), f64));
    expectClose(lp, c.map((r) => r.logProb), { rtol: 1e-9, atol: 1e-9 });
    const exact = c.filter((r) => r.pixelcnnppExact);
    expect(exact.length).toBeGreaterThan(40);
    const lpExact = exact.map((r) => lp.storage[c.indexOf(r)]!);
    expectClose(lpExact, exact.map((r) => r.pixelcnnpp), { rtol: 1e-9, atol: 1e-9 });
  });

  it('sums to 1 over all 256 levels, including extreme locations and scales', () => {
    const loc = tensor([0, 0.5, -1, 1, -3, 4, 0.2, 0.2, 0.2, 0.9999], f64);
    const scale = tensor([0.1, 0.01, 0.05, 0.02, 1, 0.5, 1e-4, 50, 1e3, 1e-3], f64);
    const d = new DiscretizedLogistic(loc, scale);
    const lp = d.logProb(levels); // (256, 10)
    expect(lp.isfinite().all().item()).toBe(1);
    expectClose(logsumexp(lp, 0), zeros([10], f64), { atol: 1e-12 });
  });

  it('puts the tails in the edge bins: far-left mass goes to level 0, far-right to 255', () => {
    const d = new DiscretizedLogistic(tensor([-5, 5], f64), tensor([0.01, 0.01], f64));
    const lp = d.logProb(tensor([[0, 255]], f64)); // level 0 for loc −5, level 255 for loc 5
    expectClose(lp, [[0, 0]], { atol: 1e-12 });
  });

  it('mean equals Σ k P(k); samples follow P(k) (fixed seed, chi-square)', () => {
    const d = new DiscretizedLogistic(tensor([0.1], f64), tensor([0.03], f64));
    const p = d.logProb(levels).exp().reshape([256]); // (256)
    const expected = p.mul(arange(0, 256, 1, f64)).sum().item();
    expect(Math.abs(d.mean.item() - expected)).toBeLessThan(1e-9);
    const n = 20000;
    const s = d.sample([n], new Generator(1)).reshape([n]).storage;
    const counts = new Float64Array(256);
    for (const v of s as Float64Array) counts[v]! += 1;
    // chi-square over levels with expected count ≥ 5; df ≈ bins − 1, 99.9% quantile < df + 4.5√(2 df)
    let chi = 0;
    let bins = 0;
    for (let k = 0; k < 256; k++) {
      const e = p.storage[k]! * n;
      if (e >= 5) { chi += (counts[k]! - e) ** 2 / e; bins++; }
    }
    expect(bins).toBeGreaterThan(10);
    expect(chi).toBeLessThan(bins - 1 + 4.5 * Math.sqrt(2 * (bins - 1)));
  });

  it('has finite gradients that match finite differences in loc and scale', () => {
    const value = tensor([0, 3, 128, 254, 255, 60], f64);
    gradcheck((loc, scale) => new DiscretizedLogistic(loc!, scale!).logProb(value), [tensor([0.1, -0.9, 0.02, 0.97, 0.5, -0.5], f64), tensor([0.05, 0.2, 0.01, 0.1, 0.3, 2], f64)], { rtol: 1e-5, atol: 1e-7 });
  });

  it('rejects bad parameters and values', () => {
    expect(() => new DiscretizedLogistic(tensor([0]), tensor([-1]))).toThrow(/scale/);
    expect(() => new DiscretizedLogistic(tensor([0]), 1).logProb(tensor([256]))).toThrow(ArgumentError);
    expect(() => new DiscretizedLogistic(tensor([0]), 1, { levels: 1 })).toThrow(/levels/);
  });
});

describe('pixel likelihoods', () => {
  const gen = new Generator(3);

  it('256-way categorical: probabilities sum to 1 over all 256 values per pixel; data scored at round(255·x)', () => {
    const lik = categoricalLikelihood();
    const params = randn([2, 256, 1, 2, 2], { ...f64, generator: gen }).mul(3); // (N, P, C, H, W)
    const d = lik.distribution(params);
    expect([...d.batchShape, ...d.eventShape]).toEqual([2, 1, 2, 2]);
    const base = (d as unknown as { base: { logProb(v: unknown): import('@likelihood/core').Tensor } }).base;
    const all = base.logProb(arange(0, 256, 1, { dtype: 'int32' }).reshape([256, 1, 1, 1, 1])); // (256, N, C, H, W)
    expectClose(logsumexp(all, 0), zeros([2, 1, 2, 2], f64), { atol: 1e-12 });
    const x = tensor([[[[0, 1], [0.5, 0.2]]], [[[1, 1], [0, 0]]]], f64); // (2, 1, 2, 2)
    const direct = params.permute([0, 2, 3, 4, 1]).logSoftmax(-1); // (N, C, H, W, 256)
    const lv = x.mul(255).round().storage;
    let want0 = 0;
    for (let i = 0; i < 4; i++) want0 += direct.reshape([2, 4, 256]).storage[i * 256 + lv[i]!]!;
    expect(Math.abs(d.logProb(lik.target(x)).storage[0]! - want0)).toBeLessThan(1e-10);
  });

  it('discretised logistic likelihood: P = 2, data scored at level round(255·x), sums to 1 per pixel', () => {
    const lik = discretizedLogisticLikelihood();
    expect(lik.paramsPerValue).toBe(2);
    const params = randn([3, 2, 4], { ...f64, generator: gen }); // (N, P, D)
    const d = lik.distribution(params);
    const base = (d as unknown as { base: DiscretizedLogistic }).base;
    expectClose(logsumexp(base.logProb(arange(0, 256, 1, f64).reshape([256, 1, 1])), 0), zeros([3, 4], f64), { atol: 1e-12 });
    expect(lik.target(tensor([0, 1, 0.5, 0.1])).toArray()).toEqual([0, 255, 128, 26]);
  });

  it('Bernoulli: log p = Σ x·l − softplus(l); a zero-logit decoder gives exactly −D ln 2', () => {
    const lik = bernoulliLikelihood();
    const d = lik.distribution(zeros([2, 1, 3, 4], f64));
    const lp = d.logProb(tensor([[[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]], [[0, 1, 0, 1], [1, 0, 1, 0], [0, 0, 1, 1]]], f64));
    expectClose(lp, [-12 * Math.LN2, -12 * Math.LN2], { rtol: 1e-14 });
    expect(() => lik.validate('test', tensor([0, 1.5]))).toThrow(/\[0, 1\].*1\.5/);
    expect(() => lik.validate('test', tensor([-0.1]))).toThrow(ArgumentError);
  });

  it('Bernoulli fast path equals the distribution path in value and gradient, for S draws per example and extreme logits', () => {
    const lik = bernoulliLikelihood();
    const g = new Generator(21);
    const x = cat([bernoulli(rand([2, 1, 3, 4], { ...f64, generator: g }), { generator: g }), rand([1, 1, 3, 4], { ...f64, generator: g })], 0); // binary and grey (3, 1, 3, 4)
    for (const s of [1, 3]) {
      const raw = randn([s * 3, 1, 1, 3, 4], { ...f64, generator: g }).mul(4);
      const extreme = tensor([40, -40, 800, -800, 1e-9, -1e-9], f64);
      const params = cat([raw.reshape([-1]).narrow(0, 0, s * 36 - 6), extreme]).reshape([s * 3, 1, 1, 3, 4]); // (S·N, P, C, H, W)
      const tiled = x.unsqueeze(1).expand([3, s, 1, 3, 4]).reshape([s * 3, 1, 3, 4]); // example-major: row n·S + s
      const p1 = params.detach().requiresGrad_();
      const p2 = params.detach().requiresGrad_();
      const w = randn([s * 3], { ...f64, generator: g }); // a random cotangent
      const fast = bernoulliLogProbSum(p1, x);
      const slow = lik.distribution(p2).logProb(tiled);
      expectClose(fast, slow, { rtol: 1e-14, atol: 1e-13 });
      fast.mul(w).sum().backward();
      slow.mul(w).sum().backward();
      expectClose(p1.grad!, p2.grad!, { rtol: 1e-13, atol: 1e-15 });
    }
  });

  it('Gaussian: fixed variance uses one output, learned uses two with σ = softplus(raw) + minScale', () => {
    const fixed = gaussianLikelihood({ variance: 0.25 });
    expect(fixed.paramsPerValue).toBe(1);
    const df = fixed.distribution(zeros([1, 1, 2], f64));
    expectClose(df.logProb(tensor([[0.5, -0.5]], f64)), [2 * (-0.5 - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI))], { rtol: 1e-12 });
    const learned = gaussianLikelihood({ minScale: 0 });
    expect(learned.paramsPerValue).toBe(2);
    const dl = learned.distribution(tensor([[[0.2], [0]]], f64)); // σ = softplus(0) = ln 2
    const s = Math.LN2;
    expectClose(dl.logProb(tensor([[0.7]], f64)), [-0.5 * (0.5 / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI)], { rtol: 1e-12 });
    expect(() => gaussianLikelihood({ variance: -1 })).toThrow(/variance/);
  });
});
