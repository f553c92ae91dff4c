// The fused wasm activations (GELU tanh form, SiLU) against their composites.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, type Tensor, autogradGrad, cast, gelu, getKernelPreference, randn, setKernelPreference, silu, tensor } from '../../index.js';

const saved = getKernelPreference();
afterEach(() => setKernelPreference(saved));

function evaluate(f: (x: Tensor) => Tensor, pref: 'ts' | 'wasm', x0: Tensor, g: Tensor, secondOrder: boolean) {
  setKernelPreference(pref);
  const x = x0.detach();
  x.requiresGrad = true;
  const y = f(x);
  const [dx] = autogradGrad([y], [x], { gradOutputs: [g], createGraph: secondOrder });
  const ddx = secondOrder ? autogradGrad([dx!.mul(dx!).sum()], [x])[0]!.storage : null;
  return { y: y.storage, dx: dx!.storage, ddx };
}

function expectNear(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= atol + rtol * Math.abs(b[i]!))) throw new Error(`${what}[${i}]: ${a[i]} vs reference ${b[i]}`);
  }
}

const activations: [string, (x: Tensor) => Tensor, number][] = [
  ['GELU (tanh form)', (x) => gelu(x, 'tanh'), 4],
  ['SiLU', (x) => silu(x), 6],
];

// Reference: the composite in float64 (the float32 composite itself loses accuracy where
// 1 + tanh(u) cancels). Tolerance for the fused float32 kernels: 2e-6 absolute + 1e-5 relative for
// values and gradients, 1e-5 + 1e-4 for second derivatives.
for (const [name, f, spread] of activations) {
  describe(`fused wasm ${name} equals the composite`, () => {
    it('values, wasm backward and (createGraph) tensor-op backward with second derivatives, odd sizes', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 203 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (n, second, seed) => {
          const gen = new Generator(seed);
          const x = randn([n], { generator: gen }).mul(spread);
          const g = randn([n], { generator: gen });
          const ref = evaluate(f, 'ts', cast(x, 'float64'), cast(g, 'float64'), second);
          const got = evaluate(f, 'wasm', x, g, second);
          expectNear(got.y, ref.y, 2e-6, 1e-5, 'value');
          expectNear(got.dx, ref.dx, 2e-6, 1e-5, 'grad');
          if (second) expectNear(got.ddx!, ref.ddx!, 1e-5, 1e-4, 'second-order grad');
        }),
        { numRuns: 40, seed: 20261125 },
      );
    });
  });
}

describe('fused activations at large |x|, zero and infinities', () => {
  it('GELU: values as the composite; gradients 0.5 at 0, 1 and 0 in the tails (to 1e-30)', () => {
    const f = (x: Tensor) => gelu(x, 'tanh');
    const x = tensor([0, -0, 30, -30, 1e20, -1e20, Infinity, -Infinity, 1e-20]);
    const g = tensor([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const ref = evaluate(f, 'ts', x, g, false);
    const got = evaluate(f, 'wasm', x, g, false);
    got.y.forEach((v, i) => expect(v === ref.y[i] || (Number.isNaN(v) && Number.isNaN(ref.y[i]!))).toBe(true));
    [0.5, 0.5, 1, 0, 1, 0].forEach((want, i) => expect(Math.abs(got.dx[i]! - want)).toBeLessThan(1e-30));
  });
  it('SiLU: what the composite gives (NaN where x·σ(x) is ∞·0), x and 1 for large x, ½ slope at 0', () => {
    const x = tensor([0, 30, -30, 1e20, -1e20, Infinity, -Infinity]);
    const g = tensor([1, 1, 1, 1, 1, 1, 1]);
    const got = evaluate(silu, 'wasm', x, g, false);
    const ref = evaluate(silu, 'ts', x, g, false);
    const same = (a: number, b: number, tol: number) => (Number.isFinite(b) ? Math.abs(a - b) <= tol * (1 + Math.abs(b)) : Object.is(a, b));
    got.y.forEach((v, i) => expect(same(v, ref.y[i]!, 1e-6), `y[${i}] = ${v} vs ${ref.y[i]}`).toBe(true));
    got.dx.forEach((v, i) => expect(same(v, ref.dx[i]!, 1e-6), `dx[${i}] = ${v} vs ${ref.dx[i]}`).toBe(true));
    expect([got.y[0], got.y[1], got.dx[0], got.dx[1], got.dx[3]]).toEqual([0, 30, 0.5, 1, 1]);
  });
});
