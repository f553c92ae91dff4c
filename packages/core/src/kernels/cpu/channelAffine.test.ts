// The fused per-channel affine (groupNorm's affine, conv's bias) against the broadcast composite.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, autogradGrad, conv2d, convTranspose2d, randn } from '../../index.js';
import { fusedChannelAffine } from './channelAffine.js';

/** x·w + b with w, b broadcast over channels (dim 1): the composite the fused loop replaces. */
function composite(x: Tensor, w: Tensor | null, b: Tensor | null): Tensor {
  const shape = [1, x.shape[1]!, ...new Array<number>(x.ndim - 2).fill(1)];
  let y = x;
  if (w) y = y.mul(w.reshape(shape));
  if (b) y = y.add(b.reshape(shape));
  return y;
}

function expectClose(got: Tensor, want: Tensor, tol: number): void {
  expect(got.shape).toEqual(want.shape);
  for (let i = 0; i < want.storage.length; i++) expect(Math.abs(got.storage[i]! - want.storage[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(want.storage[i]!)));
}

describe('fused channel affine', () => {
  it('equals the composite in value and in the gradients of x, w and b (float64 to 1e-12; w or b alone; 2-D to 4-D inputs)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
        fc.constantFrom('both', 'weight', 'bias'),
        fc.integer({ min: 0, max: 1e6 }),
        (shape, which, seed) => {
          const g = new Generator(seed);
          const C = shape[1]!;
          const x = randn(shape, { generator: g, dtype: 'float64' }).requiresGrad_();
          const w = which !== 'bias' ? randn([C], { generator: g, dtype: 'float64' }).requiresGrad_() : null;
          const b = which !== 'weight' ? randn([C], { generator: g, dtype: 'float64' }).requiresGrad_() : null;
          const r = randn(shape, { generator: g, dtype: 'float64' });
          const leaves = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
          const fused = fusedChannelAffine(x, w, b)!;
          const want = composite(x, w, b);
          expectClose(fused, want, 1e-12);
          const gotGrads = autogradGrad([fused.mul(r).sum()], leaves);
          const wantGrads = autogradGrad([want.mul(r).sum()], leaves);
          for (let i = 0; i < leaves.length; i++) expectClose(gotGrads[i]!, wantGrads[i]!, 1e-12);
        },
      ),
      { numRuns: 60, seed: 20261206 },
    );
  });

  it('builds a differentiable backward under createGraph (second derivative of Σ (x·w + b)² in w is 2 Σ x² per channel)', () => {
    const g = new Generator(3);
    const x = randn([3, 2, 4], { generator: g, dtype: 'float64' });
    const w = randn([2], { generator: g, dtype: 'float64' }).requiresGrad_();
    const b = randn([2], { generator: g, dtype: 'float64' }).requiresGrad_();
    const y = fusedChannelAffine(x, w, b)!;
    const [dw] = autogradGrad([y.square().sum()], [w], { createGraph: true });
    const [d2] = autogradGrad([dw!.sum()], [w]); // Σ_c ∂(dw_c)/∂w = 2 Σ x² over each channel
    const xs = x.storage;
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let n = 0; n < 3; n++) for (let p = 0; p < 4; p++) s += xs[(n * 2 + c) * 4 + p]! ** 2;
      expect(d2!.storage[c]).toBeCloseTo(2 * s, 10);
    }
  });

  it('leaves mixed dtypes and non-float inputs to the composite', () => {
    const x = randn([2, 3, 4], { generator: new Generator(1) });
    expect(fusedChannelAffine(x, randn([3], { dtype: 'float64' }), null)).toBeNull();
    expect(fusedChannelAffine(x, null, null)).toBeNull();
  });

  it('conv2d and convTranspose2d with a bias (added in place) equal the conv plus a broadcast bias, values and gradients', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const g = new Generator(9);
      const x = randn([2, 3, 6, 5], { generator: g, dtype }).requiresGrad_();
      const w = randn([4, 3, 3, 3], { generator: g, dtype }).requiresGrad_();
      const wt = randn([3, 4, 2, 2], { generator: g, dtype }).requiresGrad_();
      const b = randn([4], { generator: g, dtype }).requiresGrad_();
      const leaves = [x, w, wt, b];
      const withBias = conv2d(x, w, b, { padding: 1 }).add(convTranspose2d(x, wt, b, { stride: 1, padding: 1 }).mean());
      const plain = composite(conv2d(x, w, null, { padding: 1 }), null, b).add(composite(convTranspose2d(x, wt, null, { stride: 1, padding: 1 }), null, b).mean());
      const tol = dtype === 'float32' ? 1e-5 : 1e-12;
      expectClose(withBias, plain, tol);
      const r = randn(plain.shape, { generator: g, dtype });
      const got = autogradGrad([withBias.mul(r).sum()], leaves);
      const want = autogradGrad([plain.mul(r).sum()], leaves);
      for (let i = 0; i < leaves.length; i++) expectClose(got[i]!, want[i]!, tol);
    }
  });
});
