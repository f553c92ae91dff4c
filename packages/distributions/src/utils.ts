import { type Tensor, type TensorLike, broadcastShapes, expand, isFloating, promoteTypes, tensor } from '@likelihood/core';

/**
 * Broadcasts parameters to one shape and one float dtype (torch's broadcast_all). Numbers adopt
 * the dtype of the tensor parameters (float32 when all are numbers).
 */
export function broadcastAll(op: string, ...params: TensorLike[]): Tensor[] {
  const tensors = params.filter((p): p is Tensor => typeof p !== 'number');
  let dtype: 'float32' | 'float64' = 'float32';
  for (const t of tensors) {
    const d = promoteTypes(dtype, t.dtype);
    dtype = d === 'float64' ? 'float64' : 'float32';
  }
  const shape = broadcastShapes(op, ...tensors.map((t) => t.shape));
  return params.map((p) => {
    const t = typeof p === 'number' ? tensor(p, { dtype }) : isFloating(p.dtype) && p.dtype === dtype ? p : p.to(dtype);
    return expand(t, shape);
  });
}
