import { allocate } from '../../dtype.js';
import { getKernel, registerKernel } from '../../registry.js';
import { broadcastShapes, sizeOf } from '../../shape.js';
import { batchIndex } from '../cpu/matmul.js';
import { gemmBatchedWasm } from './gemm.js';
import { useWasm } from './preference.js';

/** Below this many multiply-adds per matrix the TypeScript kernel is as fast (no copies, no call). */
export const MATMUL_WASM_MIN_WORK = 4096;

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
