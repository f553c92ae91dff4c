import { afterEach, describe, expect, it } from 'vitest';
import { Generator, add, cos, exp, getKernelPreference, mul, randn, setKernelPreference, sin, sub, tensor } from '../../index.js';
import { unaryWasm } from './unary.js';
import { BINARY_WASM_MIN_ELEMENTS, binaryWasm, expWasm, rowScalarBroadcast } from './elementwise.js';

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

describe('wasm SIMD add, subtract and multiply of same-shape float32 tensors', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  it('are bit-identical to the TypeScript kernels (IEEE float32 results), tails and specials included', () => {
    const g = new Generator(3);
    // above the size threshold and not a multiple of 4, with infinities, NaN and signed zeros mixed in
    const n = BINARY_WASM_MIN_ELEMENTS + 3;
    const a = randn([n], { generator: g }).mul(1e3);
    const b = randn([n], { generator: g });
    const specials = [Infinity, -Infinity, NaN, 0, -0, 3.4e38, 1e-45];
    specials.forEach((v, i) => {
      (a.storage as Float32Array)[i * 7] = v;
      (b.storage as Float32Array)[i * 11 + 1] = specials[(i + 3) % specials.length]!;
    });
    for (const op of [add, sub, mul]) {
      setKernelPreference('ts');
      const ref = op(a, b).storage;
      setKernelPreference('auto');
      const got = op(a, b).storage;
      expect(Object.is(got[0], ref[0])).toBe(true);
      expect(Array.from(got)).toEqual(Array.from(ref));
    }
  });
  it('binaryWasm computes each op directly', () => {
    const a = Float32Array.from([1.5, -2, 3, 4, 5]);
    const b = Float32Array.from([0.25, 2, -3, 0.5, 10]);
    expect(Array.from(binaryWasm('addF32', a, b)!)).toEqual([1.75, 0, 0, 4.5, 15]);
    expect(Array.from(binaryWasm('subF32', a, b)!)).toEqual([1.25, -4, 6, 3.5, -5]);
    expect(Array.from(binaryWasm('mulF32', a, b)!)).toEqual([0.375, -4, -9, 2, 50]);
  });
});

describe('wasm add of a per-row scalar broadcast (bias, time embedding)', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  it('(N, C, H, W) + (N, C, 1, 1), (C, 1, 1) + (N, C, H, W) and (N, C, L) + (C, 1) equal the TypeScript kernel bit for bit', () => {
    const g = new Generator(4);
    const cases: [number[], number[]][] = [
      [[16, 8, 13, 11], [16, 8, 1, 1]],
      [[8, 1, 1], [6, 8, 19, 17]],
      [[5, 12, 301], [12, 1]],
    ];
    for (const [sa, sb] of cases) {
      const a = randn(sa, { generator: g });
      const b = randn(sb, { generator: g });
      setKernelPreference('ts');
      const ref = add(a, b);
      setKernelPreference('auto');
      const got = add(a, b);
      expect(got.shape).toEqual(ref.shape);
      expect(Array.from(got.storage)).toEqual(Array.from(ref.storage));
    }
  });
  it('rowScalarBroadcast names the pattern, and declines others', () => {
    const t = (shape: number[]) => ({ shape, dtype: 'float32' as const, storage: new Float32Array(shape.reduce((p, d) => p * d, 1)) });
    expect(rowScalarBroadcast(t([4, 3, 5, 5]), t([4, 3, 1, 1]))).toEqual({ inner: 25, sMod: 12 });
    expect(rowScalarBroadcast(t([4, 3, 5, 5]), t([3, 1, 1]))).toEqual({ inner: 25, sMod: 3 });
    expect(rowScalarBroadcast(t([4, 3, 5, 5]), t([5]))).toBeNull(); // varies along the last dim
    expect(rowScalarBroadcast(t([4, 3, 5, 5]), t([4, 1, 1, 1]))).toEqual({ inner: 75, sMod: 4 });
  });
});

describe('wasm SIMD sin and cos (float32, |x| ≤ 8192)', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  it('are within 2 ulp of the rounded float64 result, or 1e-7 where the result is near zero, over [−8192, 8192]', () => {
    const g = new Generator(5);
    // wide and narrow ranges (a timestep embedding's arguments reach ~1000), every octant, the tail
    const x = Float32Array.from({ length: 60_003 }, (_, i) => (g.random() * 2 - 1) * (i % 3 === 0 ? 8192 : i % 3 === 1 ? 1000 : 4));
    for (const [fn, ref] of [['sinF32', Math.sin], ['cosF32', Math.cos]] as const) {
      const y = unaryWasm(fn, x)!;
      let worstUlp = 0;
      let worstAbs = 0;
      for (let i = 0; i < x.length; i++) {
        const want = Math.fround(ref(x[i]!));
        if (Math.abs(want) < 1e-3) worstAbs = Math.max(worstAbs, Math.abs(y[i]! - want));
        else worstUlp = Math.max(worstUlp, ulps(y[i]!, want));
      }
      expect(worstUlp, fn).toBeLessThanOrEqual(2);
      expect(worstAbs, fn).toBeLessThanOrEqual(1e-7);
    }
  });
  it('exact at 0, odd/even symmetry, NaN stays NaN; the primitives fall back to TypeScript past 8192 and for float64', () => {
    const xs = Float32Array.from([0, -0, 1, -1, Math.PI / 2, -Math.PI, 3, -3, 1e-20, NaN]);
    const s = unaryWasm('sinF32', xs)!;
    const c = unaryWasm('cosF32', xs)!;
    expect(Object.is(s[0], 0) && Object.is(s[1], -0)).toBe(true);
    expect(c[0]).toBe(1);
    expect([s[2], s[6]]).toEqual([-s[3]!, -s[7]!]);
    expect([c[2], c[6]]).toEqual([c[3], c[7]]);
    expect(s[8]).toBe(Math.fround(1e-20));
    expect([s[9], c[9]]).toEqual([NaN, NaN]);
    const big = tensor(Array.from({ length: 2048 }, (_, i) => (i === 7 ? 1e6 : i)));
    expect(Array.from(sin(big).storage)).toEqual(Array.from(big.storage, (v) => Math.fround(Math.sin(v))));
    const d = tensor([0.5, 2000.25], { dtype: 'float64' });
    expect(Array.from(cos(d).storage)).toEqual([Math.cos(0.5), Math.cos(2000.25)]);
  });
});
