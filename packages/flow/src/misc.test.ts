import { ArgumentError, Generator, ShapeError, rand, randn, zeros } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { BatchNormBijector } from './batchNorm.js';
import { LogitBijector, LogitPreprocess, SigmoidBijector } from './elementwise.js';
import { checkBijectorInvariants, randomizeParameters } from './invariants.test-util.js';
import { Permutation, Reverse } from './permutation.js';

const f64 = { dtype: 'float64' as const };

describe('permutations', () => {
  it('Permutation, random Permutation and Reverse: shared invariants, zero log-det', () => {
    const x = randn([3, 5], { generator: new Generator(1), ...f64 });
    for (const b of [new Permutation([2, 0, 4, 1, 3]), Permutation.random(5, { generator: new Generator(2) }), new Reverse(5)]) {
      checkBijectorInvariants(b, x);
      expect(Array.from(b.forward(x).logAbsDet.storage)).toEqual([0, 0, 0]);
    }
    expect(Array.from(new Reverse(3).forward(x.narrow(1, 0, 3)).y.narrow(0, 0, 1).storage)).toEqual(Array.from(x.narrow(0, 0, 1).narrow(1, 0, 3).flip(1).storage));
  });
  it('permutes channels of images', () => {
    checkBijectorInvariants(new Permutation([1, 2, 0], { eventDim: 3 }), randn([2, 3, 2, 2], { generator: new Generator(3), ...f64 }));
  });
  it('rejects a non-permutation and a wrong size', () => {
    expect(() => new Permutation([0, 2])).toThrow(/perm must be a permutation of 0..n−1, found \[0, 2\]/);
    expect(() => new Reverse(3).forward(zeros([2, 4]))).toThrow(ShapeError);
  });
});

describe('BatchNormBijector', () => {
  it('eval mode: shared invariants on vectors and images', () => {
    const b = new BatchNormBijector(3, { dtype: 'float64' });
    randomizeParameters(b, 4);
    b.running_mean.assign_(randn([3], { generator: new Generator(5), ...f64 }));
    b.running_var.assign_(rand([3], { generator: new Generator(6), ...f64 }).add(0.5));
    b.eval();
    checkBijectorInvariants(b, randn([4, 3], { generator: new Generator(7), ...f64 }));
    const im = new BatchNormBijector(2, { eventDim: 3, dtype: 'float64' });
    randomizeParameters(im, 8);
    im.eval();
    checkBijectorInvariants(im, randn([2, 2, 2, 2], { generator: new Generator(9), ...f64 }));
  });
  it('training mode: normalises the batch to (β, exp(γ)), log-det from batch variance, running stats updated', () => {
    const b = new BatchNormBijector(2, { dtype: 'float64', momentum: 0.5 });
    const y = randn([64, 2], { generator: new Generator(10), ...f64 }).mul(3).add(1);
    const { x, logAbsDet } = b.inverse(y);
    expectClose(x.mean(0), [0, 0], { atol: 1e-12 });
    expectClose(x.square().mean(0), [1, 1], { atol: 1e-5 });
    const v = y.sub(y.mean(0)).square().mean(0);
    expectClose(logAbsDet.narrow(0, 0, 1), v.add(1e-5).log().mul(-0.5).sum().reshape([1]), { atol: 1e-12 });
    expectClose(b.running_mean, y.mean(0).mul(0.5), { atol: 1e-12 });
    expectClose(b.running_var, v.mul(0.5).add(0.5), { atol: 1e-12 });
  });
  it('bad options', () => {
    expect(() => new BatchNormBijector(2, { momentum: 2 })).toThrow(ArgumentError);
  });
});

describe('elementwise bijectors', () => {
  it('sigmoid, logit and logit preprocessing: shared invariants', () => {
    const x = randn([3, 4], { generator: new Generator(11), ...f64 });
    const u = rand([3, 4], { generator: new Generator(12), ...f64 }).mul(0.9).add(0.05);
    checkBijectorInvariants(new SigmoidBijector(), x);
    checkBijectorInvariants(new LogitBijector(), u);
    checkBijectorInvariants(new LogitPreprocess({ alpha: 0.05 }), x);
    checkBijectorInvariants(new LogitPreprocess({ alpha: 1e-6, eventDim: 3 }), randn([2, 1, 2, 2], { generator: new Generator(13), ...f64 }));
  });
  it('LogitPreprocess agrees with @likelihood/datasets logitTransform (data → noise)', async () => {
    const { logitTransform } = await import('@likelihood/datasets');
    const x = rand([3, 1, 2, 2], { generator: new Generator(14), ...f64 });
    const r = new LogitPreprocess({ alpha: 0.05, eventDim: 3 }).inverse(x);
    const d = logitTransform(x, 0.05);
    expectClose(r.x, d.y, { atol: 1e-12 });
    expectClose(r.logAbsDet, d.logDet, { atol: 1e-12 });
  });
  it('rejects alpha outside [0, 0.5)', () => {
    expect(() => new LogitPreprocess({ alpha: 0.5 })).toThrow(/alpha must be in \[0, 0.5\), found 0.5/);
  });
});
