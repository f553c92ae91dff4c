import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, getKernelPreference, matmul, randn, setKernelPreference } from '../../index.js';
import { gemmReference } from '../cpu/gemm.js';
import { gemmBatchedWasm, makeGemmWasm } from './gemm.js';
import { wasmKernels } from './runtime.js';

const gemmWasm = makeGemmWasm(() => {
  throw new Error('wasm unavailable: the fallback ran');
});

/**
 * Tolerance: the wasm kernel accumulates in float32, so |C − C_exact| ≤ γ·Σₖ|a||b| with
 * γ = (K + 2)·2⁻²⁴ (the standard bound for a float32 dot product, plus the final rounding);
 * the reference accumulates in float64 and is exact to that scale.
 */
function check(M: number, N: number, K: number, transA: boolean, transB: boolean, seed: number) {
  const g = new Generator(seed);
  const aOff = 3;
  const bOff = 5;
  const cOff = 2;
  const A = new Float32Array(aOff + M * K);
  const B = new Float32Array(bOff + K * N);
  for (let i = 0; i < A.length; i++) A[i] = g.random() * 2 - 1;
  for (let i = 0; i < B.length; i++) B[i] = g.random() * 2 - 1;
  const ref = new Float64Array(cOff + M * N);
  const mag = new Float64Array(cOff + M * N);
  gemmReference(A, aOff, B, bOff, ref, cOff, M, N, K, transA, transB);
  gemmReference(A.map(Math.abs), aOff, B.map(Math.abs), bOff, mag, cOff, M, N, K, transA, transB);
  const C = new Float32Array(cOff + M * N).fill(7);
  gemmWasm(A, aOff, B, bOff, C, cOff, M, N, K, transA, transB);
  const gamma = (K + 2) * 2 ** -24;
  for (let i = cOff; i < C.length; i++) {
    const err = Math.abs(C[i]! - ref[i]!);
    if (!(err <= gamma * mag[i]! + 1e-30)) {
      throw new Error(`M=${M} N=${N} K=${K} tA=${transA} tB=${transB}: C[${i - cOff}] = ${C[i]}, reference ${ref[i]}, error ${err} > ${gamma * mag[i]!}`);
    }
  }
  expect(C[0]).toBe(7); // nothing before cOff is touched
  expect(C[1]).toBe(7);
}

describe('wasm SIMD sgemm equals the TypeScript reference', () => {
  it('loads from the embedded bytes', () => {
    expect(wasmKernels()).not.toBeNull();
  });
  it('on random shapes (odd sizes, non-multiples of 4, 6 and 8), both transposes, offsets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }),
        fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
        (M, N, K, ta, tb, seed) => check(M, N, K, ta, tb, seed),
      ),
      { numRuns: 120 },
    );
  });
  it('across cache blocks: K > 256 (C accumulated over K blocks), M > 72 (several A blocks)', () => {
    check(150, 19, 530, false, false, 1);
    check(77, 33, 257, true, false, 2);
    check(73, 9, 300, false, true, 3);
    check(145, 17, 513, true, true, 4);
  });
  it('with N > 4096 (several column blocks), and M·N·K = 1, and exact multiples of the register block', () => {
    check(3, 4100, 5, false, false, 5);
    check(2, 4103, 3, true, true, 6);
    check(1, 1, 1, false, false, 7);
    check(12, 16, 256, false, false, 8);
    check(72, 64, 512, true, false, 9);
  });
  it('zero K zeroes C; zero M or N writes nothing', () => {
    const C = new Float32Array(6).fill(3);
    gemmWasm(new Float32Array(0), 0, new Float32Array(0), 0, C, 0, 2, 3, 0);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    C.fill(3);
    gemmWasm(new Float32Array(8), 0, new Float32Array(8), 0, C, 0, 0, 3, 4);
    expect(Array.from(C)).toEqual([3, 3, 3, 3, 3, 3]);
  });
  it('batched with broadcast indices: each output matrix is its own GEMM', () => {
    const g = new Generator(11);
    const [M, N, K] = [5, 7, 9];
    const A = Float32Array.from({ length: 2 * M * K }, () => g.random() - 0.5);
    const B = Float32Array.from({ length: 3 * K * N }, () => g.random() - 0.5);
    const idxA = [0, 1, 0, 1, 0, 1];
    const idxB = [0, 0, 1, 1, 2, 2];
    const C = new Float32Array(6 * M * N);
    expect(gemmBatchedWasm(A, 0, 2, B, 0, 3, C, 0, idxA, idxB, M, N, K)).toBe(true);
    for (let i = 0; i < 6; i++) {
      const ref = new Float64Array(M * N);
      gemmReference(A, idxA[i]! * M * K, B, idxB[i]! * K * N, ref, 0, M, N, K);
      for (let j = 0; j < M * N; j++) expect(Math.abs(C[i * M * N + j]! - ref[j]!)).toBeLessThan(1e-5);
    }
  });
});

describe('MatMul selection', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));

  it('float32 matmul (2-D, batched with broadcasting, batched·2-D) agrees between wasm and ts', () => {
    const g = new Generator(3);
    const pairs: Array<[number[], number[]]> = [
      [[33, 41], [41, 29]],
      [[2, 1, 17, 40], [3, 40, 19]],
      [[4, 13, 64], [64, 10]],
      [[6, 21, 8], [6, 8, 30]],
    ];
    for (const [sa, sb] of pairs) {
      const a = randn(sa, { generator: g });
      const b = randn(sb, { generator: g });
      setKernelPreference('ts');
      const ref = matmul(a, b);
      setKernelPreference('wasm');
      const got = matmul(a, b);
      expect(got.shape).toEqual(ref.shape);
      const K = sa[sa.length - 1]!;
      for (let i = 0; i < ref.storage.length; i++) {
        expect(Math.abs(got.storage[i]! - ref.storage[i]!)).toBeLessThan((K + 2) * 2 ** -24 * 4 * K);
      }
    }
  });
  it('float64 matmul never runs in wasm: results are the float64 reference bit for bit', () => {
    const g = new Generator(4);
    const a = randn([20, 30], { dtype: 'float64', generator: g });
    const b = randn([30, 10], { dtype: 'float64', generator: g });
    setKernelPreference('ts');
    const ref = Array.from(matmul(a, b).storage);
    setKernelPreference('wasm');
    expect(Array.from(matmul(a, b).storage)).toEqual(ref);
  });
  it('rejects an unknown preference with an ArgumentError naming the choices', () => {
    expect(() => setKernelPreference('gpu' as never)).toThrow(/expected one of 'auto', 'ts', 'wasm', found "gpu"/);
  });
});
