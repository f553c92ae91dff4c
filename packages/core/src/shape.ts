import { ArgumentError, ShapeError, fmtShape } from './errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** numpy/PyTorch broadcasting of any number of shapes; `op` names the caller in errors. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = ndim - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (dim ${o - ndim}: ${out[o]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/** Normalises a possibly negative dim into [0, ndim); names the op and argument in errors. */
export function normalizeDim(dim: number, ndim: number, op: string, arg = 'dim'): number {
  if (!Number.isInteger(dim)) throw new ArgumentError(`${op}: ${arg} must be an integer, found ${dim}`);
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (dim < lo || dim > hi) {
    throw new ArgumentError(`${op}: ${arg} out of range: expected a value in [${lo}, ${hi}], found ${dim}`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalises dims (undefined = all dims), sorted and unique. */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normalizeDim(d, ndim, op));
  const set = new Set(out);
  if (set.size !== out.length) throw new ArgumentError(`${op}: dim ${JSON.stringify(list)} contains a repeated dim`);
  return [...set].sort((a, b) => a - b);
}

export function assertShape(shape: Shape, op: string, arg = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ArgumentError(`${op}: ${arg} must hold non-negative integers, found ${fmtShape(shape)}`);
    }
  }
}
