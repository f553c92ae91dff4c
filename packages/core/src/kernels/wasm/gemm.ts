import type { TypedArray } from '../../dtype.js';
import type { Gemm } from '../cpu/gemm.js';
import type { Arena, KernelExports } from './runtime.js';
import { beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Multiply-adds per thread below which splitting a GEMM costs more than it saves. */
export const GEMM_MIN_WORK_PER_THREAD = 1 << 19;
/** Floats of op(B) per thread below which packing it on the calling thread beats waking a worker (a 128×128 weight: 0.1 ms per MLP step). */
const PACK_B_MIN_PER_THREAD = 1 << 14;
// Register-block sizes of asm/kernels.ts: chunks are multiples, so edge tiles only occur at the end.
export const MR = 4;
const NR = 8;

/** Whether a GEMM with M×N output splits between threads by rows of C (else by columns: too few rows for the threads). */
export function splitsByRows(M: number, N: number, threads: number): boolean {
  return M >= 4 * MR * threads || M >= N;
}

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
  const call = beginKernelCall(M * N * K, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return false;
  const { k, arena, threads } = call;
  const nb = idxA.length;
  const aLen = aCount * M * K;
  const bLen = bCount * K * N;
  const pa = arena.alloc(aLen * 4);
  const pb = arena.alloc(bLen * 4);
  const pc = arena.alloc(nb * M * N * 4);
  const work = reserveGemmWorkspace(k, arena, K, N, threads);
  if (!arena.commit()) return false;
  arena.f32(pa, aLen).set(A.subarray(aOff, aOff + aLen));
  arena.f32(pb, bLen).set(B.subarray(bOff, bOff + bLen));
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  let packedFrom = -1;
  for (let i = 0; i < nb; i++) {
    const b = pb + idxB[i]! * K * N * 4;
    if (b !== packedFrom) {
      packBOnThreads(k, b, K, N, tb, work);
      packedFrom = b;
    }
    sgemmPackedOnThreads(k, pa + idxA[i]! * M * K * 4, pc + i * M * N * 4, M, N, K, ta, work);
  }
  C.set(arena.f32(pc, nb * M * N), cOff);
  return true;
}

/** Where a GEMM inside linear memory packs op(B) (gemmWorkspace's bytes) and each thread's scratch. */
export interface GemmWorkspace {
  packed: number;
  scratch: number[];
  threads: number;
}

/** Reserves a GemmWorkspace in the arena for op(B) of K×N, on `threads` threads (commit afterwards). */
export function reserveGemmWorkspace(k: KernelExports, arena: Arena, K: number, N: number, threads: number): GemmWorkspace {
  const packed = arena.alloc(k.packedBBytes(K, N));
  const scratch: number[] = [];
  for (let t = 0; t < threads; t++) scratch.push(arena.alloc(k.sgemmScratchBytes()));
  return { packed, scratch, threads };
}

/** Packs op(B) at byte pointer b (K×N; N×K when transB) into w.packed, NR-column panels split between threads. */
export function packBOnThreads(k: KernelExports, b: number, K: number, N: number, transB: number, w: GemmWorkspace): void {
  if (w.threads === 1 || K * N < PACK_B_MIN_PER_THREAD * w.threads) {
    k.packB(b, w.packed, K, N, transB, 0, N); // direct: small GEMMs feel the call overhead
    return;
  }
  // args: b, pb, K, N, transB, n0, n1
  runParallel(k, { fn: 'packB', args: () => [b, w.packed, K, N, transB, 0, 0], lo: 5, hi: 6, total: N, chunk: splitChunk(N, NR, w.threads) }, w.threads);
}

/** C (M×N at byte pointer c) = op(A)·(the op(B) packed in w), rows of C split between threads unless there are few. */
export function sgemmPackedOnThreads(k: KernelExports, a: number, c: number, M: number, N: number, K: number, transA: number, w: GemmWorkspace): void {
  if (w.threads === 1) {
    k.sgemmPacked(a, w.packed, c, M, N, K, transA, w.scratch[0]!, 0, M, 0, N);
    return;
  }
  // args: a, pb, c, M, N, K, transA, scratch, m0, m1, n0, n1
  const head = [a, w.packed, c, M, N, K, transA];
  if (splitsByRows(M, N, w.threads)) {
    const args = (t: number) => [...head, w.scratch[t]!, 0, 0, 0, N];
    runParallel(k, { fn: 'sgemmPacked', args, lo: 8, hi: 9, total: M, chunk: splitChunk(M, MR, w.threads) }, w.threads);
  } else {
    const args = (t: number) => [...head, w.scratch[t]!, 0, M, 0, 0];
    runParallel(k, { fn: 'sgemmPacked', args, lo: 10, hi: 11, total: N, chunk: splitChunk(N, NR, w.threads) }, w.threads);
  }
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
