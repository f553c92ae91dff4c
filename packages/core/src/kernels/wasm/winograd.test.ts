// Winograd F(2×2, 3×3) convolution against the TypeScript kernel and a brute-force kernel transform.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, type Tensor, autogradGrad, conv2d, convTranspose2d, getKernelPreference, pad, randn, setKernelPreference } from '../../index.js';
import { winogradApplies } from './conv.js';
import { convWeightGradKernel } from '../cpu/conv.js';
import { WINOGRAD4_MIN_WIDTH, WINOGRAD_F2, WINOGRAD_F4, WINOGRAD_MIN_CHANNELS, type WinogradVariant, convWinogradWasm, convWinogradWeightGradWasm, winogradVariant, winogradWeightsGradientWasm, winogradWeightsWasm } from './winograd.js';

/** |got − want| ≤ tol·(1 + max|want|): the transforms' additions err relative to the largest terms. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `at ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + scale));
}

const attrs = (pads: number[]) => ({ strides: [1, 1], pads, dilations: [1, 1], group: 1 });

describe('Winograd F(2×2, 3×3) convolution', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  /** The TypeScript kernel's conv2d for the same operands. */
  function reference(x: Tensor, w: Tensor, pads: number[]) {
    setKernelPreference('ts');
    const padded = pads.some((p) => p !== pads[0]) ? pad(x, [pads[1]!, pads[3]!, pads[0]!, pads[2]!]) : x;
    const y = conv2d(padded, w, null, { padding: padded === x ? pads[0]! : 0 });
    setKernelPreference(saved);
    return y;
  }

  const variants: [string, WinogradVariant, number][] = [
    // name, variant, tolerance relative to the largest output (F(4×4, 3×3)'s constants up to 8 and 1/24 cost digits)
    ['F(2×2, 3×3)', WINOGRAD_F2, 2e-6],
    ['F(4×4, 3×3)', WINOGRAD_F4, 2e-5],
  ];

  it.each(variants)('%s transforms each kernel as G g Gᵀ, laid out in blocks of four output channels (also flipped, for a ConvTranspose)', (_, variant) => {
    const G = variant.G;
    const n = G.length;
    const [O, C] = [8, 3];
    const g = new Generator(3);
    const w = Float32Array.from({ length: O * C * 9 }, () => g.random() * 2 - 1);
    const u = winogradWeightsWasm(w, O, C, variant)!;
    // the same kernels as a ConvTranspose weight (C, O, 3, 3) with the taps reversed
    const wt = new Float32Array(w.length);
    for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let t = 0; t < 9; t++) wt[(c * O + o) * 9 + 8 - t] = w[(o * C + c) * 9 + t]!;
    const uFlipped = winogradWeightsWasm(wt, O, C, variant, true)!;
    for (let o = 0; o < O; o++) {
      for (let c = 0; c < C; c++) {
        for (let a = 0; a < n; a++) {
          for (let b = 0; b < n; b++) {
            let want = 0; // Σ G[a][r] g[r][s] G[b][s]
            for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) want += G[a]![r]! * w[(o * C + c) * 9 + r * 3 + s]! * G[b]![s]!;
            const at = (((n * a + b) * (O / 4) + (o >> 2)) * C + c) * 4 + (o & 3);
            expect(u[at]).toBeCloseTo(want, 5);
            expect(uFlipped[at]).toBe(u[at]);
          }
        }
      }
    }
  });

  it.each(variants)('%s equals the TypeScript kernel for odd and even sizes down to 3×3, pads 0–2 (also uneven) and 8–40 channels', (_, variant, tol) => {
    const g = new Generator(31);
    const cases: [number, number, number, number, number, number[]][] = [
      // N, C, O, H, W, pads (top, left, bottom, right)
      [2, 16, 16, 28, 28, [1, 1, 1, 1]],
      [3, 32, 32, 14, 14, [1, 1, 1, 1]],
      [2, 32, 32, 7, 7, [1, 1, 1, 1]],
      [1, 8, 4, 3, 3, [0, 0, 0, 0]],
      [2, 9, 12, 5, 13, [2, 2, 2, 2]],
      [1, 40, 8, 11, 6, [0, 1, 2, 1]],
      [2, 12, 4, 1, 1, [1, 1, 1, 1]],
      [1, 24, 16, 9, 30, [2, 0, 1, 2]],
    ];
    for (const [N, C, O, H, W, pads] of cases) {
      const x = randn([N, C, H, W], { generator: g });
      const w = randn([O, C, 3, 3], { generator: g });
      const got = convWinogradWasm(x, w, attrs(pads), variant)!;
      const want = reference(x, w, pads);
      expect(got.shape, `${[N, C, O, H, W]} pads ${pads}`).toEqual(want.shape);
      expectClose(got.storage, want.storage, tol);
    }
  });

  it.each(variants)('%s equals the TypeScript kernel on random shapes (property)', (_, variant, tol) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 999 }),
        (N, C, O4, H, W, p, seed) => {
          if (H + 2 * p < 3 || W + 2 * p < 3) return;
          const g = new Generator(seed);
          const x = randn([N, C, H, W], { generator: g });
          const w = randn([4 * O4, C, 3, 3], { generator: g });
          const got = convWinogradWasm(x, w, attrs([p, p, p, p]), variant)!;
          expectClose(got.storage, reference(x, w, [p, p, p, p]).storage, tol);
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each(variants)('%s maps Winograd-domain gradients back as Gᵀ ∂U G (the adjoint of the kernel transform), adding the threads\' partial sums', (_, variant) => {
    const G = variant.G;
    const n = G.length;
    const [O, C, parts] = [8, 3, 3];
    const g = new Generator(4);
    const size = n * n * C * O;
    const acc = Float32Array.from({ length: parts * size }, () => g.random() * 2 - 1);
    const dw = winogradWeightsGradientWasm(acc, parts, O, C, variant)!;
    const dU = (i: number) => acc[i]! + acc[size + i]! + acc[2 * size + i]!;
    for (let o = 0; o < O; o++) {
      for (let c = 0; c < C; c++) {
        for (let r = 0; r < 3; r++) {
          for (let s = 0; s < 3; s++) {
            let want = 0; // Σ G[a][r] ∂U[a][b] G[b][s]
            for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) want += G[a]![r]! * dU(((n * a + b) * C + c) * O + o) * G[b]![s]!;
            expect(dw[(o * C + c) * 9 + r * 3 + s]).toBeCloseTo(want, 5);
          }
        }
      }
    }
  });

  it.each(variants)('%s computes the weight gradient as the TypeScript kernel does, for odd sizes, uneven pads and odd channel counts (property)', (_, variant, tol) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 17 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 999 }),
        (N, C, O4, H, W, pads, seed) => {
          const [pt, pl, pb, pr] = pads as [number, number, number, number];
          const Oh = H + pt + pb - 2;
          const Ow = W + pl + pr - 2;
          if (Oh < 1 || Ow < 1) return;
          const g = new Generator(seed);
          const x = randn([N, C, H, W], { generator: g });
          const gy = randn([N, 4 * O4, Oh, Ow], { generator: g });
          const a = attrs(pads);
          const got = convWinogradWeightGradWasm(x, gy, a, variant)!;
          const want = convWeightGradKernel(x.storage, x.shape, gy.storage, gy.shape, [3, 3], a, 'float32');
          // a sum over N·Oh·Ow products: error relative to √(terms) × the largest |x·gy|
          expectClose(got, want, tol * Math.sqrt(N * Oh * Ow));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('runs conv2d and convTranspose2d (3×3, stride 1) with the gradients of the TypeScript kernels', () => {
    const grads = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const g = new Generator(32);
      const x = randn([3, 16, 10, 9], { generator: g }).requiresGrad_(); // F(2×2, 3×3)
      const x4 = randn([2, 16, 9, 17], { generator: g }).requiresGrad_(); // F(4×4, 3×3) (17 wide)
      const w = randn([8, 16, 3, 3], { generator: g }).requiresGrad_();
      const wt = randn([8, 16, 3, 3], { generator: g }).requiresGrad_(); // convTranspose: (C = 8, O = 16, 3, 3)
      const y = conv2d(x, w, null, { padding: 1 });
      const z = convTranspose2d(y, wt, null, { padding: 1 });
      const z4 = convTranspose2d(conv2d(x4, w, null, { padding: 1 }), wt, null, { padding: 1 });
      const r = randn(z.shape, { generator: g });
      const r4 = randn(z4.shape, { generator: g });
      return [y.storage, z.storage, z4.storage, ...autogradGrad([z.mul(r).sum().add(z4.mul(r4).sum())], [x, x4, w, wt]).map((t) => t!.storage)];
    };
    const got = grads('wasm');
    const want = grads('ts');
    for (let i = 0; i < want.length; i++) expectClose(got[i]!, want[i]!, 2e-5);
  });

  it(`is chosen for 3×3 kernels with at least ${WINOGRAD_MIN_CHANNELS} input channels where the direct kernel applies`, () => {
    const x = (c: number) => ({ storage: new Float32Array(0), shape: [1, c, 7, 7], dtype: 'float32' as const });
    const w = (o: number, c: number, k: number) => ({ storage: new Float32Array(0), shape: [o, c, k, k], dtype: 'float32' as const });
    const a = attrs([1, 1, 1, 1]);
    expect(winogradApplies(x(16), w(16, 16, 3), a)).toBe(true);
    expect(winogradApplies(x(4), w(16, 4, 3), a)).toBe(false);
    expect(winogradApplies(x(16), w(16, 16, 5), a)).toBe(false);
    expect(winogradApplies(x(16), w(6, 16, 3), a)).toBe(false);
    expect(winogradApplies(x(16), w(16, 16, 3), { ...a, strides: [2, 2] })).toBe(false);
    expect(winogradApplies(x(16), w(16, 16, 3), { ...a, dilations: [2, 2] })).toBe(false);
    expect(winogradVariant(WINOGRAD4_MIN_WIDTH - 1)).toBe(WINOGRAD_F2);
    expect(winogradVariant(WINOGRAD4_MIN_WIDTH)).toBe(WINOGRAD_F4);
  });
});
