// Fused causal attention (wasm) against the composite it replaces, on random odd shapes.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, autogradGrad, causalAttentionPacked, getKernelPreference, randn, setKernelPreference, trace } from '../../index.js';
import type { Tensor } from '../../tensor.js';

function run(shape: [number, number, number], H: number, seed: number, pref: 'ts' | 'wasm', scale?: number) {
  setKernelPreference(pref);
  const g = new Generator(seed);
  const qkv = randn(shape, { generator: g }).requiresGrad_();
  const y = causalAttentionPacked(qkv, H, scale === undefined ? {} : { scale });
  const w = randn(y.shape, { generator: g });
  const [dq] = autogradGrad([y.mul(w).sum()], [qkv]);
  return { y: y.storage, dq: dq!.storage };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `at ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!)));
}

describe('fused causal attention on packed qkv', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));
  // head sizes: odd ones (the scalar path), multiples of 4 (four-row dots) and of 16 (16 columns in registers)
  const headDim = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(12, 16, 20, 32, 36));
  it('matches the composite (split, heads, masked softmax, merge) in value and gradient, float32, tol 1e-5', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 4 }), headDim, fc.integer({ min: 1, max: 1e6 }), (B, T, H, hd, seed) => {
        const shape: [number, number, number] = [B, T, 3 * H * hd];
        const fused = run(shape, H, seed, 'wasm');
        const ref = run(shape, H, seed, 'ts');
        expectClose(fused.y, ref.y, 1e-5);
        expectClose(fused.dq, ref.dq, 1e-5);
      }),
      { numRuns: 60 },
    );
  });
  it('a negative or large scale gives the composite\'s softmax (the row max is taken after scaling)', () => {
    for (const scale of [-0.7, 3]) {
      const fused = run([2, 11, 3 * 2 * 8], 2, 5, 'wasm', scale);
      const ref = run([2, 11, 3 * 2 * 8], 2, 5, 'ts', scale);
      expectClose(fused.y, ref.y, 1e-5);
      expectClose(fused.dq, ref.dq, 1e-5);
    }
  });
  it('second derivatives (createGraph) agree with the composite', () => {
    const second = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const qkv = randn([2, 5, 12], { generator: new Generator(4) }).requiresGrad_();
      const y = causalAttentionPacked(qkv, 2);
      const [g1] = autogradGrad([y.square().sum()], [qkv], { createGraph: true });
      const [g2] = autogradGrad([g1!.square().sum()], [qkv]);
      return g2!.storage;
    };
    expectClose(second('wasm'), second('ts'), 1e-4);
  });
  it('records the primitive chain under trace', () => {
    setKernelPreference('wasm');
    const x = randn([1, 4, 6], { generator: new Generator(5) });
    const { graph } = trace((t: Tensor) => causalAttentionPacked(t, 1), [x]);
    const ops = new Set(graph.nodes.map((n) => n.op));
    expect(ops.has('MatMul') && ops.has('Where')).toBe(true);
  });
  it('rejects a last dim that is not 3·nHead·headDim', () => {
    expect(() => causalAttentionPacked(randn([1, 2, 10]), 2)).toThrow(/qkv must be \[B, T, 3·C\] with C a multiple of nHead \(2\), found shape \[1, 2, 10\]/);
  });
});
