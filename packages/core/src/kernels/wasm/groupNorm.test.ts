// The fused GroupNorm (+ SiLU) wasm kernels against the composite (kernels forced to 'ts'),
// values, first and second derivatives.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { expectClose } from '@likelihood/test-utils';
import { Generator, type Tensor, autogradGrad, getKernelPreference, groupNorm, groupNormSilu, randn, setKernelPreference, silu } from '../../index.js';

const saved = getKernelPreference();
afterEach(() => setKernelPreference(saved));

interface Case {
  N: number;
  G: number;
  Cg: number;
  spatial: number[];
  affine: boolean;
  act: boolean;
  seed: number;
}

/** y and the gradients of Σ r·y with respect to x (and w, b), on the given kernels. */
function run(c: Case, pref: 'ts' | 'wasm'): Float32Array[] {
  setKernelPreference(pref);
  const g = new Generator(c.seed);
  const C = c.G * c.Cg;
  const x = randn([c.N, C, ...c.spatial], { generator: g }).mul(2).add(0.5).requiresGrad_();
  const w = c.affine ? randn([C], { generator: g }).requiresGrad_() : null;
  const b = c.affine ? randn([C], { generator: g }).requiresGrad_() : null;
  const y = c.act ? groupNormSilu(x, c.G, w, b) : groupNorm(x, c.G, w, b);
  if (pref === 'wasm') expect(y.gradFn?.op).toBe(c.act ? 'custom:groupNormSilu' : 'custom:groupNorm'); // the fused kernel ran
  const r = randn(y.shape, { generator: g });
  const leaves = [x, ...(w ? [w, b!] : [])];
  const grads = autogradGrad([y.mul(r).sum()], leaves);
  return [y, ...grads.map((t) => t!)].map((t) => t.storage as Float32Array);
}

const cases = fc.record({
  N: fc.integer({ min: 1, max: 3 }),
  G: fc.integer({ min: 1, max: 4 }),
  Cg: fc.integer({ min: 1, max: 5 }),
  spatial: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 2 }),
  affine: fc.boolean(),
  act: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('fused groupNorm and groupNormSilu (wasm)', () => {
  it('equal the composite in value and in the gradients of x, w and b (odd sizes, 0–2 spatial dims, with and without affine and SiLU)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const got = run(c, 'wasm');
        const want = run(c, 'ts');
        got.forEach((a, i) => expectClose(a, want[i]!, { rtol: 2e-4, atol: 2e-4, what: ['y', 'dx', 'dw', 'db'][i] }));
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });

  it('groupNormSilu is silu(groupNorm(…)); its createGraph backward gives the composite second derivative', () => {
    setKernelPreference('wasm');
    const g = new Generator(3);
    const x = randn([2, 6, 5, 7], { generator: g }).requiresGrad_();
    const w = randn([6], { generator: g }).requiresGrad_();
    const b = randn([6], { generator: g }).requiresGrad_();
    expectClose(groupNormSilu(x, 3, w, b), silu(groupNorm(x, 3, w, b)), { rtol: 1e-5, atol: 1e-5 });
    const second = (pref: 'ts' | 'wasm'): Tensor[] => {
      setKernelPreference(pref);
      const [dx] = autogradGrad([groupNormSilu(x, 3, w, b).square().sum()], [x], { createGraph: true });
      return autogradGrad([dx!.square().sum()], [x, w, b]) as Tensor[];
    };
    const got = second('wasm');
    const want = second('ts');
    got.forEach((t, i) => expectClose(t, want[i]!, { rtol: 1e-3, atol: 1e-3, what: `second derivative ${i}` }));
  });
});
