import { Generator, ShapeError, noGrad, randn, zeros } from '@likelihood/core';
import { Independent, Normal, TransformedDistribution } from '@likelihood/distributions';
import { EIGHT_GAUSSIANS_CENTERS, eightGaussians } from '@likelihood/datasets';
import { Adam } from '@likelihood/nn';
import { expectClose } from '@likelihood/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAF } from './autoregressive/maskedAffine.js';
import { AffineCoupling } from './coupling/affineCoupling.js';
import { alternatingMask } from './coupling/masks.js';
import type { ComposeBijector } from './bijector.js';
import { Flow, standardNormal } from './flow.js';
import { ActNorm } from './glow/actNorm.js';
import { LULinear } from './glow/luLinear.js';
import { randomizeParameters } from './invariants.test-util.js';
import { Reverse } from './permutation.js';
import { type TrainToyResult, densityGrid, toyFlow, trainToyFlow } from './toy.js';

const f64 = { dtype: 'float64' as const };

function smallFlow(contextFeatures = 0) {
  const layers = [
    new AffineCoupling(alternatingMask(3), { hidden: [8], contextFeatures, dtype: 'float64' }),
    new LULinear(3, { dtype: 'float64', generator: new Generator(1) }),
    new MAF(3, { hidden: [8], contextFeatures, dtype: 'float64' }),
    new Reverse(3),
  ];
  const flow = new Flow(standardNormal([3], 'float64'), layers);
  randomizeParameters(flow, 2, 0.3);
  return flow;
}

describe('Flow as a distribution', () => {
  it('logProb equals TransformedDistribution over the same bijectors (one shared transform contract)', () => {
    const flow = smallFlow();
    const td = new TransformedDistribution(standardNormal([3], 'float64'), flow.transform);
    const x = randn([5, 3], { generator: new Generator(3), ...f64 });
    expectClose(flow.logProb(x), td.logProb(x), { atol: 1e-12 });
  });
  it('logProb is log N(f⁻¹(x)) + log|det ∂f⁻¹/∂x| and handles extra batch dims', () => {
    const flow = smallFlow();
    const x = randn([2, 4, 3], { generator: new Generator(4), ...f64 });
    const lp = flow.logProb(x);
    expect(lp.shape).toEqual([2, 4]);
    const { x: z, logAbsDet } = flow.transform.inverse(x.reshape([8, 3]));
    const base = new Independent(new Normal(zeros([3], f64), 1), 1);
    expectClose(lp.reshape([8]), base.logProb(z).add(logAbsDet), { atol: 1e-12 });
  });
  it('sample, rsample and sampleAndLogProb: shapes, reproducible seeds, log-density consistent with logProb', () => {
    const flow = smallFlow();
    const s = flow.sample([4, 2], new Generator(5));
    expect(s.shape).toEqual([4, 2, 3]);
    expect(s.requiresGrad).toBe(false);
    expect(Array.from(flow.sample([4, 2], new Generator(5)).storage)).toEqual(Array.from(s.storage));
    const { samples, logProb } = flow.sampleAndLogProb([6], { generator: new Generator(6) });
    expectClose(logProb, flow.logProb(samples), { atol: 1e-9 });
    // rsample is differentiable in the parameters
    const r = flow.rsample([3], new Generator(7));
    r.sum().backward();
    expect(flow.parameters().some((p) => p.grad && Math.max(...Array.from(p.grad.storage as Float64Array, Math.abs)) > 0)).toBe(true);
  });
  it('conditional flow: context reaches every bijector; samples come out [...sampleShape, B, ...event]', () => {
    const flow = smallFlow(2);
    const x = randn([4, 3], { generator: new Generator(8), ...f64 });
    const c1 = randn([4, 2], { generator: new Generator(9), ...f64 });
    const c2 = randn([4, 2], { generator: new Generator(10), ...f64 });
    const lp1 = flow.logProb(x, c1);
    expect(Math.max(...Array.from(lp1.sub(flow.logProb(x, c2)).storage as Float64Array, Math.abs))).toBeGreaterThan(1e-3);
    const { samples, logProb } = flow.sampleAndLogProb([5], { context: c1, generator: new Generator(11) });
    expect(samples.shape).toEqual([5, 4, 3]);
    const ctx = c1.unsqueeze(0).expand([5, 4, 2]);
    expectClose(logProb, flow.logProb(samples, ctx), { atol: 1e-9 });
  });
  it('conditional base built from the context', () => {
    const flow = new Flow((c) => new Independent(new Normal(c, 1), 1), [new AffineCoupling(alternatingMask(2), { hidden: [4], contextFeatures: 2, dtype: 'float64' })], {
      baseEventShape: [2],
    });
    const c = randn([3, 2], { generator: new Generator(12), ...f64 });
    // identity coupling at init: the density is N(c, I)
    const x = randn([3, 2], { generator: new Generator(13), ...f64 });
    expectClose(flow.logProb(x, c), new Independent(new Normal(c, 1), 1).logProb(x), { atol: 1e-12 });
    expect(flow.sample([2], new Generator(14), c).shape).toEqual([2, 3, 2]);
  });
  it('bad input: wrong event size, missing context, bad context shape', () => {
    const flow = smallFlow();
    expect(() => flow.logProb(zeros([4, 2], f64))).toThrow(/Flow.logProb: value shape \[4, 2\] must end with the event shape \[3\]/);
    const cond = smallFlow(2);
    expect(() => cond.logProb(zeros([4, 3], f64))).toThrow(/a context of shape \[4, 2\] is required/);
    expect(() => cond.logProb(zeros([4, 3], f64), zeros([3, 2], f64))).toThrow(ShapeError);
    expect(() => new Flow((c) => new Normal(c, 1), [])).toThrow(/needs opts.baseEventShape/);
  });
  it('stateDict round trip: a fresh flow loaded with the weights (incl. the ActNorm init flag) gives the same logProb', () => {
    const make = () => new Flow(standardNormal([3], 'float64'), [new ActNorm(3, { dtype: 'float64' }), ...(smallFlow().transform as ComposeBijector).parts]);
    const a = make();
    const x = randn([6, 3], { generator: new Generator(20), ...f64 });
    a.logProb(x); // ActNorm initialises here
    const b = make();
    randomizeParameters(b, 99); // different weights until loaded
    expect(Math.abs(b.logProb(x).sub(a.logProb(x)).sum().item())).toBeGreaterThan(1e-3);
    b.loadStateDict(a.stateDict());
    expect(Object.keys(a.stateDict())).toContain('layers.0.initialized');
    a.eval();
    b.eval();
    expectClose(b.logProb(x), a.logProb(x), { atol: 1e-12 });
  });
  it('ActNorm inside a flow initialises from the first training batch', () => {
    const flow = new Flow(standardNormal([2], 'float64'), [new ActNorm(2, { dtype: 'float64' })]);
    const x = randn([64, 2], { generator: new Generator(15), ...f64 }).mul(4).add(3);
    flow.logProb(x);
    const z = flow.transform.inverse(x).x;
    expectClose(z.mean(0), [0, 0], { atol: 1e-12 });
  });
});

describe('toyFlow', () => {
  it('every kind starts as the identity (zero-initialised conditioners): logProb = log N(x; 0, I)', () => {
    const x = randn([5, 2], { generator: new Generator(21) });
    const want = new Independent(new Normal(zeros([2]), 1), 1).logProb(x);
    for (const kind of ['realnvp', 'spline', 'maf'] as const) expectClose(toyFlow(kind).logProb(x), want, { atol: 1e-5, what: kind });
    expect(() => toyFlow('glow' as 'maf')).toThrow(/kind must be 'realnvp', 'spline' or 'maf', found 'glow'/);
  });
});

describe('a spline flow trained on 8 gaussians (fixed seed)', () => {
  let r: TrainToyResult;
  beforeAll(() => {
    // 4 RQ spline couplings, MLP 2×32, 150 Adam steps of 128 points: ≈ 8 s on one core
    r = trainToyFlow('8gaussians', { kind: 'spline', hidden: [32, 32], steps: 150, batchSize: 128, lr: 5e-3, seed: 0, testSize: 2000 });
  });
  it('reaches a held-out NLL below 3.1 nats (true entropy ≈ 2.84; the best single Gaussian: 4.26)', () => {
    expect(r.trueEntropy!).toBeCloseTo(2.84, 1);
    expect(r.testNll).toBeLessThan(3.1);
    expect(r.losses[r.losses.length - 1]!).toBeLessThan(r.losses[0]! - 0.8);
  });
  it('Monte-Carlo KL(data ‖ model) = E_data[log p_true − log q] ≥ 0, and KL(model ‖ data) from samples ≥ 0', () => {
    expect(r.testNll - r.trueEntropy!).toBeGreaterThan(0);
    const { samples, logProb } = noGrad(() => r.flow.sampleAndLogProb([2000], { generator: new Generator(16) }));
    const klModelData = logProb.sub(eightGaussians.logProb(samples)).mean().item();
    expect(klModelData).toBeGreaterThan(0);
    expect(klModelData).toBeLessThan(0.5);
  });
  it('samples land near the 8 modes', () => {
    const s = noGrad(() => r.flow.sample([1000], new Generator(17))).storage;
    let near = 0;
    for (let i = 0; i < 1000; i++) {
      const d = Math.min(...EIGHT_GAUSSIANS_CENTERS.map(([a, b]) => Math.hypot(s[2 * i]! - a, s[2 * i + 1]! - b)));
      if (d < 1.06) near++; // 3σ of the true components
    }
    expect(near / 1000).toBeGreaterThan(0.8);
  });
  it('the learned density integrates to ≈ 1 on a 2-D grid', () => {
    const g = densityGrid(r.flow, { min: -6, max: 6, n: 96 });
    let mass = 0;
    for (const lp of g.logProb) mass += Math.exp(lp) * g.cellArea;
    expect(Math.abs(mass - 1)).toBeLessThan(0.01);
  });
});

describe('training a conditional flow moves the context-dependent density', () => {
  it('MAF conditioned on a label fits two shifted Gaussians better than ignoring it', () => {
    const g = new Generator(18);
    const flow = new Flow(standardNormal([2]), [new MAF(2, { hidden: [16], contextFeatures: 1, generator: g }), new Reverse(2), new MAF(2, { hidden: [16], contextFeatures: 1, generator: g })]);
    const opt = new Adam(flow.parameters(), { lr: 1e-2 });
    const batch = () => {
      const lab = randn([128, 1], { generator: g }).gt(0).to('float32'); // 0 or 1
      return { x: randn([128, 2], { generator: g }).mul(0.3).add(lab.mul(4).sub(2)), c: lab };
    };
    for (let i = 0; i < 150; i++) {
      const { x, c } = batch();
      const loss = flow.logProb(x, c).mean().neg();
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    const { x, c } = batch();
    const nll = noGrad(() => flow.logProb(x, c).mean().neg().item());
    // true conditional entropy: log(2πe·0.09) ≈ 0.43 nats; marginal mixture entropy ≈ 1.12 nats
    expect(nll).toBeLessThan(0.9);
    const m = noGrad(() => flow.sample([500], new Generator(19), zeros([1, 1]).add(1)).mean([0, 1]));
    expectClose(m, [2, 2], { atol: 0.3 });
  });
});
