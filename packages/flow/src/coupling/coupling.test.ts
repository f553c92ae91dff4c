import { ArgumentError, Generator, ShapeError, randn, tensor, zeros } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { checkBijectorInvariants, randomizeParameters } from '../invariants.test-util.js';
import { AdditiveCoupling } from './additiveCoupling.js';
import { AffineCoupling } from './affineCoupling.js';
import { alternatingMask, channelMask, checkerboardMask } from './masks.js';

const f64 = { dtype: 'float64' as const };

describe('coupling layers: shared bijector invariants (float64)', () => {
  it('affine coupling, alternating mask, vectors', () => {
    const b = new AffineCoupling(alternatingMask(4), { hidden: [8], dtype: 'float64' });
    randomizeParameters(b, 1);
    checkBijectorInvariants(b, randn([3, 4], { generator: new Generator(2), ...f64 }));
  });
  it('affine coupling with an arbitrary mask and a context', () => {
    const b = new AffineCoupling(tensor([1, 0, 0, 1, 0]), { hidden: [8], contextFeatures: 2, dtype: 'float64' });
    randomizeParameters(b, 3);
    const g = new Generator(4);
    checkBijectorInvariants(b, randn([3, 5], { generator: g, ...f64 }), { context: randn([3, 2], { generator: g, ...f64 }) });
  });
  it('affine coupling, checkerboard and channel masks on images', () => {
    for (const mask of [checkerboardMask(2, 3, 3, 1), channelMask(2, 3, 3)]) {
      const b = new AffineCoupling(mask, { hidden: [4], dtype: 'float64' });
      randomizeParameters(b, 5, 0.2);
      checkBijectorInvariants(b, randn([2, 2, 3, 3], { generator: new Generator(6), ...f64 }));
    }
  });
  it('additive coupling is volume preserving', () => {
    const b = new AdditiveCoupling(alternatingMask(4, 1), { hidden: [8], dtype: 'float64' });
    randomizeParameters(b, 7);
    const x = randn([3, 4], { generator: new Generator(8), ...f64 });
    checkBijectorInvariants(b, x);
    expect(Array.from(b.forward(x).logAbsDet.storage)).toEqual([0, 0, 0]);
  });
  it('starts as the identity (zero-initialised conditioner)', () => {
    const b = new AffineCoupling(alternatingMask(4), { dtype: 'float64' });
    const x = randn([5, 4], { generator: new Generator(9), ...f64 });
    const r = b.forward(x);
    expect(Array.from(r.y.storage)).toEqual(Array.from(x.storage));
    expect(Array.from(r.logAbsDet.storage)).toEqual([0, 0, 0, 0, 0]);
  });
  it('kept coordinates pass through unchanged', () => {
    const b = new AffineCoupling(alternatingMask(4), { hidden: [8], dtype: 'float64' });
    randomizeParameters(b, 10);
    const x = randn([2, 4], { generator: new Generator(11), ...f64 });
    const y = b.forward(x).y;
    for (const i of [0, 2]) expect(Array.from(y.narrow(1, i, 1).storage)).toEqual(Array.from(x.narrow(1, i, 1).storage));
  });
});

describe('coupling layers: bad input', () => {
  it('rejects masks that are not binary or not mixed', () => {
    expect(() => new AffineCoupling(tensor([1, 1, 1]))).toThrow(/mask must have both 1s \(kept\) and 0s \(transformed\), found only 1s/);
    expect(() => new AffineCoupling(tensor([1, 0.5, 0]))).toThrow(ArgumentError);
  });
  it('a wrong event size or a missing context is a ShapeError naming the shapes', () => {
    const b = new AffineCoupling(alternatingMask(4));
    expect(() => b.forward(zeros([3, 5]))).toThrow(ShapeError);
    expect(() => b.inverse(zeros([3, 5]))).toThrow(/AffineCoupling.inverse: input must have shape \[N, 4\].*found \[3, 5\]/);
    const c = new AffineCoupling(alternatingMask(4), { contextFeatures: 2 });
    expect(() => c.forward(zeros([3, 4]))).toThrow(/a context of shape \[3, 2\] is required/);
    expect(() => b.forward(zeros([3, 4]), zeros([3, 2]))).toThrow(/takes no context/);
  });
});
