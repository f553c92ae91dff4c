// Fused linear (GEMM with a transposed-weight flag, bias in place) against matmul(x, Wᵀ) + b.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, type LinearActivation, autogradGrad, getKernelPreference, linear, randn, relu, setKernelPreference, silu, tensor, trace } from '../../index.js';
import type { Tensor } from '../../tensor.js';
import { splitEveryKernelForTests } from './threads.js';

/** y and the gradients of Σ r·y for the inputs that require one (x and b may not, as a first layer's input or a frozen bias). */
function run(
  xShape: number[], N: number, withBias: boolean, seed: number, pref: 'ts' | 'wasm', createGraph = false, xGrad = true, bGrad = true,
  activation: LinearActivation | null = null,
) {
  setKernelPreference(pref);
  const g = new Generator(seed);
  const K = xShape[xShape.length - 1]!;
  const x = randn(xShape, { generator: g });
  if (xGrad) x.requiresGrad_();
  const w = randn([N, K], { generator: g }).requiresGrad_();
  const b = withBias ? randn([N], { generator: g }) : null;
  if (b && bGrad) b.requiresGrad_();
  // the fused activation on the wasm side, the composite act(linear(…)) as the reference
  const y = pref === 'wasm' ? linear(x, w, b, { activation }) : activation === 'silu' ? silu(linear(x, w, b)) : activation === 'relu' ? relu(linear(x, w, b)) : linear(x, w, b);
  const r = randn(y.shape, { generator: g });
  const inputs = [x, w, ...(b ? [b] : [])].filter((t) => t.requiresGrad);
  const grads = autogradGrad([y.mul(r).sum()], inputs, { createGraph });
  return [y, ...grads].map((t) => t!.storage);
}

/** Largest deviation of `got` from `want`, relative to want's largest magnitude (at least 1). */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1;
  let err = 0;
  for (let j = 0; j < want.length; j++) scale = Math.max(scale, Math.abs(want[j]!));
  for (let j = 0; j < want.length; j++) err = Math.max(err, Math.abs(got[j]! - want[j]!));
  return err / scale;
}

describe('fused linear', () => {
  const saved = getKernelPreference();
  afterEach(() => {
    setKernelPreference(saved);
    splitEveryKernelForTests(false);
  });
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
  it("with activation 'silu' or 'relu' matches act(linear(…)) in value and gradients on random odd shapes (float32, rel. 1e-5)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 33 }), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), fc.boolean(), fc.boolean(),
        fc.constantFrom('silu' as const, 'relu' as const),
        (M, K, N, withBias, seed, xGrad, bGrad, activation) => {
          const fused = run([M, K], N, withBias, seed, 'wasm', false, xGrad, bGrad, activation);
          const ref = run([M, K], N, withBias, seed, 'ts', false, xGrad, bGrad, activation);
          expect(fused.length).toBe(ref.length);
          fused.forEach((f, i) => expect(relativeError(f, ref[i]!)).toBeLessThanOrEqual(1e-5 * Math.sqrt(M + K + N)));
        },
      ),
      { numRuns: 60 },
    );
  });
  it('split over threads by row chunks (and by columns for few rows), with SiLU, ReLU or no activation, equals the composite', () => {
    // 300 rows: more than one 256-deep block of x packed for dW; 37 inputs and 20 outputs: edge panels and tails
    splitEveryKernelForTests(true);
    for (const [M, K, N] of [[300, 37, 20], [5, 64, 200]] as const) {
      for (const activation of ['silu', 'relu', null] as const) {
        const fused = run([M, K], N, true, 3, 'wasm', false, true, true, activation);
        const ref = run([M, K], N, true, 3, 'ts', false, true, true, activation);
        fused.forEach((f, i) => expect(relativeError(f, ref[i]!), `${M}×${K}→${N} ${activation} output ${i}`).toBeLessThanOrEqual(2e-5));
      }
    }
  });
  it("with activation 'silu' and createGraph, second derivatives agree with the composite", () => {
    const second = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const g = new Generator(4);
      const x = randn([6, 9], { generator: g }).requiresGrad_();
      const w = randn([11, 9], { generator: g }).requiresGrad_();
      const b = randn([11], { generator: g }).requiresGrad_();
      const y = pref === 'wasm' ? linear(x, w, b, { activation: 'silu' }) : silu(linear(x, w, b));
      const [gx] = autogradGrad([y.square().sum()], [x], { createGraph: true });
      const [gw, gb] = autogradGrad([gx!.square().sum()], [w, b]);
      return [...gw!.storage, ...gb!.storage];
    };
    const a = second('wasm');
    const b = second('ts');
    expect(relativeError(a, b)).toBeLessThan(1e-5);
  });
  it("with activation 'relu' keeps NaN and passes no gradient where the output is 0, as relu", () => {
    setKernelPreference('wasm');
    const x = tensor([[1, 2, 3]], { dtype: 'float32' });
    const w = tensor([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], { dtype: 'float32' }).requiresGrad_();
    const b = tensor([Number.NaN, -2, 3, 0.5], { dtype: 'float32' }).requiresGrad_();
    const y = linear(x, w, b, { activation: 'relu' }); // z = b
    expect(Array.from(y.storage)).toEqual([Number.NaN, 0, 3, 0.5]);
    const [gb] = autogradGrad([y.mul(tensor([[1, 1, 1, 1]], { dtype: 'float32' })).sum()], [b]);
    expect(Array.from(gb!.storage).slice(1)).toEqual([0, 1, 1]);
  });
  it('rejects an unknown activation', () => {
    expect(() => linear(randn([2, 3]), randn([4, 3]), null, { activation: 'gelu' as LinearActivation })).toThrow(/linear: activation must be 'silu', 'relu' or null, found 'gelu'/);
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
