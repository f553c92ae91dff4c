import type { TypedArray } from '../../dtype.js';
import type { Gemm } from '../cpu/gemm.js';
import { freshArena } from './runtime.js';
import { wasmKernels } from './runtime.js';

/**
 * Batched float32 GEMM in WebAssembly SIMD: out[i] = op(A[idxA[i]])·op(B[idxB[i]]) for each
 * of idxA.length matrices, with A holding M×K (K×M when transA) matrices back to back from aOff
 * and B holding K×N (N×K when transB) matrices from bOff. Each operand is copied into linear
 * memory once for the whole batch. Returns false (nothing written) when wasm is unavailable or
 * the buffers would be too large; the caller then runs the TypeScript kernel.
 */
export function gemmBatchedWasm(
  A: TypedArray, aOff: number, aCount: number, B: TypedArray, bOff: number, bCount: number,
  C: TypedArray, cOff: number, idxA: ArrayLike<number>, idxB: ArrayLike<number>,
  M: number, N: number, K: number, transA = false, transB = false,
): boolean {
  const k = wasmKernels();
  const arena = freshArena();
  if (!k || !arena) return false;
  const nb = idxA.length;
  const aLen = aCount * M * K;
  const bLen = bCount * K * N;
  const pa = arena.alloc(aLen * 4);
  const pb = arena.alloc(bLen * 4);
  const pc = arena.alloc(nb * M * N * 4);
  const scratch = arena.alloc(k.sgemmScratchBytes(N));
  if (!arena.commit()) return false;
  arena.f32(pa, aLen).set(A.subarray(aOff, aOff + aLen));
  arena.f32(pb, bLen).set(B.subarray(bOff, bOff + bLen));
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  for (let i = 0; i < nb; i++) {
    k.sgemm(pa + idxA[i]! * M * K * 4, pb + idxB[i]! * K * N * 4, pc + i * M * N * 4, M, N, K, ta, tb, scratch);
  }
  C.set(arena.f32(pc, nb * M * N), cOff);
  return true;
}

/**
 * The `Gemm` interface of kernels/cpu/gemm.ts on the wasm kernel (float32 arithmetic whatever
 * the array type): falls back to the TypeScript kernel when wasm cannot run.
 */
export function makeGemmWasm(fallback: Gemm): Gemm {
  const zero = [0];
  return (A, aOff, B, bOff, C, cOff, M, N, K, transA = false, transB = false) => {
    if (!gemmBatchedWasm(A, aOff, 1, B, bOff, 1, C, cOff, zero, zero, M, N, K, transA, transB)) {
      fallback(A, aOff, B, bOff, C, cOff, M, N, K, transA, transB);
    }
  };
}
