import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Generator, type Tensor, autogradGrad, getKernelPreference, logSoftmax, randn, setKernelPreference, softmax, tensor, trace,
} from '../../index.js';

const saved = getKernelPreference();
afterEach(() => setKernelPreference(saved));

/** Value, gradient and second-order gradient (of Σ grad²) of f at x, with the given kernels. */
function evaluate(pref: 'ts' | 'wasm', f: (x: Tensor) => Tensor, x0: Tensor, g: Tensor) {
  setKernelPreference(pref);
  const x = x0.detach();
  x.requiresGrad = true;
  const y = f(x);
  const [dx] = autogradGrad([y], [x], { gradOutputs: [g], createGraph: true });
  const [ddx] = autogradGrad([dx!.mul(dx!).sum()], [x]);
  return { y: y.storage, dx: dx!.storage, ddx: ddx!.storage };
}

function expectNear(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= atol + rtol * Math.abs(b[i]!))) throw new Error(`${what}[${i}]: ${a[i]} vs reference ${b[i]}`);
  }
}

// Tolerances (float32): values within 1e-6 absolute + 1e-5 relative of the composite (exp within
// 2 ulp, one rounding of the sum); gradients are tensor ops on those values: 1e-5 + 1e-4 relative.
describe('fused wasm softmax / logSoftmax over the last dim equal the composites', () => {
  it('values, gradients and second derivatives on random shapes with odd row lengths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 77 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
        (rows, cols, log, seed) => {
          const gen = new Generator(seed);
          const x = randn([rows, cols], { generator: gen }).mul(3);
          const g = randn([rows, cols], { generator: gen });
          const f = (t: Tensor) => (log ? logSoftmax(t, -1) : softmax(t, 1));
          const ref = evaluate('ts', f, x, g);
          const got = evaluate('wasm', f, x, g);
          expectNear(got.y, ref.y, 1e-6, 1e-5, 'value');
          expectNear(got.dx, ref.dx, 1e-5, 1e-4, 'grad');
          expectNear(got.ddx, ref.ddx, 1e-4, 1e-3, 'second-order grad');
        },
      ),
      { numRuns: 40 },
    );
  });
  it('large logits (±1e4), -inf entries and all -inf rows behave as the composite', () => {
    const x = tensor([
      [1e4, -1e4, 0, 5, 1e4],
      [-Infinity, 1, 2, -Infinity, 3],
      [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
    ]);
    for (const f of [(t: Tensor) => softmax(t, -1), (t: Tensor) => logSoftmax(t, -1)]) {
      setKernelPreference('ts');
      const ref = Array.from(f(x).storage);
      setKernelPreference('wasm');
      const got = Array.from(f(x).storage);
      got.forEach((v, i) => {
        if (Number.isNaN(ref[i]!) || !Number.isFinite(ref[i]!)) expect(v).toBe(ref[i]);
        else expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!)));
      });
    }
  });
  it('a trace records the composite primitives (graphs hold primitives only), even with wasm selected', () => {
    setKernelPreference('wasm');
    const x = randn([4, 300], { generator: new Generator(1) });
    const { graph } = trace((t) => softmax(t, -1), [x]);
    expect(graph.toString()).toMatch(/Exp/);
  });
  it('float64 and a non-last dim take the composite', () => {
    setKernelPreference('wasm');
    const x = randn([6, 5], { dtype: 'float64', generator: new Generator(2) });
    x.requiresGrad = true;
    expect(softmax(x, -1).gradFn?.op).toBe('Div');
    const y = randn([6, 5], { generator: new Generator(3) });
    y.requiresGrad = true;
    expect(softmax(y, 0).gradFn?.op).toBe('Div');
    expect(softmax(y, 1).gradFn?.op).toBe('custom:softmax');
  });
});
