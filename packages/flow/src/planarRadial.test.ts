import { ArgumentError, Generator, randn } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { checkBijectorInvariants, randomizeParameters } from './invariants.test-util.js';
import { PlanarFlow } from './planar.js';
import { RadialFlow } from './radial.js';

const f64 = { dtype: 'float64' as const };

describe('planar and radial flows: shared invariants (float64)', () => {
  it('PlanarFlow (numerical inverse; gradients through the implicit function)', () => {
    for (const seed of [1, 2, 3]) {
      const b = new PlanarFlow(3, { dtype: 'float64' });
      randomizeParameters(b, seed, 1.5);
      checkBijectorInvariants(b, randn([4, 3], { generator: new Generator(10 + seed), ...f64 }), { atol: 1e-7 });
    }
  });
  it('PlanarFlow stays invertible when wᵀu < −1 (û constraint)', () => {
    const b = new PlanarFlow(2, { dtype: 'float64' });
    b.w.assign_(b.w.mul(0).add(2));
    b.u.assign_(b.u.mul(0).sub(3)); // wᵀu = −12
    expect(b.w.mul(b.uHat()).sum().item()).toBeGreaterThanOrEqual(-1);
    checkBijectorInvariants(b, randn([4, 2], { generator: new Generator(4), ...f64 }), { atol: 1e-7 });
  });
  it('RadialFlow', () => {
    for (const seed of [5, 6]) {
      const b = new RadialFlow(3, { dtype: 'float64' });
      randomizeParameters(b, seed, 1);
      checkBijectorInvariants(b, randn([4, 3], { generator: new Generator(10 + seed), ...f64 }));
    }
  });
  it('RadialFlow with β near its bound −α contracts but stays invertible', () => {
    const b = new RadialFlow(2, { dtype: 'float64' });
    b.betaRaw.assign_(b.betaRaw.mul(0).sub(8));
    const x = randn([3, 2], { generator: new Generator(7), ...f64 });
    expectClose(b.inverse(b.forward(x).y).x, x, { atol: 1e-9 });
  });
  it('bad sizes', () => {
    expect(() => new PlanarFlow(0)).toThrow(ArgumentError);
    expect(() => new RadialFlow(2).forward(randn([2, 3]))).toThrow(/RadialFlow.forward: input must have shape \[N, 2\]/);
  });
});
