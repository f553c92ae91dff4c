import { ArgumentError, Generator, grad, randn, tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { alternatingMask, checkerboardMask } from '../coupling/masks.js';
import { checkBijectorInvariants, randomizeParameters } from '../invariants.test-util.js';
import { rationalQuadraticSpline, unconstrainedRationalQuadraticSpline } from './rationalQuadratic.js';
import { MaskedRQSAutoregressive } from './splineAutoregressive.js';
import { RQSCoupling } from './splineCoupling.js';

interface Case {
  kind: 'unconstrained' | 'bounded';
  inverse: boolean;
  tail_bound?: number;
  identity_init?: boolean;
  left?: number;
  right?: number;
  bottom?: number;
  top?: number;
  inputs: number[];
  widths: number[][];
  heights: number[][];
  derivatives: number[][];
  outputs: number[];
  logabsdet: number[];
}
interface Fixture {
  cases: Case[];
  grad: { weights: number[]; inputs: number[]; widths: number[][]; heights: number[][]; derivatives: number[][] };
}
const fx = loadFixture<Fixture>(new URL('../../fixtures/spline.json', import.meta.url));
const t = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });
const f64 = { dtype: 'float64' as const };

describe('rational-quadratic spline vs the torch port of nflows (fixtures/gen_spline.py)', () => {
  for (const c of fx.cases) {
    it(`${c.kind}, ${c.inverse ? 'inverse' : 'forward'}${c.identity_init ? ', identity init' : ''}`, () => {
      const r =
        c.kind === 'unconstrained'
          ? unconstrainedRationalQuadraticSpline(t(c.inputs), t(c.widths), t(c.heights), t(c.derivatives), { inverse: c.inverse, tailBound: c.tail_bound!, enableIdentityInit: c.identity_init ?? false })
          : rationalQuadraticSpline(t(c.inputs), t(c.widths), t(c.heights), t(c.derivatives), { inverse: c.inverse, left: c.left!, right: c.right!, bottom: c.bottom!, top: c.top! });
      expectClose(r.outputs, c.outputs, { atol: 1e-12, rtol: 1e-10 });
      expectClose(r.logAbsDet, c.logabsdet, { atol: 1e-12, rtol: 1e-10 });
    });
  }
  it('gradients of Σ(outputs·w + logAbsDet) w.r.t. inputs and raw parameters match torch', () => {
    const c = fx.cases[0]!;
    const g = fx.grad;
    const f = (x: ReturnType<typeof t>, w: ReturnType<typeof t>, h: ReturnType<typeof t>, d: ReturnType<typeof t>) => {
      const r = unconstrainedRationalQuadraticSpline(x, w, h, d, { tailBound: 3 });
      return r.outputs.mul(t(g.weights)).add(r.logAbsDet).sum();
    };
    const grads = grad(f, { argnums: [0, 1, 2, 3] })(t(c.inputs), t(c.widths), t(c.heights), t(c.derivatives));
    expectClose(grads[0]!, g.inputs, { atol: 1e-10, rtol: 1e-8, what: 'd/dinputs' });
    expectClose(grads[1]!, g.widths, { atol: 1e-10, rtol: 1e-8, what: 'd/dwidths' });
    expectClose(grads[2]!, g.heights, { atol: 1e-10, rtol: 1e-8, what: 'd/dheights' });
    expectClose(grads[3]!, g.derivatives, { atol: 1e-10, rtol: 1e-8, what: 'd/dderivatives' });
  });
  it('inputs outside the bounded domain are an ArgumentError (nflows InputOutsideDomain)', () => {
    const w = t([[0, 0]]);
    expect(() => rationalQuadraticSpline(t([1.5]), w, w, t([[0, 0, 0]]))).toThrow(/input 1.5 at flat index 0 is outside the spline's domain \[0, 1\]/);
    expect(() => rationalQuadraticSpline(t([0.5]), w, w, t([[0, 0]]))).toThrow(ArgumentError);
  });
});

describe('spline bijectors: shared invariants (float64)', () => {
  it('RQSCoupling on vectors (inputs reaching the linear tails) and images', () => {
    const b = new RQSCoupling(alternatingMask(4), { numBins: 5, tailBound: 2, hidden: [8], dtype: 'float64' });
    randomizeParameters(b, 1, 0.5);
    checkBijectorInvariants(b, randn([4, 4], { generator: new Generator(2), ...f64 }).mul(1.5));
    const im = new RQSCoupling(checkerboardMask(1, 2, 2), { numBins: 4, hidden: [4], dtype: 'float64' });
    randomizeParameters(im, 3, 0.5);
    checkBijectorInvariants(im, randn([2, 1, 2, 2], { generator: new Generator(4), ...f64 }));
  });
  it('RQSCoupling with a context', () => {
    const b = new RQSCoupling(alternatingMask(3, 1), { numBins: 4, hidden: [8], contextFeatures: 2, dtype: 'float64' });
    randomizeParameters(b, 5, 0.5);
    const g = new Generator(6);
    checkBijectorInvariants(b, randn([3, 3], { generator: g, ...f64 }), { context: randn([3, 2], { generator: g, ...f64 }) });
  });
  it('MaskedRQSAutoregressive', () => {
    const b = new MaskedRQSAutoregressive(3, { numBins: 4, hidden: [10], dtype: 'float64' });
    randomizeParameters(b, 7, 0.5);
    checkBijectorInvariants(b, randn([3, 3], { generator: new Generator(8), ...f64 }).mul(1.5), { atol: 1e-7 });
  });
});
