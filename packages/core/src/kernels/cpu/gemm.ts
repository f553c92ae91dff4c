import type { TypedArray } from '../../dtype.js';

/**
 * General matrix multiply on contiguous row-major storage:
 * C[cOff..] = op(A)·op(B), with op(A) M×K and op(B) K×N; `transA`/`transB` read A as K×M or
 * B as N×K, so the backward pass (dA = dC·Bᵀ, dB = Aᵀ·dC) needs no transposed copies.
 */
export type Gemm = (
  A: TypedArray, aOff: number, B: TypedArray, bOff: number, C: TypedArray, cOff: number,
  M: number, N: number, K: number, transA?: boolean, transB?: boolean,
) => void;

/** Reference kernel: plain triple loop in float64; every fast kernel is tested against it. */
export const gemmReference: Gemm = (A, aOff, B, bOff, C, cOff, M, N, K, transA = false, transB = false) => {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[aOff + k * M + i]! : A[aOff + i * K + k]!;
        const b = transB ? B[bOff + j * K + k]! : B[bOff + k * N + j]!;
        acc += a * b;
      }
      C[cOff + i * N + j] = acc;
    }
  }
};

// Register blocking: a 4×4 block of C lives in 16 local variables while k runs; panels of A
// (4 rows) and B (4 columns) are packed contiguously for the block of K being processed, so
// the inner loop reads two short sequential streams. KC bounds the packed panel of B (L2-sized).
const MR = 4;
const NR = 4;
const KC = 256;

const packA = new Float64Array(KC * MR);
let packB = new Float64Array(0);
const edge = new Float64Array(MR * NR);

/**
 * Fast pure-TypeScript kernel: packed, register-blocked (4×4) and cache-blocked over K.
 * Packing into float64 makes loads conversion-free and keeps float64 inputs exact;
 * accumulation is in float64 for every dtype.
 */
export const gemmBlocked: Gemm = (A, aOff, B, bOff, C, cOff, M, N, K, transA = false, transB = false) => {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    for (let i = 0; i < M * N; i++) C[cOff + i] = 0;
    return;
  }
  const panels = Math.ceil(N / NR);
  const sa = transA ? 1 : K; // stride between rows of op(A)
  const ka = transA ? M : 1; // stride along k in op(A)
  const sb = transB ? K : 1; // stride between columns of op(B)
  const kb = transB ? 1 : N; // stride along k in op(B)
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    const need = panels * kc * NR;
    if (packB.length < need) packB = new Float64Array(need);
    const Bp = packB;
    // Pack op(B)[k0:k0+kc, :] into column panels: Bp[(p·kc + k)·NR + jj]
    for (let p = 0; p < panels; p++) {
      const j0 = p * NR;
      const w = Math.min(NR, N - j0);
      let dst = p * kc * NR;
      for (let k = 0; k < kc; k++, dst += NR) {
        const src = bOff + (k0 + k) * kb + j0 * sb;
        for (let jj = 0; jj < NR; jj++) Bp[dst + jj] = jj < w ? B[src + jj * sb]! : 0;
      }
    }
    const Ap = packA;
    for (let i0 = 0; i0 < M; i0 += MR) {
      const h = Math.min(MR, M - i0);
      // Pack op(A)[i0:i0+4, k0:k0+kc] as Ap[k·MR + ii]
      for (let k = 0; k < kc; k++) {
        const src = aOff + (k0 + k) * ka;
        for (let ii = 0; ii < MR; ii++) Ap[k * MR + ii] = ii < h ? A[src + (i0 + ii) * sa]! : 0;
      }
      for (let p = 0; p < panels; p++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let bi = p * kc * NR;
        let ai = 0;
        for (let k = 0; k < kc; k++, ai += MR, bi += NR) {
          const a0 = Ap[ai]!, a1 = Ap[ai + 1]!, a2 = Ap[ai + 2]!, a3 = Ap[ai + 3]!;
          const b0 = Bp[bi]!, b1 = Bp[bi + 1]!, b2 = Bp[bi + 2]!, b3 = Bp[bi + 3]!;
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const j0 = p * NR;
        const w = Math.min(NR, N - j0);
        const base = cOff + i0 * N + j0;
        if (h === MR && w === NR) {
          if (k0 === 0) {
            C[base] = c00; C[base + 1] = c01; C[base + 2] = c02; C[base + 3] = c03;
            C[base + N] = c10; C[base + N + 1] = c11; C[base + N + 2] = c12; C[base + N + 3] = c13;
            C[base + 2 * N] = c20; C[base + 2 * N + 1] = c21; C[base + 2 * N + 2] = c22; C[base + 2 * N + 3] = c23;
            C[base + 3 * N] = c30; C[base + 3 * N + 1] = c31; C[base + 3 * N + 2] = c32; C[base + 3 * N + 3] = c33;
          } else {
            C[base] += c00; C[base + 1] += c01; C[base + 2] += c02; C[base + 3] += c03;
            C[base + N] += c10; C[base + N + 1] += c11; C[base + N + 2] += c12; C[base + N + 3] += c13;
            C[base + 2 * N] += c20; C[base + 2 * N + 1] += c21; C[base + 2 * N + 2] += c22; C[base + 2 * N + 3] += c23;
            C[base + 3 * N] += c30; C[base + 3 * N + 1] += c31; C[base + 3 * N + 2] += c32; C[base + 3 * N + 3] += c33;
          }
        } else {
          edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
          edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
          edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
          edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
          for (let ii = 0; ii < h; ii++) {
            for (let jj = 0; jj < w; jj++) {
              const at = base + ii * N + jj;
              C[at] = k0 === 0 ? edge[ii * 4 + jj]! : C[at]! + edge[ii * 4 + jj]!;
            }
          }
        }
      }
    }
  }
};

/** Below this many multiply-adds the packing overhead is not worth it. */
const SMALL = 4096;

export const gemm: Gemm = (A, aOff, B, bOff, C, cOff, M, N, K, transA = false, transB = false) => {
  if (M * N * K < SMALL) gemmReference(A, aOff, B, bOff, C, cOff, M, N, K, transA, transB);
  else gemmBlocked(A, aOff, B, bOff, C, cOff, M, N, K, transA, transB);
};
