// Transforms: torch goldens (values, log|det J|, inverse, gradients) and properties checked on every transform.
import { type Tensor, autogradGrad, noGrad, tensor } from '@likelihood/core';
import { expectClose, loadFixture, maxAbsDiff } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { type FixtureTensor, decode, fromFixture } from '../testing.js';
import {
  AffineTransform,
  ComposeTransform,
  ExpTransform,
  IndependentTransform,
  PowerTransform,
  SigmoidTransform,
  SoftplusTransform,
  StickBreakingTransform,
  TanhTransform,
  type Transform,
} from '../index.js';

interface TransformCase {
  name: string;
  args: Record<string, unknown>;
  x: FixtureTensor;
  y: unknown;
  logAbsDet: unknown;
  inverse: unknown;
  gradY: unknown;
  gradLogAbsDet: unknown;
}
const fx = loadFixture<{ transforms: TransformCase[] }>(new URL('../../fixtures/distributions.json', import.meta.url));

const byName = (n: string): Transform =>
  ({ Exp: new ExpTransform(), Sigmoid: new SigmoidTransform(), 'Affine(1, 2)': new AffineTransform(1, 2) })[n] ??
  (() => {
    throw new Error(`unknown transform ${n}`);
  })();

function build(c: TransformCase): Transform {
  const a = c.args;
  switch (c.name) {
    case 'Exp':
      return new ExpTransform();
    case 'Affine':
      return new AffineTransform(a.loc as number, a.scale as number);
    case 'Sigmoid':
      return new SigmoidTransform();
    case 'Tanh':
      return new TanhTransform();
    case 'Softplus':
      return new SoftplusTransform();
    case 'Power':
      return new PowerTransform(a.exponent as number);
    case 'StickBreaking':
      return new StickBreakingTransform();
    case 'Compose':
      return new ComposeTransform((a.parts as string[]).map(byName));
    case 'Inverse':
      return byName(a.base as string).inv;
    case 'Independent':
      return new IndependentTransform(byName(a.base as string), a.n as number);
    default:
      throw new Error(`unknown transform ${c.name}`);
  }
}

const weights = (t: Tensor) => tensor(Array.from({ length: t.size }, (_, i) => (t.size === 1 ? 0.5 : 0.5 + i / (t.size - 1))), { dtype: 'float64' }).reshape([...t.shape]);
const tol = { rtol: 1e-10, atol: 1e-12 };

describe('transforms match torch.distributions.transforms', () => {
  for (const [i, c] of fx.transforms.entries()) {
    it(`${i}: ${c.name}${JSON.stringify(c.args)}: y, log|det J|, inverse and gradients`, () => {
      const t = build(c);
      const x = fromFixture(c.x, true);
      const { y, logAbsDet } = t.forward(x);
      expectClose(y, decode(c.y) as number[], { ...tol, what: 'y' });
      expectClose(logAbsDet, decode(c.logAbsDet) as number[], { ...tol, what: 'logAbsDet' });
      expectClose(noGrad(() => t.inverse(y.detach()).x), decode(c.inverse) as number[], { rtol: 1e-8, atol: 1e-12, what: 'inverse(y)' });
      const [gy] = autogradGrad([y.mul(weights(y)).sum()], [x]);
      expectClose(gy!, decode(c.gradY) as number[], { ...tol, what: 'd sum(y·w) / dx' });
      if (logAbsDet.requiresGrad) {
        const [gl] = autogradGrad([logAbsDet.mul(weights(logAbsDet)).sum()], [x]);
        expectClose(gl!, decode(c.gradLogAbsDet) as number[], { rtol: 1e-9, atol: 1e-12, what: 'd sum(logAbsDet·w) / dx' });
      }
    });
  }
});

/** log|det| of a small square matrix (row-major) by LU with partial pivoting, in float64. */
function logAbsDetOf(m: number[][]): number {
  const a = m.map((r) => r.slice());
  const n = a.length;
  let s = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i;
    [a[k], a[p]] = [a[p]!, a[k]!];
    const piv = a[k]![k]!;
    s += Math.log(Math.abs(piv));
    for (let i = k + 1; i < n; i++) {
      const f = a[i]![k]! / piv;
      for (let j = k; j < n; j++) a[i]![j]! -= f * a[k]![j]!;
    }
  }
  return s;
}

/**
 * log|det ∂y/∂x| by brute force: the Jacobian of one event (the last `eventDim` dims of a single
 * batch row) built row by row with autogradGrad. For StickBreaking (n → n + 1) the last output is
 * dropped, torch's convention (it is 1 − Σ of the others).
 */
function bruteLogDet(t: Transform, x0: number[], dropLast: boolean): number {
  const x = tensor(x0, { dtype: 'float64' }).requiresGrad_();
  const y = t.forward(x).y;
  const n = x0.length;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const [g] = autogradGrad([y.narrow(0, i, 1).sum()], [x]);
    rows.push(Array.from(g!.storage as ArrayLike<number>));
  }
  expect(y.size).toBe(dropLast ? n + 1 : n);
  return logAbsDetOf(rows);
}

interface PropCase {
  name: string;
  t: Transform;
  /** Points in the domain, one event per row. */
  xs: number[][];
  /** 0 for elementwise transforms (log|det| per element), 1 when an event is a vector. */
  eventDim: 0 | 1;
  /** A value outside the domain (for forwardChecked) and one outside the codomain (inverseChecked). */
  badX?: number[];
  badY?: number[];
}
const props: PropCase[] = [
  { name: 'Exp', t: new ExpTransform(), xs: [[-3, 0, 2.5, -20]], eventDim: 0, badY: [1, -1] },
  { name: 'Affine(-1, 3)', t: new AffineTransform(-1, 3), xs: [[-3, 0, 2.5, 1e3]], eventDim: 0 },
  { name: 'Affine(2, -0.5)', t: new AffineTransform(2, -0.5), xs: [[-3, 0, 2.5]], eventDim: 0 },
  { name: 'Sigmoid', t: new SigmoidTransform(), xs: [[-8, 0, 2.5, 15]], eventDim: 0, badY: [0.5, 1.5] },
  { name: 'Tanh', t: new TanhTransform(), xs: [[-3, 0, 2.5, 6]], eventDim: 0, badY: [0, -2] },
  { name: 'Softplus', t: new SoftplusTransform(), xs: [[-8, 0, 2.5, 15]], eventDim: 0, badY: [1, 0] },
  { name: 'Power(3)', t: new PowerTransform(3), xs: [[0.1, 1, 2.5, 7]], eventDim: 0, badX: [1, -2], badY: [-1] },
  { name: 'Power(-0.5)', t: new PowerTransform(-0.5), xs: [[0.1, 1, 2.5, 7]], eventDim: 0, badX: [0] },
  { name: 'Compose(Affine, Exp)', t: new ComposeTransform([new AffineTransform(1, 2), new ExpTransform()]), xs: [[-3, 0, 2.5]], eventDim: 0, badY: [-1] },
  { name: 'Compose(Exp, Power(2))', t: new ComposeTransform([new ExpTransform(), new PowerTransform(2)]), xs: [[-3, 0, 2.5]], eventDim: 0 },
  { name: 'Inverse(Sigmoid)', t: new SigmoidTransform().inv, xs: [[0.1, 0.5, 0.97]], eventDim: 0, badX: [0.5, 2] },
  { name: 'Inverse(Exp)', t: new ExpTransform().inv, xs: [[0.1, 1, 40]], eventDim: 0, badX: [-1] },
  { name: 'Independent(Exp, 1)', t: new IndependentTransform(new ExpTransform(), 1), xs: [[-3, 0, 2.5], [1, 2, -1]], eventDim: 1 },
  { name: 'StickBreaking', t: new StickBreakingTransform(), xs: [[-3, 0, 2.5], [0.3, -1, 4]], eventDim: 1, badY: [0.5, 0.6, 0.1] },
];

describe.each(props)('$name (properties)', (c) => {
  const x = tensor(c.xs, { dtype: 'float64' });
  it('inverse(forward(x)) = x, and forward log|det| = −inverse log|det|', () => {
    const f = c.t.forward(x);
    const b = c.t.inverse(f.y);
    expect(maxAbsDiff(b.x, x)).toBeLessThan(1e-9);
    expectClose(b.logAbsDet, f.logAbsDet.neg(), { rtol: 1e-10, atol: 1e-10, what: 'inverse logAbsDet' });
    // the inverse transform object agrees too
    expectClose(c.t.inv.forward(f.y).logAbsDet, f.logAbsDet.neg(), { rtol: 1e-10, atol: 1e-10, what: 'inv.forward logAbsDet' });
  });
  it('log|det J| equals the log-determinant of the Jacobian built with autograd', () => {
    const ld = c.t.forward(x).logAbsDet;
    if (c.eventDim === 0) {
      // elementwise: the Jacobian is diagonal, its diagonal is d(Σy)/dx
      const xr = x.detach().requiresGrad_();
      const [g] = autogradGrad([c.t.forward(xr).y.sum()], [xr]);
      const brute = Array.from(g!.storage as ArrayLike<number>).map((v) => Math.log(Math.abs(v)));
      expectClose(ld.reshape([-1]), brute, { rtol: 1e-10, atol: 1e-10, what: 'log|dy/dx|' });
    } else {
      const lds = Array.from(ld.storage as ArrayLike<number>);
      expect(lds.length).toBe(c.xs.length);
      c.xs.forEach((row, i) => expect(Math.abs(lds[i]! - bruteLogDet(c.t, row, c.t instanceof StickBreakingTransform))).toBeLessThan(1e-10));
    }
  });
  it('forward/inverse shapes', () => {
    const y = c.t.forward(x).y;
    expect(y.shape).toEqual(c.t.forwardShape(x.shape));
    expect(c.t.inverseShape(y.shape)).toEqual([...x.shape]);
  });
  it.runIf(c.badX !== undefined || c.badY !== undefined)('values outside the domain / codomain throw a typed error', () => {
    if (c.badX) expect(() => c.t.forwardChecked(tensor(c.badX!, { dtype: 'float64' }))).toThrow(/forward: input must lie in the domain .* but found/);
    if (c.badY) expect(() => c.t.inverseChecked(tensor(c.badY!, { dtype: 'float64' }))).toThrow(/inverse: input must lie in the codomain .* but found/);
    expect(() => c.t.forwardChecked(x)).not.toThrow();
  });
});
