// The fused binary-cross-entropy-with-logits kernels (wasm SIMD for float32, the JS loop for
// float64 and with kernels forced to 'ts') against the composite that trace records and against a
// float64 reference, with first and second derivatives; the PyTorch goldens are in ops/nn.test.ts.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { expectClose } from '@likelihood/test-utils';
import {
  DTypeError, Generator, ShapeError, type Tensor, autogradGrad, binaryCrossEntropyWithLogits, binaryCrossEntropyWithLogitsSum, getKernelPreference, interpret, rand, randn,
  setKernelPreference, tensor, trace,
} from '../../index.js';

const saved = getKernelPreference();
afterEach(() => setKernelPreference(saved));

/** Value and ∂/∂(logits, target) of Σ c·bce(l, x), eagerly (fused) and interpreted from a trace (composite). */
function both(l0: Tensor, x0: Tensor, c: Tensor): { eager: Tensor[]; traced: Tensor[] } {
  const f = (l: Tensor, x: Tensor) => {
    const lg = l.detach().requiresGrad_();
    const xg = x.detach().requiresGrad_();
    const y = binaryCrossEntropyWithLogits(lg, xg);
    return [y, ...autogradGrad([y.mul(c).sum()], [lg, xg]).map((g) => g!)];
  };
  const { graph } = trace((l, x) => f(l, x), [l0, x0]);
  return { eager: f(l0, x0), traced: interpret(graph, [l0, x0]) as Tensor[] };
}

describe('fused binaryCrossEntropyWithLogits', () => {
  it('equals the traced composite on random shapes and logits up to ±30, in float32 and float64', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (n, seed, f64) => {
        const g = new Generator(seed);
        const dtype = f64 ? 'float64' : 'float32';
        const l = randn([n], { generator: g, dtype }).mul(10);
        const x = rand([n], { generator: g, dtype });
        const c = randn([n], { generator: g, dtype });
        const { eager, traced } = both(l, x, c);
        const tol = f64 ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 2e-6, atol: 2e-6 };
        eager.forEach((t, i) => {
          expect(t.dtype).toBe(dtype);
          expectClose(t, traced[i]!.to(dtype), { ...tol, what: ['value', 'grad logits', 'grad target'][i] });
        });
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('float32 wasm (SIMD lanes and the scalar tail, split over threads) is within 1e-6 relative + 5e-7 of float64, value and gradient', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5003 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom('wasm', 'ts') as fc.Arbitrary<'wasm' | 'ts'>, (n, seed, pref) => {
        setKernelPreference(pref);
        const g = new Generator(seed);
        const l = randn([n], { generator: g }).mul(12);
        const x = rand([n], { generator: g }).mul(1.2).sub(0.1).clamp(0, 1); // hard 0s and 1s too
        const c = randn([n], { generator: g });
        const run = (lv: Tensor, xv: Tensor, cv: Tensor) => {
          const lg = lv.detach().requiresGrad_();
          const y = binaryCrossEntropyWithLogits(lg, xv);
          return [y, autogradGrad([y.mul(cv).sum()], [lg])[0]!];
        };
        const [y32, d32] = run(l, x, c);
        setKernelPreference('ts');
        const [y64, d64] = run(l.double(), x.double(), c.double());
        expect(y32!.dtype).toBe('float32');
        expectClose(y32!, y64!, { rtol: 1e-6, atol: 5e-7, what: 'value' });
        expectClose(d32!, d64!, { rtol: 1e-6, atol: 5e-7, what: 'grad' });
      }),
      { numRuns: 30, seed: 20261206 },
    );
  });

  it('is exact and finite at extreme logits where the naive −x·log σ(l) − (1 − x)·log(1 − σ(l)) overflows', () => {
    setKernelPreference('wasm');
    const l = tensor([-100, -30, 0, 30, 100], { dtype: 'float32' });
    const y = binaryCrossEntropyWithLogits(l, tensor([1, 1, 1, 0, 0], { dtype: 'float32' }));
    expectClose(y, tensor([100, 30, Math.LN2, 30, 100]), { rtol: 1e-6, atol: 1e-6 });
    const lg = l.detach().requiresGrad_();
    const [dl] = autogradGrad([binaryCrossEntropyWithLogits(lg, tensor([1, 1, 1, 0, 0], { dtype: 'float32' })).sum()], [lg]);
    expectClose(dl!, tensor([-1, -1, -0.5, 1, 1]), { rtol: 1e-6, atol: 1e-7 }); // σ(l) − x
  });

  it('second derivative σ(l)(1 − σ(l)) through createGraph', () => {
    const l = tensor([-3, -0.5, 0, 2], { dtype: 'float64' }).requiresGrad_();
    const x = tensor([0, 1, 0.25, 1], { dtype: 'float64' });
    const [dl] = autogradGrad([binaryCrossEntropyWithLogits(l, x).sum()], [l], { createGraph: true });
    const [d2] = autogradGrad([dl!.sum()], [l]);
    const s = [-3, -0.5, 0, 2].map((v) => 1 / (1 + Math.exp(-v)));
    expectClose(d2!, tensor(s.map((v) => v * (1 - v)), { dtype: 'float64' }), { rtol: 1e-12, atol: 1e-14 });
  });

  it('names the argument on a shape or dtype mismatch', () => {
    expect(() => binaryCrossEntropyWithLogits(randn([2, 3]), randn([3, 2]))).toThrow(ShapeError);
    expect(() => binaryCrossEntropyWithLogits(randn([2, 3]), randn([3, 2]))).toThrow(/target must have the logits' shape \[2, 3\], found \[3, 2\]/);
    expect(() => binaryCrossEntropyWithLogits(tensor([1, 2], { dtype: 'int32' }), randn([2]))).toThrow(DTypeError);
  });
});

describe('binaryCrossEntropyWithLogitsSum', () => {
  it('equals binaryCrossEntropyWithLogits summed over the last dim, value and both gradients (float32 wasm and JS, float64)', () => {
    for (const [dtype, pref] of [['float32', 'wasm'], ['float32', 'ts'], ['float64', 'auto']] as const) {
      setKernelPreference(pref);
      const g = new Generator(4);
      const l = randn([3, 5, 97], { generator: g, dtype }).mul(8).requiresGrad_();
      const x = rand([3, 5, 97], { generator: g, dtype }).requiresGrad_();
      const c = randn([3, 5], { generator: g, dtype });
      const got = binaryCrossEntropyWithLogitsSum(l, x);
      const want = binaryCrossEntropyWithLogits(l, x).sum(-1);
      expect(got.shape).toEqual([3, 5]);
      const tol = dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-4 };
      expectClose(got, want, { ...tol, what: `value ${dtype} ${pref}` });
      const dg = autogradGrad([got.mul(c).sum()], [l, x]);
      const dw = autogradGrad([want.mul(c).sum()], [l, x]);
      dg.forEach((t, i) => expectClose(t!, dw[i]!, { ...tol, what: `grad ${i} ${dtype} ${pref}` }));
    }
  });

  it('has a differentiable backward under createGraph, and checks its arguments', () => {
    const l = tensor([[0.5, -2, 3]], { dtype: 'float64' }).requiresGrad_();
    const x = tensor([[1, 0, 1]], { dtype: 'float64' });
    const [d] = autogradGrad([binaryCrossEntropyWithLogitsSum(l, x).sum()], [l], { createGraph: true });
    const [d2] = autogradGrad([d!.sum()], [l]); // Σ σ'(l) = σ(l)(1 − σ(l))
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    [0.5, -2, 3].forEach((v, i) => expect(d2!.storage[i]).toBeCloseTo(sig(v) * (1 - sig(v)), 12));
    expect(() => binaryCrossEntropyWithLogitsSum(l, tensor([1, 0, 1], { dtype: 'float64' }))).toThrow(ShapeError);
    expect(() => binaryCrossEntropyWithLogitsSum(tensor(1), tensor(1))).toThrow(ShapeError);
  });
});
