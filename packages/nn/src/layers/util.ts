import { fmtShape } from '@likelihood/core';
// Shared argument and shape checks for layers: every message names the layer, what was
// expected and what was found.
import { ArgumentError, DTypeError, type FloatDType, ShapeError, type Tensor } from '@likelihood/core';

export { fmtShape };

/** Checks `v` is an integer >= `min`. */
export function checkInt(layer: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new ArgumentError(`${layer}: ${name} must be an integer >= ${min}, found ${String(v)}`);
  }
}

/** Checks `v` is a finite number > 0 (or >= 0 when `allowZero`). */
export function checkPositive(layer: string, name: string, v: number, allowZero = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ArgumentError(`${layer}: ${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, found ${String(v)}`);
  }
}

/** A float dtype option (default float32). */
export function floatDType(layer: string, d: FloatDType | undefined): FloatDType {
  const dtype = d ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`${layer}: dtype must be float32 or float64, found ${String(dtype)}`);
  return dtype;
}

/** Checks the input is a float tensor. */
export function checkFloatInput(layer: string, x: Tensor): void {
  if (!(x?.dtype === 'float32' || x?.dtype === 'float64')) {
    throw new DTypeError(`${layer}: expected a float32 or float64 input tensor, found ${x?.dtype === undefined ? typeof x : `dtype ${x.dtype}`}`);
  }
}

/** An int or one int per spatial dim, each >= `min`. */
export function intTuple(layer: string, name: string, v: number | readonly number[], n: number, min: number): number[] {
  const out = typeof v === 'number' ? new Array<number>(n).fill(v) : Array.isArray(v) ? [...v] : [];
  if (out.length !== n || out.some((d) => !Number.isInteger(d) || d < min)) {
    throw new ArgumentError(`${layer}: ${name} must be an integer >= ${min} or a list of ${n} such integers, found ${JSON.stringify(v)}`);
  }
  return out;
}

/** A normalized shape (int or list of positive ints) as a list. */
export function normalizedShapeOf(layer: string, ns: number | readonly number[]): number[] {
  const out = typeof ns === 'number' ? [ns] : Array.isArray(ns) ? [...ns] : [];
  if (out.length === 0 || out.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError(`${layer}: normalizedShape must be a positive integer or a non-empty list of positive integers, found ${JSON.stringify(ns)}`);
  }
  return out;
}

/** Checks the input's trailing dims equal `ns`. */
export function checkTrailing(layer: string, x: Tensor, ns: readonly number[]): void {
  const k = ns.length;
  if (x.ndim < k || ns.some((d, i) => x.shape[x.ndim - k + i] !== d)) {
    throw new ShapeError(`${layer}: expected input with trailing dims ${fmtShape(ns)} (normalizedShape), found shape ${fmtShape(x.shape)}`);
  }
}

/** Machine epsilon of a float dtype (torch.finfo(dtype).eps). */
export function finfoEps(dtype: string): number {
  return dtype === 'float64' ? 2 ** -52 : 2 ** -23;
}
