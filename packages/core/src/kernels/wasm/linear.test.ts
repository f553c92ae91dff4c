// Fused linear (GEMM with a transposed-weight flag, bias in place) against matmul(x, Wᵀ) + b.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, autogradGrad, getKernelPreference, linear, randn, setKernelPreference, trace } from '../../index.js';
import type { Tensor } from '../../tensor.js';

/** y and the gradients of Σ r·y for the inputs that require one (x and b may not, as a first layer's input or a frozen bias). */
function run(xShape: number[], N: number, withBias: boolean, seed: number, pref: 'ts' | 'wasm', createGraph = false, xGrad = true, bGrad = true) {
  setKernelPreference(pref);
  const g = new Generator(seed);
  const K = xShape[xShape.length - 1]!;
  const x = randn(xShape, { generator: g });
  if (xGrad) x.requiresGrad_();
  const w = randn([N, K], { generator: g }).requiresGrad_();
  const b = withBias ? randn([N], { generator: g }) : null;
  if (b && bGrad) b.requiresGrad_();
  const y = linear(x, w, b);
  const r = randn(y.shape, { generator: g });
  const inputs = [x, w, ...(b ? [b] : [])].filter((t) => t.requiresGrad);
  const grads = autogradGrad([y.mul(r).sum()], inputs, { createGraph });
  return [y, ...grads].map((t) => t!.storage);
}

describe('fused linear', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));
  it('matches matmul(x, Wᵀ) + b in value and gradients on random odd shapes, x and b with or without gradients (float32, rel. 1e-5)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 2 }), fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 33 }),
        fc.boolean(), fc.integer({ min: 1, max: 1e6 }), fc.boolean(), fc.boolean(),
        (lead, M, K, N, withBias, seed, xGrad, bGrad) => {
          const shape = [...lead, M, K];
          const fused = run(shape, N, withBias, seed, 'wasm', false, xGrad, bGrad);
          const ref = run(shape, N, withBias, seed, 'ts', false, xGrad, bGrad);
          expect(fused.length).toBe(ref.length);
          fused.forEach((f, i) => {
            const want = ref[i]!;
            let scale = 1;
            for (let j = 0; j < want.length; j++) scale = Math.max(scale, Math.abs(want[j]!));
            for (let j = 0; j < want.length; j++) expect(Math.abs(f[j]! - want[j]!)).toBeLessThanOrEqual(1e-5 * scale * Math.sqrt(M * (lead[0] ?? 1) + K + N));
          });
        },
      ),
      { numRuns: 40 },
    );
  });
  it('with createGraph the backward is built from tensor ops (second derivatives agree)', () => {
    const second = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const g = new Generator(9);
      const x = randn([3, 7, 9], { generator: g }).requiresGrad_();
      const w = randn([11, 9], { generator: g }).requiresGrad_();
      const [gx] = autogradGrad([linear(x, w).square().sum()], [x], { createGraph: true });
      const [gw] = autogradGrad([gx!.square().sum()], [w]);
      return gw!.storage;
    };
    const a = second('wasm');
    const b = second('ts');
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 2);
  });
  it('records MatMul of the transposed weight and Add under trace; checks shapes', () => {
    setKernelPreference('wasm');
    const w = randn([4, 3]);
    const { graph } = trace((t: Tensor) => linear(t, w, randn([4])), [randn([2, 3])]);
    expect(graph.nodes.map((n) => n.op)).toEqual(['Transpose', 'MatMul', 'Add']);
    expect(() => linear(randn([2, 5]), w)).toThrow(/linear: x must have last dim 3 \(weight \[4, 3\]\), found shape \[2, 5\]/);
  });
});
