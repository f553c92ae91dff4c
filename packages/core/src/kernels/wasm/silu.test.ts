import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, type Tensor, autogradGrad, cast, getKernelPreference, randn, setKernelPreference, silu, tensor } from '../../index.js';

const saved = getKernelPreference();
afterEach(() => setKernelPreference(saved));

function evaluate(pref: 'ts' | 'wasm', x0: Tensor, g: Tensor, secondOrder: boolean) {
  setKernelPreference(pref);
  const x = x0.detach();
  x.requiresGrad = true;
  const y = silu(x);
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

// Reference: the composite x·sigmoid(x) in float64. Tolerance for the fused float32 kernel:
// 2e-6 absolute + 1e-5 relative for values and gradients, 1e-5 + 1e-4 for second derivatives.
describe('fused wasm SiLU equals the composite', () => {
  it('values, wasm backward and (createGraph) tensor-op backward with second derivatives, odd sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 203 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (n, second, seed) => {
        const gen = new Generator(seed);
        const x = randn([n], { generator: gen }).mul(6);
        const g = randn([n], { generator: gen });
        const ref = evaluate('ts', cast(x, 'float64'), cast(g, 'float64'), second);
        const got = evaluate('wasm', x, g, second);
        expectNear(got.y, ref.y, 2e-6, 1e-5, 'value');
        expectNear(got.dx, ref.dx, 2e-6, 1e-5, 'grad');
        if (second) expectNear(got.ddx!, ref.ddx!, 1e-5, 1e-4, 'second-order grad');
      }),
      { numRuns: 40, seed: 20261125 },
    );
  });
  it('at large |x|, zero and infinities it gives what the composite gives (NaN where x·σ(x) is ∞·0)', () => {
    const x = tensor([0, 30, -30, 1e20, -1e20, Infinity, -Infinity]);
    const g = tensor([1, 1, 1, 1, 1, 1, 1]);
    const got = evaluate('wasm', x, g, false);
    const ref = evaluate('ts', x, g, false);
    const same = (a: number, b: number, tol: number) => (Number.isFinite(b) ? Math.abs(a - b) <= tol * (1 + Math.abs(b)) : Object.is(a, b));
    got.y.forEach((v, i) => expect(same(v, ref.y[i]!, 1e-6), `y[${i}] = ${v} vs ${ref.y[i]}`).toBe(true));
    got.dx.forEach((v, i) => expect(same(v, ref.dx[i]!, 1e-6), `dx[${i}] = ${v} vs ${ref.dx[i]}`).toBe(true));
    expect([got.y[0], got.y[1], got.dx[0], got.dx[1], got.dx[3]]).toEqual([0, 30, 0.5, 1, 1]);
  });
});
