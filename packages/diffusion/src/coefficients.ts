import { fmtShape } from '@likelihood/core';
import { ArgumentError, type FloatDType, ShapeError, Tensor, isFloating } from '@likelihood/core';
import type { NoiseSchedule } from './schedule.js';

/** A timestep: one integer for the whole batch, or an int32/float tensor [B] of integers. */
export type Timesteps = number | Tensor;

export { fmtShape };

/** The timesteps as plain integers, checked against the schedule and x's batch size. */
export function timestepList(op: string, schedule: NoiseSchedule, t: Timesteps, x: Tensor): number[] | number {
  if (typeof t === 'number') {
    schedule.checkTimestep(op, t);
    return t;
  }
  if (!(t instanceof Tensor)) throw new ArgumentError(`${op}: t must be a number or a tensor [B], found ${typeof t}`);
  if (t.ndim !== 1 || t.shape[0] !== x.shape[0]) throw new ShapeError(`${op}: t must have shape [${x.shape[0]}] (one timestep per example), found ${fmtShape(t.shape)}`);
  const out = Array.from(t.storage as ArrayLike<number>);
  for (const v of out) schedule.checkTimestep(op, v);
  return out;
}

/**
 * coef[t] for each example, shaped [B, 1, …, 1] to broadcast against x (guided-diffusion's
 * `_extract_into_tensor`), in x's float dtype; a plain number when t is one number.
 */
export function gatherCoef(coef: ArrayLike<number>, t: number[] | number, x: Tensor): Tensor | number {
  if (typeof t === 'number') return coef[t]!;
  const dtype: FloatDType = isFloating(x.dtype) ? (x.dtype as FloatDType) : 'float32';
  const values = dtype === 'float64' ? new Float64Array(t.length) : new Float32Array(t.length);
  t.forEach((ti, i) => {
    values[i] = coef[ti]!;
  });
  return new Tensor(values, [t.length, ...Array(x.ndim - 1).fill(1)], dtype); // (B, 1, …, 1)
}

export function checkFloat(op: string, name: string, x: Tensor): void {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: ${name} must be a Tensor, found ${typeof x}`);
  if (!isFloating(x.dtype)) throw new ArgumentError(`${op}: ${name} must be float32 or float64, found ${x.dtype}`);
  if (x.ndim < 1) throw new ShapeError(`${op}: ${name} must have a batch dimension, found a scalar`);
}

export function checkSameShape(op: string, a: Tensor, aName: string, b: Tensor, bName: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: ${bName} must have ${aName}'s shape ${fmtShape(a.shape)}, found ${fmtShape(b.shape)}`);
  }
}
