// MatMul's direct backward (GEMMs with transpose flags) against the tensor-op rule, which
// autograd runs when a graph of the backward is built (createGraph).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, autogradGrad, getKernelPreference, matmul, randn, setKernelPreference } from '../../index.js';

const d = fc.integer({ min: 1, max: 37 });
const batch = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 });

function grads(aShape: number[], bShape: number[], createGraph: boolean, seed: number) {
  const g = new Generator(seed);
  const a = randn(aShape, { generator: g }).requiresGrad_();
  const b = randn(bShape, { generator: g }).requiresGrad_();
  const y = matmul(a, b);
  const w = randn(y.shape, { generator: g });
  return autogradGrad([y.mul(w).sum()], [a, b], { createGraph }).map((t) => t!.storage);
}

describe('MatMul backward straight from the GEMM kernels', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));
  for (const pref of ['ts', 'wasm'] as const) {
    it(`equals the tensor-op rule for bmm and x·W on random odd shapes (${pref} kernels, float32, rel. 1e-5)`, () => {
      setKernelPreference(pref);
      fc.assert(
        fc.property(batch, d, d, d, fc.boolean(), fc.integer({ min: 1, max: 1e6 }), (bs, M, K, N, shared, seed) => {
          const aShape = [...bs, M, K];
          const bShape = shared ? [K, N] : [...bs, K, N];
          const fast = grads(aShape, bShape, false, seed);
          const ref = grads(aShape, bShape, true, seed);
          fast.forEach((f, i) => {
            const r = ref[i]!;
            let scale = 1;
            for (let j = 0; j < r.length; j++) scale = Math.max(scale, Math.abs(r[j]!));
            for (let j = 0; j < r.length; j++) expect(Math.abs(f[j]! - r[j]!)).toBeLessThanOrEqual(1e-5 * scale * Math.sqrt(K + M + N));
          });
        }),
        { numRuns: 40 },
      );
    });
  }
  it('gives the gradient of b alone when a needs none', () => {
    const g = new Generator(3);
    const a = randn([4, 5], { generator: g });
    const b = randn([5, 6], { generator: g }).requiresGrad_();
    const [gb] = autogradGrad([matmul(a, b).sum()], [b]);
    // d(sum(a·b))/db[k, n] = Σ_m a[m, k]
    const A = a.storage;
    for (let k = 0; k < 5; k++) {
      let s = 0;
      for (let m = 0; m < 4; m++) s += A[m * 5 + k]!;
      for (let n = 0; n < 6; n++) expect(gb!.storage[k * 6 + n]).toBeCloseTo(s, 5);
    }
  });
});
