import { runPrimitive } from '../dispatch.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { arange } from '../tensor.js';
import { cast, eq } from './elementwise.js';
import { slice, unsqueeze } from './movement.js';

/** Index tensors are int32; every entry must lie in [−n, n). Names the op, the bad index and its position. */
export function checkIndex(op: string, index: Tensor, n: number, what = 'index'): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: ${what} must be an int32 tensor, found ${index.dtype}`);
  const s = index.storage;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v < -n || v >= n) throw new ArgumentError(`${op}: ${what} ${v} at flat position ${i} is out of range for a dim of size ${n}`);
  }
}

/** Selects entries along `dim` by a 1-D (or any-shaped) int32 index (torch.index_select). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'indexSelect');
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 0-d or 1-D, found shape ${fmtShape(index.shape)}`);
  checkIndex('indexSelect', index, x.shape[axis]!);
  return runPrimitive('Gather', [x, index.ndim === 0 ? index.reshape([1]) : index], { axis });
}

/** out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (torch.gather). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'gather');
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== axis && d > x.shape[i]!)) {
    throw new ShapeError(`gather: index shape ${fmtShape(index.shape)} must have input's rank and fit input shape ${fmtShape(x.shape)} outside dim ${axis}`);
  }
  checkIndex('gather', index, x.shape[axis]!);
  return runPrimitive('GatherElements', [x, index], { axis });
}

/** out = x, then out[..index..] += src along `dim` (torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'scatterAdd');
  if (index.ndim !== x.ndim || index.shape.some((d, i) => (i !== axis && d > x.shape[i]!) || d > src.shape[i]!)) {
    throw new ShapeError(`scatterAdd: index shape ${fmtShape(index.shape)} must fit input ${fmtShape(x.shape)} (outside dim ${axis}) and src ${fmtShape(src.shape)}`);
  }
  checkIndex('scatterAdd', index, x.shape[axis]!);
  let s = cast(src, x.dtype);
  // src larger than index: only its leading block is used, as torch
  for (let d = 0; d < s.ndim; d++) if (s.shape[d] !== index.shape[d]) s = slice(s, d, 0, index.shape[d]!);
  return runPrimitive('ScatterAdd', [x, index, s], { axis });
}

/** One-hot encoding of int32 class indices into int32 (numClasses −1: max index + 1, as torch). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== 'int32') throw new DTypeError(`oneHot: indices must be int32, found ${indices.dtype}`);
  const s = indices.storage;
  let maxv = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i]! < 0) throw new ArgumentError(`oneHot: class index ${s[i]} at flat position ${i} is negative`);
    maxv = Math.max(maxv, s[i]!);
  }
  const k = numClasses === -1 ? maxv + 1 : numClasses;
  if (maxv >= k) throw new ArgumentError(`oneHot: class index ${maxv} is out of range for numClasses ${k}`);
  return cast(eq(unsqueeze(indices, -1), arange(0, k, 1, { dtype: 'int32' })), 'int32');
}

/** @internal ScatterAdd without validation (backward rules build in-range indices themselves). */
export function scatterAddPrimitive(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  return runPrimitive('ScatterAdd', [x, index, src], { axis });
}

/** @internal GatherElements without validation. */
export function gatherPrimitive(x: Tensor, axis: number, index: Tensor): Tensor {
  return runPrimitive('GatherElements', [x, index], { axis });
}
