import { fmtShape } from '@likelihood/core';
import { ArgumentError, ShapeError, type Tensor } from '@likelihood/core';

export { fmtShape };

export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: ${name} must be a positive integer, found ${String(v)}`);
  return v;
}

/** x must be (N, ...dataShape) with N ≥ 1. */
export function checkDataShape(op: string, x: Tensor, dataShape: readonly number[]): void {
  const ok = x.ndim === dataShape.length + 1 && dataShape.every((d, i) => x.shape[i + 1] === d);
  if (!ok) throw new ShapeError(`${op}: expected data of shape (N, ${dataShape.join(', ')}), found ${fmtShape(x.shape)}`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ArgumentError(`${op}: expected float32 or float64 data in [0, 1], found dtype ${x.dtype}`);
}

/** Every value of x must lie in [lo, hi] (NaN fails); the error names the first bad value and its flat index. */
export function checkRange(op: string, x: Tensor, lo: number, hi: number, why: string): void {
  const i = firstOutside(x.storage as Float32Array | Float64Array, lo, hi);
  if (i >= 0) throw new ArgumentError(`${op}: ${why}: values must lie in [${lo}, ${hi}], found ${x.storage[i]} at flat index ${i} of data shape ${fmtShape(x.shape)}`);
}

/** Index of the first value outside [lo, hi] (or NaN), −1 if none: one tight loop, run on every training batch. */
function firstOutside(s: Float32Array | Float64Array, lo: number, hi: number): number {
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!(v >= lo && v <= hi)) return i;
  }
  return -1;
}
