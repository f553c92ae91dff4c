import type { TypedArray } from '../../dtype.js';

/**
 * C[cOff..] = A[aOff..] (M×K) · B[bOff..] (K×N), all row-major and contiguous.
 * Reference kernel: i-k-j order so the inner loop streams rows of B and C.
 * (The fast blocked kernel replaces this; this one stays the reference it is tested against.)
 */
export function gemmReference(
  A: TypedArray, aOff: number, B: TypedArray, bOff: number, C: TypedArray, cOff: number,
  M: number, N: number, K: number,
): void {
  const acc = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    acc.fill(0);
    for (let k = 0; k < K; k++) {
      const a = A[aOff + i * K + k]!;
      const bRow = bOff + k * N;
      for (let j = 0; j < N; j++) acc[j]! += a * B[bRow + j]!;
    }
    for (let j = 0; j < N; j++) C[cOff + i * N + j] = acc[j]!;
  }
}

export const gemm = gemmReference;
