import { runPrimitive } from '../dispatch.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { type Shape, broadcastShapes, normalizeDim, shapesEqual, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { sum } from './reduce.js';

/** Reshape (shares storage). One dim may be -1 and is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.size, x.shape);
  if (shapesEqual(target, x.shape)) return x;
  return runPrimitive('Reshape', [x], { shape: target });
}

function inferShape(shape: readonly number[], size: number, from: Shape): number[] {
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (out.some((d, i) => (d < 0 && i !== neg) || !Number.isInteger(d)) || out.lastIndexOf(-1) !== neg) {
    throw new ArgumentError(`reshape: shape ${fmtShape(shape)} is invalid: dims must be non-negative integers with at most one -1`);
  }
  if (neg >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== neg));
    if (rest === 0 || size % rest !== 0) {
      throw new ShapeError(`reshape: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
    }
    out[neg] = size / rest;
  }
  if (sizeOf(out) !== size) {
    throw new ShapeError(`reshape: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
  }
  return out;
}

/** Reorders dims: output dim i is input dim dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ArgumentError(`permute: dims ${fmtShape(dims)} must name each of the ${x.ndim} dims of a tensor of shape ${fmtShape(x.shape)} once`);
  }
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute', 'dims'));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(`permute: dims ${fmtShape(dims)} repeat a dim`);
  if (perm.every((p, i) => p === i)) return x;
  return runPrimitive('Transpose', [x], { perm });
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.ndim, 'transpose', 'dim0');
  const b = normalizeDim(dim1, x.ndim, 'transpose', 'dim1');
  const perm = Array.from({ length: x.ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Broadcasts to `shape`; -1 keeps a dim, new leading dims may be added (torch.expand). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.ndim)]! : d));
  if (target.length < x.ndim || !shapesEqual(broadcastShapes('expand', x.shape, target), target)) {
    throw new ShapeError(`expand: cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  if (shapesEqual(target, x.shape)) return x;
  return runPrimitive('Expand', [x], { shape: target });
}

/** Broadcasts `x` to `shape` (numpy broadcast_to). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/**
 * Sums a broadcast gradient back down to `shape`: the adjoint of broadcasting, used by every
 * backward rule of a broadcasting op.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, shape);
}
