import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, matmul, randn, tensor } from '../../index.js';
import { gemmBlocked, gemmReference } from './gemm.js';

function run(M: number, N: number, K: number, transA: boolean, transB: boolean, f64: boolean, seed: number) {
  const g = new Generator(seed);
  const Arr = f64 ? Float64Array : Float32Array;
  const aOff = 3;
  const bOff = 5;
  const cOff = 2;
  const A = new Arr(aOff + M * K);
  const B = new Arr(bOff + K * N);
  for (let i = 0; i < A.length; i++) A[i] = g.random() * 2 - 1;
  for (let i = 0; i < B.length; i++) B[i] = g.random() * 2 - 1;
  const C1 = new Arr(cOff + M * N).fill(7);
  const C2 = new Arr(cOff + M * N).fill(7);
  gemmReference(A, aOff, B, bOff, C1, cOff, M, N, K, transA, transB);
  gemmBlocked(A, aOff, B, bOff, C2, cOff, M, N, K, transA, transB);
  const tol = f64 ? 1e-12 : 1e-5;
  for (let i = 0; i < C1.length; i++) expect(Math.abs(C1[i]! - C2[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(C1[i]!)));
  expect(C2[0]).toBe(7); // nothing before cOff is touched
}

describe('blocked gemm equals the reference kernel', () => {
  it('on random shapes, including odd sizes, K > the K block, transposed operands, both float dtypes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 300 }),
        fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
        (M, N, K, ta, tb, f64, seed) => run(M, N, K, ta, tb, f64, seed),
      ),
      { numRuns: 60 },
    );
  });
  it('on edge sizes: 1×1×1, zero K (C is zeroed), zero M or N, exact multiples of the block', () => {
    run(1, 1, 1, false, false, true, 1);
    run(4, 4, 256, false, false, true, 2);
    run(8, 12, 512, true, true, false, 3);
    const C = new Float32Array(6).fill(3);
    gemmBlocked(new Float32Array(0), 0, new Float32Array(0), 0, C, 0, 2, 3, 0);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    gemmBlocked(new Float32Array(0), 0, new Float32Array(0), 0, C, 0, 0, 3, 4);
  });
  it('through the public matmul op with batch broadcasting (float64, large enough for the fast path)', () => {
    const g = new Generator(9);
    const a = randn([2, 1, 33, 40], { dtype: 'float64', generator: g });
    const b = randn([3, 40, 17], { dtype: 'float64', generator: g });
    const out = matmul(a, b); // (2, 3, 33, 17)
    expect(out.shape).toEqual([2, 3, 33, 17]);
    const A = a.toArray() as number[][][][];
    const B = b.toArray() as number[][][];
    const O = out.toArray() as number[][][][];
    for (const [i, j, r, c] of [[0, 0, 0, 0], [1, 2, 32, 16], [1, 1, 5, 9]] as const) {
      let s = 0;
      for (let k = 0; k < 40; k++) s += A[i]![0]![r]![k]! * B[j]![k]![c]!;
      expect(O[i]![j]![r]![c]).toBeCloseTo(s, 10);
    }
    expect(matmul(tensor([[1, 2]]), tensor([[3], [4]])).item()).toBe(11);
  });
});
