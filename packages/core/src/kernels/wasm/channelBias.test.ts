import { afterEach, describe, expect, it } from 'vitest';
import { Generator, conv2d, getKernelPreference, randn, setKernelPreference } from '../../index.js';
import { CHANNEL_BIAS_WASM_MIN_ELEMENTS, fusedConvBias, rowSumsWasm } from './channelBias.js';

describe('a conv bias in wasm (fusedConvBias)', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  /** conv2d with bias on inputs large enough for the wasm path; value and the three gradients. */
  function run(pref: 'ts' | 'auto') {
    setKernelPreference(pref);
    const g = new Generator(11);
    const x = randn([7, 5, 17, 19], { generator: g }).requiresGrad_();
    const w = randn([8, 5, 3, 3], { generator: g }).requiresGrad_();
    const b = randn([8], { generator: g }).requiresGrad_();
    const y = conv2d(x, w, b, { padding: 1 });
    const up = randn(y.shape, { generator: g });
    y.mul(up).sum().backward();
    return { y: y.storage, dx: x.grad!.storage, dw: w.grad!.storage, db: b.grad!.storage };
  }
  it('equals the TypeScript path: values and all three gradients to float32 rounding', () => {
    expect(7 * 8 * 17 * 19).toBeGreaterThanOrEqual(CHANNEL_BIAS_WASM_MIN_ELEMENTS);
    const ref = run('ts');
    const got = run('auto');
    const close = (a: ArrayLike<number>, e: ArrayLike<number>, tol: number) => {
      const scale = Math.max(...Array.from(e, Math.abs));
      for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThanOrEqual(tol * scale);
    };
    close(got.y, ref.y, 1e-5); // the conv kernels differ (wasm GEMM vs TypeScript); the bias add is exact
    close(got.dx, ref.dx, 1e-5);
    close(got.dw, ref.dw, 1e-5);
    close(got.db, ref.db, 1e-6);
  });
  it('adds b[c] to every position of channel c and sums rows in float64', () => {
    const g = new Generator(12);
    const y = randn([3, 4, 70, 80], { generator: g });
    const b = randn([4], { generator: g });
    const out = fusedConvBias(y, b)!.storage;
    const Y = y.storage;
    for (const i of [0, 5599, 5600, 33_333, Y.length - 1]) expect(out[i]).toBe(Math.fround(Y[i]! + b.storage[Math.floor(i / 5600) % 4]!));
    const sums = rowSumsWasm(Y as Float32Array, 5600)!;
    let want = 0;
    for (let i = 5600; i < 11_200; i++) want += Y[i]!;
    expect(sums[1]).toBeCloseTo(want, 9);
  });
});
