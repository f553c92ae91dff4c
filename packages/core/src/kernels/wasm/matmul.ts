import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { allocate, type DType, type TypedArray } from '../../dtype.js';
import { getKernel, registerKernel } from '../../registry.js';
import { broadcastShapes, shapesEqual, sizeOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { gemm } from '../cpu/gemm.js';
import { batchIndex } from '../cpu/matmul.js';
import { gemmBatchedWasm } from './gemm.js';
import { useWasm } from './preference.js';

/** Below this many multiply-adds per matrix the TypeScript kernel is as fast (no copies, no call). */
export const MATMUL_WASM_MIN_WORK = 4096;

/**
 * Batched GEMM on contiguous storage: C[i] = op(A[idxA[i]])·op(B[idxB[i]]) for i < idxA.length,
 * with A holding aCount M×K matrices (K×M when transA) and B bCount K×N ones (N×K when transB).
 * float32 runs in wasm when the matrices are large enough, everything else in TypeScript.
 */
export function gemmBatched(
  dtype: DType, A: TypedArray, aCount: number, B: TypedArray, bCount: number, C: TypedArray,
  idxA: ArrayLike<number>, idxB: ArrayLike<number>, M: number, N: number, K: number, transA = false, transB = false,
): void {
  if (dtype === 'float32' && useWasm(M * N * K, MATMUL_WASM_MIN_WORK)) {
    if (gemmBatchedWasm(A, 0, aCount, B, 0, bCount, C, 0, idxA, idxB, M, N, K, transA, transB)) return;
  }
  for (let i = 0; i < idxA.length; i++) {
    gemm(A, idxA[i]! * M * K, B, idxB[i]! * K * N, C, i * M * N, M, N, K, transA, transB);
  }
}

// The TypeScript MatMul kernel stays registered underneath as the reference and the fallback.
const reference = getKernel('MatMul', 'cpu');

registerKernel('MatMul', 'cpu', (inputs, attrs) => {
  const [a, b] = inputs;
  if (a!.dtype !== 'float32' || b!.dtype !== 'float32') return reference(inputs, attrs);
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const M = a!.shape[ra - 2]!;
  const K = a!.shape[ra - 1]!;
  const N = b!.shape[rb - 1]!;
  if (!useWasm(M * N * K, MATMUL_WASM_MIN_WORK)) return reference(inputs, attrs);
  const batchA = a!.shape.slice(0, -2);
  const batchB = b!.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const nb = sizeOf(batch);
  const out = allocate('float32', nb * M * N);
  let ok: boolean;
  if (batchB.length === 0) {
    // (..., M, K)·(K, N): the batches of A are consecutive rows, so this is one (nb·M)×K GEMM
    // and B is packed once.
    ok = gemmBatchedWasm(a!.storage, 0, 1, b!.storage, 0, 1, out, 0, [0], [0], nb * M, N, K);
  } else {
    ok = gemmBatchedWasm(
      a!.storage, 0, sizeOf(batchA), b!.storage, 0, sizeOf(batchB), out, 0,
      batchIndex(batchA, batch), batchIndex(batchB, batch), M, N, K,
    );
  }
  if (!ok) return reference(inputs, attrs);
  return { storage: out, shape: [...batch, M, N], dtype: 'float32' };
});

/** True when a backward may skip the tensor-op rule: no graph of it is built, traced or checked. */
export function directBackwardAllowed(): boolean {
  return !isGradEnabled() && activeRecorder() === null && !isAnomalyEnabled();
}

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/**
 * MatMul's backward straight from the GEMM kernels with transposed-operand flags, so nothing is
 * transposed in memory and a weight shared by a batch gets its gradient from one GEMM over the
 * flattened batch instead of a batch of GEMMs and a sum:
 *   dA = g·Bᵀ (transB), dB = Aᵀ·g (transA).
 * Covers equal batch dims (bmm) and a B without batch dims (x·W); returns null for other
 * broadcasts, for integer dtypes, and when the backward must be built from tensor ops
 * (createGraph, trace, anomaly detection), where the caller runs the general rule.
 */
export function matmulBackwardDirect(g: Tensor, a: Tensor, b: Tensor): (Tensor | null)[] | null {
  if (!directBackwardAllowed()) return null;
  const dtype = g.dtype;
  if (dtype !== a.dtype || dtype !== b.dtype || (dtype !== 'float32' && dtype !== 'float64')) return null;
  if (a.ndim < 2 || b.ndim < 2) return null;
  const M = a.shape[a.ndim - 2]!;
  const K = a.shape[a.ndim - 1]!;
  const N = b.shape[b.ndim - 1]!;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const G = g.storage;
  const wantA = a.requiresGrad;
  const wantB = b.requiresGrad;
  if (batchB.length === 0) {
    // a: (..., M, K) rows R = nb·M; b: (K, N); g: (R, N)
    const R = sizeOf(batchA) * M;
    const da = wantA ? allocate(dtype, R * K) : null;
    if (da) gemmBatched(dtype, G, 1, b.storage, 1, da, [0], [0], R, K, N, false, true); // (R,N)·(N,K)
    const db = wantB ? allocate(dtype, K * N) : null;
    if (db) gemmBatched(dtype, a.storage, 1, G, 1, db, [0], [0], K, N, R, true, false); // (K,R)·(R,N)
    return [da && new Tensor(da, a.shape, dtype), db && new Tensor(db, b.shape, dtype)];
  }
  if (!shapesEqual(batchA, batchB)) return null;
  const nb = sizeOf(batchA);
  const idx = iota(nb);
  const da = wantA ? allocate(dtype, nb * M * K) : null;
  // g_i (M×N) · B_iᵀ (N×K): G viewed as nb matrices of M×N, B as nb of K×N read transposed
  if (da) gemmBatchedGK(dtype, G, b.storage, da, idx, M, K, N, false, true);
  const db = wantB ? allocate(dtype, nb * K * N) : null;
  // A_iᵀ (K×M) · g_i (M×N)
  if (db) gemmBatchedGK(dtype, a.storage, G, db, idx, K, N, M, true, false);
  return [da && new Tensor(da, a.shape, dtype), db && new Tensor(db, b.shape, dtype)];
}

/** gemmBatched over nb pairs (A[i], B[i]), op(A) M×K and op(B) K×N. */
function gemmBatchedGK(dtype: DType, A: TypedArray, B: TypedArray, C: TypedArray, idx: Int32Array, M: number, N: number, K: number, transA: boolean, transB: boolean): void {
  gemmBatched(dtype, A, idx.length, B, idx.length, C, idx, idx, M, N, K, transA, transB);
}
