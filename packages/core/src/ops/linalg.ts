import { runPrimitive } from '../dispatch.js';
import { ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { promotePair } from './elementwise.js';
import { reshape } from './movement.js';

/**
 * Matrix product with torch.matmul's rules: 1-D operands are promoted to matrices and the
 * added dim removed afterwards; leading (batch) dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least one dim, found shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  [a, b] = promotePair(a, b, 'matmul');
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a; // (1, K)
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b; // (K, 1)
  const K = a2.shape[a2.ndim - 1]!;
  if (b2.shape[b2.ndim - 2] !== K) {
    throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${K} vs ${b2.shape[b2.ndim - 2]})`);
  }
  broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  let out = runPrimitive('MatMul', [a2, b2], {});
  if (a.ndim === 1) out = reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]!]);
  if (b.ndim === 1) out = reshape(out, out.shape.slice(0, -1));
  return out;
}
