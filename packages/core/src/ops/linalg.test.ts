import { describe, expect, it } from 'vitest';
import { expectClose, gradcheck as gradcheckFlat, loadFixture } from '@likelihood/test-utils';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  type Tensor,
  autogradGrad,
  cholesky,
  enableGrad,
  eye,
  inv,
  matmul,
  slogdet,
  solveTriangular,
  tensor,
} from '../index.js';

interface Arr {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  op: string;
  opts: Record<string, any>;
  inputs: Record<string, Arr>;
  outs: Record<string, Arr>;
  cots: Record<string, Arr>;
  grads: Record<string, Arr>;
}

const fixture = loadFixture<{ cases: Case[]; singular: { a: Arr; sign: number; logabsdet: string } }>(
  new URL('../../fixtures/linalg.json', import.meta.url),
);
const f64 = (a: Arr, requiresGrad = false) => tensor(Float64Array.from(a.data), { dtype: 'float64', requiresGrad }).reshape(a.shape);
const mT = (x: Tensor) => x.transpose(-1, -2);

function run(c: Case, t: Record<string, Tensor>): Record<string, Tensor> {
  switch (c.op) {
    case 'cholesky':
      return { out: cholesky(t.a!, c.opts) };
    case 'solveTriangular':
      return { out: solveTriangular(t.a!, t.b!, c.opts as any) };
    case 'slogdet':
      return slogdet(t.a!) as unknown as Record<string, Tensor>;
    case 'inv':
      return { out: inv(t.a!) };
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

describe('linalg ops match PyTorch (linalg.json)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: value and gradients`, () => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) t[k] = f64(v, true);
      const outs = run(c, t);
      let total: Tensor | null = null;
      for (const [k, expected] of Object.entries(c.outs)) {
        const y = outs[k]!;
        expect([...y.shape]).toEqual(expected.shape);
        expectClose(y, f64(expected), { rtol: 1e-10, atol: 1e-12, what: k });
        if (k !== 'sign') {
          const term = y.mul(f64(c.cots[k]!)).sum();
          total = total ? total.add(term) : term;
        }
      }
      const names = Object.keys(c.inputs);
      const grads = autogradGrad([total!], names.map((k) => t[k]!));
      names.forEach((k, i) => expectClose(grads[i]!, f64(c.grads[k]!), { rtol: 1e-9, atol: 1e-10, what: `grad ${k}` }));
    });
  }

  it('singular matrix: slogdet gives sign 0 and logabsdet -inf', () => {
    const { sign, logabsdet } = slogdet(f64(fixture.singular.a));
    expect(sign.item()).toBe(0);
    expect(logabsdet.item()).toBe(-Infinity);
  });

  it('float32 cholesky reconstructs A', () => {
    const c = fixture.cases[0]!;
    const a = f64(c.inputs.a!).float();
    const L = cholesky(a);
    expect(L.dtype).toBe('float32');
    expectClose(matmul(L, mT(L)), a, { rtol: 1e-5, atol: 1e-5 });
  });
});

/** gradcheck on flattened inputs (test-utils' gradcheck rejects shaped gradients vs flat numeric ones). */
function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: Parameters<typeof gradcheckFlat>[2]): void {
  const shapes = inputs.map((t) => [...t.shape]);
  gradcheckFlat((...xs) => fn(...xs.map((x, i) => x.reshape(shapes[i]!))), inputs.map((t) => t.reshape([-1])), opts);
}

function det(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed * 12.9898 + i * 78.233);
  return tensor(v, { dtype: 'float64' }).reshape(shape);
}

/** X·Xᵀ + n·I: a symmetric positive-definite function of unconstrained X. */
const spd = (x: Tensor) => matmul(x, mT(x)).add(eye(x.shape[x.ndim - 1]!, undefined, { dtype: 'float64' }).mul(x.shape[x.ndim - 1]!));
/** A well-conditioned triangular matrix from X. */
const triOf = (x: Tensor, upper: boolean) => {
  const n = x.shape[x.ndim - 1]!;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = (upper ? j >= i : j <= i) ? 1 : 0;
  return x.mul(tensor(m, { dtype: 'float64' }).reshape([n, n])).add(eye(n, undefined, { dtype: 'float64' }).mul(3));
};

describe('gradcheck (float64 finite differences)', () => {
  it('cholesky (lower and upper) through an SPD parametrisation', () => {
    gradcheck((x) => cholesky(spd(x!)), [det([2, 3, 3])]);
    gradcheck((x) => cholesky(spd(x!), { upper: true }), [det([4, 4], 2)]);
  });
  it('solveTriangular in all four orientations, unitriangular, broadcast batch', () => {
    for (const upper of [false, true]) {
      for (const left of [true, false]) {
        gradcheck((a, b) => solveTriangular(triOf(a!, upper), b!, { upper, left }), [det([3, 3]), det(left ? [3, 2] : [2, 3], 2)]);
      }
    }
    gradcheck((a, b) => solveTriangular(triOf(a!, true), b!, { upper: true, unitriangular: true }), [det([3, 3]), det([3, 2], 2)]);
    gradcheck((a, b) => solveTriangular(triOf(a!, false), b!, { upper: false }), [det([1, 3, 3]), det([2, 3, 2], 2)]);
  });
  it('slogdet and inv', () => {
    gradcheck((a) => slogdet(a!).logabsdet, [det([2, 3, 3]).add(eye(3, undefined, { dtype: 'float64' }))]);
    gradcheck((a) => inv(a!), [det([2, 3, 3]).add(eye(3, undefined, { dtype: 'float64' }).mul(2))]);
  });
  it('second derivatives: gradient of a gradient of slogdet and cholesky', () => {
    const hv = (f: (a: Tensor) => Tensor, v: Tensor) => (a: Tensor) =>
      enableGrad(() => {
        // Finite differences call this under noGrad: re-enable and make `a` a leaf there.
        const ar = a.requiresGrad ? a : a.detach().requiresGrad_();
        const [g] = autogradGrad([f(ar)], [ar], { createGraph: true });
        return g!.mul(v).sum();
      });
    const a0 = det([3, 3]).add(eye(3, undefined, { dtype: 'float64' }).mul(2));
    gradcheck((a) => hv((x) => slogdet(x).logabsdet, det([3, 3], 5))(a!), [a0], { rtol: 1e-4 });
    gradcheck((x) => hv((y) => cholesky(spd(y)).mul(det([3, 3], 6)).sum(), det([3, 3], 5))(x!), [det([3, 3], 3)], { rtol: 1e-4, atol: 1e-5 });
  });
});

describe('errors', () => {
  it('shape, dtype and argument errors name the op and shapes', () => {
    expect(() => cholesky(det([3, 4]))).toThrow(/cholesky: A must be a batch of square matrices.*\[3, 4\]/);
    expect(() => cholesky(tensor([[1, 0], [0, 1]], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => cholesky(tensor([[1, 2], [2, 1]], { dtype: 'float64' }))).toThrow(/not positive-definite \(the leading minor of order 2/);
    expect(() => solveTriangular(det([3, 3]), det([4, 2]), { upper: true })).toThrow(ShapeError);
    expect(() => solveTriangular(det([3, 3]), det([4, 2]), { upper: true })).toThrow(/\[3, 3\].*\[4, 2\]/);
    expect(() => solveTriangular(det([3, 3]), det([3, 2]), {} as any)).toThrow(ArgumentError);
    expect(() => solveTriangular(det([2, 3, 3]), det([3, 3, 2]), { upper: false })).toThrow(ShapeError);
    expect(() => slogdet(det([2]))).toThrow(ShapeError);
    expect(() => inv(tensor([[1, 2], [2, 4]], { dtype: 'float64' }))).toThrow(/inv.*singular/);
  });
});
