import { ArgumentError, Generator, ShapeError, noGrad, randn, tensor, zeros } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { checkBijectorInvariants, randomizeParameters } from '../invariants.test-util.js';
import { ActNorm } from './actNorm.js';
import { InvertibleConv1x1 } from './invertibleConv1x1.js';
import { LULinear } from './luLinear.js';

const f64 = { dtype: 'float64' as const };

describe('ActNorm', () => {
  it('shared invariants on vectors and images', () => {
    const v = new ActNorm(3, { dtype: 'float64' });
    randomizeParameters(v, 1);
    v.eval();
    checkBijectorInvariants(v, randn([4, 3], { generator: new Generator(2), ...f64 }));
    const im = new ActNorm(2, { eventDim: 3, dtype: 'float64' });
    randomizeParameters(im, 3);
    im.eval();
    checkBijectorInvariants(im, randn([2, 2, 2, 3], { generator: new Generator(4), ...f64 }));
  });
  it('data-dependent init: the first data → noise pass normalises that batch per channel, then stays fixed', () => {
    const b = new ActNorm(2, { eventDim: 3, dtype: 'float64' });
    const y = randn([8, 2, 3, 3], { generator: new Generator(5), ...f64 }).mul(tensor([3, 0.5], f64).reshape([2, 1, 1])).add(tensor([2, -1], f64).reshape([2, 1, 1]));
    const x = b.inverse(y).x;
    expectClose(x.mean([0, 2, 3]), [0, 0], { atol: 1e-12 });
    expectClose(x.square().mean([0, 2, 3]), [1, 1], { atol: 1e-5 });
    expect(b.initialized.item()).toBe(1);
    const before = Array.from(b.bias.storage);
    b.inverse(y.mul(10));
    expect(Array.from(b.bias.storage)).toEqual(before);
    expect(b.stateDict().initialized!.item()).toBe(1);
  });
});

describe('LU-decomposed linear and invertible 1×1 convolution (Glow)', () => {
  it('LULinear: shared invariants; starts as a rotation (log|det| = 0)', () => {
    const b = new LULinear(4, { dtype: 'float64', generator: new Generator(6) });
    const x = randn([3, 4], { generator: new Generator(7), ...f64 });
    expectClose(b.forward(x).logAbsDet, [0, 0, 0], { atol: 1e-12 });
    randomizeParameters(b, 8, 0.5);
    checkBijectorInvariants(b, x);
  });
  it('InvertibleConv1x1: shared invariants', () => {
    const b = new InvertibleConv1x1(3, { dtype: 'float64', generator: new Generator(9) });
    randomizeParameters(b, 10, 0.6);
    checkBijectorInvariants(b, randn([2, 3, 2, 2], { generator: new Generator(11), ...f64 }));
  });
  it('a zero on the LU diagonal is a clear error, not a NaN', () => {
    const b = new LULinear(3, { dtype: 'float64' });
    noGrad(() => b.lu.diag.assign_(b.lu.diag.mul(tensor([1, 0, 1], f64))));
    expect(() => b.inverse(zeros([2, 3], f64))).toThrow(ArgumentError);
    expect(() => b.forward(zeros([2, 3], f64))).toThrow(/LULinear.forward: the LU diagonal has 0 at index 1, so the weight .* is singular/);
    const c = new InvertibleConv1x1(2, { dtype: 'float64' });
    expect(() => c.forward(zeros([1, 3, 2, 2], f64))).toThrow(ShapeError);
  });
});

