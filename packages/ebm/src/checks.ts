import { fmtShape } from '@likelihood/core';
// Argument checks shared by the models and samplers: each names the op, the argument, what
// was expected and what was found.
import { ArgumentError, DTypeError, type FloatDType, ShapeError, Tensor, isFloating } from '@likelihood/core';

export { fmtShape };

export function checkPositiveInt(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ArgumentError(`${op}: ${name} must be an integer >= ${min}, found ${String(v)}`);
  }
  return v;
}

export function checkPositive(op: string, name: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new ArgumentError(`${op}: ${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, found ${String(v)}`);
  }
  return v;
}

/** x must be a float tensor [N, features]; returns it cast to `dtype`. */
export function checkBatch(op: string, name: string, x: unknown, features: number, dtype: FloatDType): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${op}: ${name} must be a Tensor [N, ${features}], found ${typeof x}`);
  if (x.ndim !== 2 || x.shape[1] !== features) {
    throw new ShapeError(`${op}: ${name} must have shape [N, ${features}], found ${fmtShape(x.shape)}`);
  }
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: ${name} must be a float tensor, found dtype ${x.dtype}`);
  return x.dtype === dtype ? x : x.to(dtype);
}

/** Every entry of x is exactly 0 or 1 (Bernoulli units). */
export function checkBinary(op: string, name: string, x: Tensor): void {
  const s = x.storage;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v !== 0 && v !== 1) {
      const cols = x.shape[1] ?? 1;
      throw new ArgumentError(
        `${op}: ${name} must be binary (0 or 1) for Bernoulli units, found ${v} at row ${Math.floor(i / cols)}, column ${i % cols}`,
      );
    }
  }
}

/** The largest number of units whose 2^n states we enumerate by default (2^24 ≈ 1.7e7). */
export const MAX_ENUMERATION_UNITS = 24;

export function checkEnumerable(op: string, what: string, n: number, max = MAX_ENUMERATION_UNITS): void {
  if (n > max) {
    throw new ArgumentError(
      `${op}: exact enumeration over ${n} ${what} (2^${n} states) exceeds the limit of ${max} units; use AIS (ais) instead or raise maxUnits`,
    );
  }
}
