import { noGrad } from '../autograd/mode.js';
import { runPrimitive } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { ArgumentError, fmtShape } from '../errors.js';
import { normalizeDim, normalizeDims } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, div, exp, isinf, log, mul, sub, where } from './elementwise.js';
import { fusedSoftmax } from '../kernels/wasm/softmax.js';

const floatOf = (x: Tensor) => (isFloating(x.dtype) ? x : cast(x, 'float32'));

function checkNonEmpty(x: Tensor, axes: number[], op: string): void {
  for (const a of axes) {
    if (x.shape[a] === 0) throw new ArgumentError(`${op}: cannot reduce over dim ${a} of size 0 (input shape ${fmtShape(x.shape)})`);
  }
}

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
  return div(sum(floatOf(x), axes, keepdim), count);
}

/** Product over `dim` (all dims when omitted). */
export function prod(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'prod');
  const t = x.dtype === 'bool' ? cast(x, 'int32') : x;
  if (axes.length === 0) return t;
  return runPrimitive('ReduceProd', [t], { axes, keepdims: keepdim });
}

/** Largest value over `dim` (torch.amax); the gradient is split evenly among ties. */
export function amax(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'amax');
  checkNonEmpty(x, axes, 'amax');
  if (axes.length === 0) return x;
  return runPrimitive('ReduceMax', [x], { axes, keepdims: keepdim });
}

/** Smallest value over `dim` (torch.amin). */
export function amin(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normalizeDims(dim, x.ndim, 'amin');
  checkNonEmpty(x, axes, 'amin');
  if (axes.length === 0) return x;
  return runPrimitive('ReduceMin', [x], { axes, keepdims: keepdim });
}

/** Index of the largest value along `dim` (first occurrence; all dims flattened when omitted), int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return argmax(x.reshape([-1]), 0, false);
  const axis = normalizeDim(dim, x.ndim, 'argmax');
  checkNonEmpty(x, [axis], 'argmax');
  return runPrimitive('ArgMax', [x], { axis, keepdims: keepdim });
}

/** Index of the smallest value along `dim` (first occurrence), int32. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return argmin(x.reshape([-1]), 0, false);
  const axis = normalizeDim(dim, x.ndim, 'argmin');
  checkNonEmpty(x, [axis], 'argmin');
  return runPrimitive('ArgMin', [x], { axis, keepdims: keepdim });
}

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** torch.max: the overall maximum, or with `dim` the values and (int32) indices along it. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return amax(x);
  const indices = argmax(x, dim, true);
  const values = gatherAlong(x, dim, indices, keepdim);
  return { values, indices: keepdim ? indices : squeezeDim(indices, dim) };
}

/** torch.min: the overall minimum, or with `dim` the values and (int32) indices along it. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return amin(x);
  const indices = argmin(x, dim, true);
  const values = gatherAlong(x, dim, indices, keepdim);
  return { values, indices: keepdim ? indices : squeezeDim(indices, dim) };
}

function gatherAlong(x: Tensor, dim: number, idx: Tensor, keepdim: boolean): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'max');
  const v = runPrimitive('GatherElements', [x, idx], { axis });
  return keepdim ? v : squeezeDim(v, axis);
}

function squeezeDim(t: Tensor, dim: number): Tensor {
  const axis = normalizeDim(dim, t.ndim, 'squeeze');
  return t.reshape(t.shape.filter((_, i) => i !== axis));
}

export interface VarOptions {
  /** Bessel's correction: divide by N − correction (default 1, the unbiased estimate, as torch). */
  correction?: number;
  keepdim?: boolean;
}

/** Variance over `dim` (all dims when omitted) with torch's `correction`. */
export function variance(x: Tensor, dim?: number | number[], { correction = 1, keepdim = false }: VarOptions = {}): Tensor {
  const t = floatOf(x);
  const axes = normalizeDims(dim, t.ndim, 'var');
  let n = 1;
  for (const a of axes) n *= t.shape[a]!;
  const centered = sub(t, mean(t, axes, true));
  return div(sum(mul(centered, centered), axes, keepdim), Math.max(0, n - correction));
}
export { variance as var };

/** Standard deviation: sqrt of `var`. */
export function std(x: Tensor, dim?: number | number[], opts: VarOptions = {}): Tensor {
  return variance(x, dim, opts).sqrt();
}

/**
 * log Σ exp(x) over `dim`, stable for any inputs: the (detached) max is subtracted first, and
 * slices that are all −inf give −inf rather than NaN. Finite for ±1e4 in float32, ±1e300 in float64.
 */
export function logsumexp(x: Tensor, dim: number | number[], keepdim = false): Tensor {
  const t = floatOf(x);
  const axes = normalizeDims(dim, t.ndim, 'logsumexp');
  const m = noGrad(() => {
    const mx = amax(t, axes, true);
    return where(isinf(mx), 0, mx); // all −inf (or +inf) slices: shift by 0
  });
  const s = sum(exp(sub(t, m)), axes, true);
  const out = log(s).add(m);
  return keepdim ? out : out.reshape(out.shape.filter((_, i) => !axes.includes(i)));
}

/** softmax along `dim`: exp(x − logsumexp(x)). Rows of all −inf give NaN, as torch. */
export function softmax(x: Tensor, dim: number): Tensor {
  const t = floatOf(x);
  const axis = normalizeDim(dim, t.ndim, 'softmax');
  const fused = fusedSoftmax(t, axis, false); // float32, last dim, large: one wasm kernel
  if (fused) return fused;
  const m = noGrad(() => amax(t, axis, true));
  const e = exp(sub(t, m));
  return div(e, sum(e, axis, true));
}

/**
 * log-softmax along `dim`: (x − m) − log Σ exp(x − m) with m the (detached) max, so no large
 * value is ever added back: exact for ±1e4 in float32 and ±1e300 in float64.
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const t = floatOf(x);
  const axis = normalizeDim(dim, t.ndim, 'logSoftmax');
  const fused = fusedSoftmax(t, axis, true);
  if (fused) return fused;
  const m = noGrad(() => {
    const mx = amax(t, axis, true);
    return where(isinf(mx), 0, mx);
  });
  const shifted = sub(t, m);
  return sub(shifted, log(sum(exp(shifted), axis, true)));
}

/** Cumulative sum along `dim`. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'cumsum');
  const t = x.dtype === 'bool' ? cast(x, 'int32') : x;
  return runPrimitive('CumSum', [t], { axis, exclusive: false, reverse: false });
}

/** True where any element is non-zero (over `dim`, or all dims). */
export function any(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return amax(cast(x, 'int32'), dim, keepdim).gt(0);
}

/** True where every element is non-zero. */
export function all(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return amin(cast(x, 'int32'), dim, keepdim).gt(0);
}


/** @internal CumSum with ONNX's exclusive/reverse flags (used by its own backward rule). */
export function cumsumPrimitive(x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Tensor {
  return runPrimitive('CumSum', [x], { axis, exclusive, reverse });
}
