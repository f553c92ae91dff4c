import { afterEach, describe, expect, it } from 'vitest';
import { Generator, exp, getKernelPreference, randn, setKernelPreference, tensor } from '../../index.js';
import { expWasm } from './elementwise.js';

/** Distance in float32 ulps between two float32 values of the same sign (subnormals included). */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0]! - i[1]!);
}

describe('wasm SIMD exp (float32)', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  it('is within 2 ulp of the correctly rounded exp on random inputs over the whole range', () => {
    const g = new Generator(1);
    // Lengths that are not multiples of 4 exercise the scalar tail.
    const x = Float32Array.from({ length: 40_003 }, () => (g.random() * 2 - 1) * 104);
    const y = expWasm(x)!;
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, ulps(y[i]!, Math.fround(Math.exp(x[i]!))));
    expect(worst).toBeLessThanOrEqual(2);
  });
  it('near zero, at the overflow and underflow edges, into subnormals, and at ±inf and NaN', () => {
    const xs = [0, -0, 1e-30, -1e-30, 1e-7, 1, -1, 0.5, 88.7, 88.72, 88.73, 89, 100, -87.3, -87.4, -90, -100, -103.2, -103.9, -104, -200, Infinity, -Infinity, NaN];
    const y = expWasm(Float32Array.from(xs))!;
    xs.forEach((x, i) => {
      const want = Math.fround(Math.exp(Math.fround(x)));
      if (Number.isNaN(want)) expect(y[i]).toBeNaN();
      else if (!Number.isFinite(want) || want === 0) expect(y[i]).toBe(want);
      else expect(ulps(y[i]!, want), `exp(${x}) = ${y[i]}, want ${want}`).toBeLessThanOrEqual(2);
    });
  });
  it('the Exp primitive selects wasm for large float32 tensors, ts otherwise; float64 stays exact', () => {
    const x = randn([3, 1001], { generator: new Generator(2) });
    setKernelPreference('ts');
    const ref = exp(x).storage;
    setKernelPreference('auto');
    const got = exp(x).storage;
    for (let i = 0; i < ref.length; i++) expect(ulps(got[i]!, ref[i]!)).toBeLessThanOrEqual(2);
    const d = tensor([0.5, -3], { dtype: 'float64' });
    expect(Array.from(exp(d).storage)).toEqual([Math.exp(0.5), Math.exp(-3)]);
  });
});
