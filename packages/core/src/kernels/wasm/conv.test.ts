// Conv and ConvTranspose with wasm GEMMs against the TypeScript kernels, values and gradients.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, type Tensor, autogradGrad, conv2d, convTranspose2d, getKernelPreference, randn, setKernelPreference } from '../../index.js';
import { convDirectWasm, directConvApplies, unitStrideTransposeAsConv } from './conv.js';

/**
 * |got − want| ≤ tol·(1 + max|want|) elementwise: float32 sums of up to a few hundred products
 * (the weight gradient's reduction runs over images × positions) err relative to the largest
 * terms, not to each (possibly cancelling) result.
 */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `at ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + scale));
}

interface Case {
  N: number;
  C: number;
  O: number;
  H: number;
  W: number;
  k: number;
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
  seed: number;
}

/**
 * y and the gradients of Σ y·r with respect to x and w, on the given kernels; with createGraph
 * the weight gradient comes from the tensor-op rule (a conv), otherwise from im2col + GEMM.
 */
function run(c: Case, transpose: boolean, pref: 'ts' | 'wasm', createGraph = false) {
  setKernelPreference(pref);
  const g = new Generator(c.seed);
  const x = randn([c.N, c.C * c.groups, c.H, c.W], { generator: g }).requiresGrad_();
  const wShape = transpose ? [c.C * c.groups, c.O, c.k, c.k] : [c.O * c.groups, c.C, c.k, c.k];
  const w = randn(wShape, { generator: g }).requiresGrad_();
  const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
  const y = transpose ? convTranspose2d(x, w, null, opts) : conv2d(x, w, null, opts);
  const r = randn(y.shape, { generator: g });
  const [dx, dw] = autogradGrad([y.mul(r).sum()], [x, w], { createGraph });
  return [y.storage, dx!.storage, dw!.storage];
}

/** The float64 weight gradient of Σ y·r, by the direct kernel or (createGraph) the tensor-op rule. */
function run64(c: Case, transpose: boolean, createGraph: boolean): ArrayLike<number> {
  const g = new Generator(c.seed);
  const x = randn([c.N, c.C * c.groups, c.H, c.W], { generator: g, dtype: 'float64' }).requiresGrad_();
  const wShape = transpose ? [c.C * c.groups, c.O, c.k, c.k] : [c.O * c.groups, c.C, c.k, c.k];
  const w = randn(wShape, { generator: g, dtype: 'float64' }).requiresGrad_();
  const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
  const y = transpose ? convTranspose2d(x, w, null, opts) : conv2d(x, w, null, opts);
  const r = randn(y.shape, { generator: g, dtype: 'float64' });
  return autogradGrad([y.mul(r).sum()], [w], { createGraph })[0]!.storage;
}

const cases = fc.record({
  N: fc.integer({ min: 1, max: 3 }),
  C: fc.integer({ min: 1, max: 5 }),
  O: fc.integer({ min: 1, max: 6 }),
  H: fc.integer({ min: 5, max: 13 }),
  W: fc.integer({ min: 5, max: 11 }),
  k: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }),
  padding: fc.integer({ min: 0, max: 1 }),
  dilation: fc.integer({ min: 1, max: 2 }),
  groups: fc.integer({ min: 1, max: 2 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

describe('conv2d and convTranspose2d on wasm GEMMs', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  it('conv2d equals the TypeScript kernels in value and gradients (odd sizes, strides, padding, dilation, groups), tol 1e-5 of the largest value', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const got = run(c, false, 'wasm');
        const want = run(c, false, 'ts');
        for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, 1e-5);
      }),
      { numRuns: 40, seed: 20261125 },
    );
  });

  it('the weight gradient from im2col + GEMM equals the conv-shaped tensor-op rule, float64 to 1e-12', () => {
    fc.assert(
      fc.property(cases, fc.boolean(), (c, transpose) => {
        const cc = { ...c, padding: Math.min(c.padding, c.k - 1) };
        setKernelPreference('ts');
        const direct = run64(cc, transpose, false);
        const rule = run64(cc, transpose, true);
        expectClose(direct, rule, 1e-12);
      }),
      { numRuns: 40, seed: 20261125 },
    );
  });

  it('convTranspose2d equals the TypeScript kernels in value and gradients, tol 1e-5 of the largest value', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const got = run({ ...c, padding: Math.min(c.padding, c.k - 1) }, true, 'wasm');
        const want = run({ ...c, padding: Math.min(c.padding, c.k - 1) }, true, 'ts');
        for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, 1e-5);
      }),
      { numRuns: 40, seed: 20261125 },
    );
  });

  it('equal the TypeScript kernels with more channels and images than the property test, and for convTranspose2d with output padding', () => {
    const grads = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const g = new Generator(11);
      const x = randn([5, 24, 21, 19], { generator: g }).requiresGrad_();
      const w = randn([12, 24, 3, 3], { generator: g }).requiresGrad_();
      const xt = randn([2, 4, 9, 7], { generator: g }).requiresGrad_();
      const wt = randn([4, 3, 3, 3], { generator: g }).requiresGrad_();
      const y = conv2d(x, w, null, { padding: 1 });
      const yt = convTranspose2d(xt, wt, null, { stride: 2, padding: 1, outputPadding: 1 });
      expect(yt.shape).toEqual([2, 3, 18, 14]);
      const ry = randn(y.shape, { generator: g });
      const ryt = randn(yt.shape, { generator: g });
      const d = autogradGrad([y.mul(ry).sum().add(yt.mul(ryt).sum())], [x, w, xt, wt]);
      return [y.storage, yt.storage, ...d.map((t) => t!.storage)];
    };
    const got = grads('wasm');
    const want = grads('ts');
    for (let i = 0; i < 6; i++) expectClose(got[i]!, want[i]!, 1e-5);
  });
});

describe('the direct convolution (unit strides, no im2col)', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  /** The TypeScript kernel's result for the same conv. */
  function reference(x: Tensor, w: Tensor, padding: number) {
    setKernelPreference('ts');
    const y = conv2d(x, w, null, { padding });
    setKernelPreference('wasm');
    return y;
  }

  it('equals the TypeScript kernel for kernels 1×1 to 5×5, pads 0–2, widths not a multiple of 8 and channel counts 1–9', () => {
    const g = new Generator(21);
    const shapes: [number, number, number, number, number, number][] = [
      // N, C, O, H, W, k
      [3, 5, 8, 13, 11, 3],
      [2, 1, 4, 9, 17, 5],
      [4, 9, 12, 7, 7, 1],
      [1, 3, 4, 6, 23, 3],
      [2, 16, 16, 28, 28, 3],
    ];
    for (const [N, C, O, H, W, k] of shapes) {
      for (const padding of [0, 1, 2]) {
        if (H + 2 * padding < k || W + 2 * padding < k) continue;
        const x = randn([N, C, H, W], { generator: g });
        const w = randn([O, C, k, k], { generator: g });
        const attrs = { strides: [1, 1], pads: [padding, padding, padding, padding], dilations: [1, 1], group: 1 };
        const got = convDirectWasm(x, w, attrs)!;
        const want = reference(x, w, padding);
        expect(got.shape).toEqual(want.shape);
        expectClose(got.storage, want.storage, 1e-5);
      }
    }
  });
  it('runs a unit-stride convTranspose2d as a conv with the kernel flipped, values and gradients as the TypeScript kernels', () => {
    const grads = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const g = new Generator(22);
      const x = randn([3, 8, 6, 5], { generator: g }).requiresGrad_();
      const w = randn([8, 4, 3, 3], { generator: g }).requiresGrad_(); // (C, O, k, k): O = 4
      const y = convTranspose2d(x, w, null, { padding: 1 });
      const r = randn(y.shape, { generator: g });
      return [y.storage, ...autogradGrad([y.mul(r).sum()], [x, w]).map((t) => t!.storage)];
    };
    const got = grads('wasm');
    const want = grads('ts');
    for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, 1e-5);
    const flipped = unitStrideTransposeAsConv({ storage: Float32Array.from({ length: 8 }, (_, i) => i), shape: [2, 1, 2, 2], dtype: 'float32' }, { strides: [1, 1], pads: [0, 1, 0, 1], dilations: [1, 1], group: 1, outputPadding: [0, 0] })!;
    expect(Array.from(flipped.w.storage)).toEqual([3, 2, 1, 0, 7, 6, 5, 4]); // taps reversed, (C=2, O=1) → (O=1, C=2)
    expect(flipped.attrs.pads).toEqual([1, 0, 1, 0]);
    expect(unitStrideTransposeAsConv({ storage: new Float32Array(8), shape: [2, 1, 2, 2], dtype: 'float32' }, { strides: [2, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, outputPadding: [0, 0] })).toBeNull();
  });
  it('is chosen for 2-D, one group, unit strides and dilations, output channels in fours', () => {
    const x = { storage: new Float32Array(0), shape: [1, 3, 7, 7], dtype: 'float32' as const };
    const w = (o: number) => ({ storage: new Float32Array(0), shape: [o, 3, 3, 3], dtype: 'float32' as const });
    const attrs = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 };
    expect(directConvApplies(x, w(8), attrs)).toBe(true);
    expect(directConvApplies(x, w(6), attrs)).toBe(false);
    expect(directConvApplies(x, w(8), { ...attrs, strides: [2, 2] })).toBe(false);
    expect(directConvApplies(x, w(8), { ...attrs, dilations: [1, 2] })).toBe(false);
    expect(directConvApplies(x, w(8), { ...attrs, group: 3 })).toBe(false);
    expect(directConvApplies({ ...x, shape: [1, 3, 28, 28] }, w(8), attrs)).toBe(true);
  });
});
