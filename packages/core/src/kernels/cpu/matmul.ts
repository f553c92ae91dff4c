import { allocate } from '../../dtype.js';
import { registerKernel } from '../../registry.js';
import { broadcastShapes, sizeOf } from '../../shape.js';
import { gemm } from './gemm.js';

/**
 * MatMul on inputs of rank >= 2 (the op promotes 1-D operands): leading dims broadcast,
 * each batch is one `gemm` call on contiguous row-major matrices.
 */
registerKernel('MatMul', 'cpu', ([a, b]) => {
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const M = a!.shape[ra - 2]!;
  const K = a!.shape[ra - 1]!;
  const N = b!.shape[rb - 1]!;
  const batchA = a!.shape.slice(0, -2);
  const batchB = b!.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const nb = sizeOf(batch);
  const out = allocate(a!.dtype, nb * M * N);
  // Batch index -> matrix index in each (possibly broadcast) operand.
  const idxA = batchIndex(batchA, batch);
  const idxB = batchIndex(batchB, batch);
  for (let i = 0; i < nb; i++) {
    gemm(a!.storage, idxA[i]! * M * K, b!.storage, idxB[i]! * K * N, out, i * M * N, M, N, K);
  }
  return { storage: out, shape: [...batch, M, N], dtype: a!.dtype };
});

export function batchIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const res = new Int32Array(n);
  const nd = outShape.length;
  for (let i = 0; i < n; i++) {
    let rem = i;
    let idx = 0;
    let mul = 1;
    for (let d = nd - 1; d >= 0; d--) {
      const od = outShape[d]!;
      const c = rem % od;
      rem = (rem - c) / od;
      const sd = d - (nd - shape.length);
      if (sd >= 0) {
        const s = shape[sd]!;
        idx += (s === 1 ? 0 : c) * mul;
        mul *= s;
      }
    }
    res[i] = idx;
  }
  return res;
}
