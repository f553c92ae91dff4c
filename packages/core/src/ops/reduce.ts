import { runPrimitive } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { normalizeDims } from '../shape.js';
import { cast, div } from './elementwise.js';

/** Sum over `dim` (all dims when omitted), like torch.sum. Bool sums to int32. */
export function sum(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'sum');
  const t = x.dtype === 'bool' ? cast(x, 'int32') : x;
  if (axes.length === 0) return t;
  return runPrimitive('ReduceSum', [t], { axes, keepdims: keepdim });
}

/** Mean over `dim` (all dims when omitted). Integer inputs give float32. */
export function mean(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'mean');
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  const t = isFloating(x.dtype) ? x : cast(x, 'float32');
  return div(sum(t, axes, keepdim), count);
}
