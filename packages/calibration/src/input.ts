import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, DTypeError, ShapeError, Tensor, tensor } from '@likelihood/core';

/** A matrix of scores: a 2-D tensor or nested rows of numbers. */
export type MatrixLike = Tensor | readonly (readonly number[])[];
/** A vector: a 1-D tensor, a plain array or a typed array. */
export type VectorLike = Tensor | readonly number[] | Float64Array | Float32Array | Int32Array;

/** Row-major float64 copy of an [N, C] matrix. */
export interface Matrix {
  readonly data: Float64Array;
  readonly n: number;
  readonly c: number;
}


/** Reads an [N, C] matrix into float64, naming `op` and `arg` in errors. */
export function readMatrix(op: string, arg: string, x: MatrixLike): Matrix {
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new ShapeError(`${op}: ${arg} must be a 2-D [N, C] tensor, found shape ${fmt(x.shape)}`);
    if (x.dtype === 'bool') throw new DTypeError(`${op}: ${arg} must be numeric, found bool`);
    return { data: Float64Array.from(x.storage as ArrayLike<number>), n: x.shape[0]!, c: x.shape[1]! };
  }
  if (!Array.isArray(x)) throw new ArgumentError(`${op}: ${arg} must be a 2-D tensor or an array of rows, found ${typeof x}`);
  const n = x.length;
  const c = n > 0 ? (x[0]?.length ?? 0) : 0;
  const data = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const row = x[i];
    if (!Array.isArray(row) || row.length !== c) {
      throw new ShapeError(`${op}: ${arg} row ${i} has length ${Array.isArray(row) ? row.length : 'none'}, expected ${c} like row 0`);
    }
    for (let j = 0; j < c; j++) data[i * c + j] = row[j]!;
  }
  return { data, n, c };
}

/** Reads a vector into float64. */
export function readVector(op: string, arg: string, x: VectorLike): Float64Array {
  if (x instanceof Tensor) {
    if (x.ndim !== 1) throw new ShapeError(`${op}: ${arg} must be a 1-D tensor, found shape ${fmt(x.shape)}`);
    return Float64Array.from(x.storage as ArrayLike<number>);
  }
  if (!Array.isArray(x) && !ArrayBuffer.isView(x)) throw new ArgumentError(`${op}: ${arg} must be a 1-D tensor or an array, found ${typeof x}`);
  return Float64Array.from(x as ArrayLike<number>);
}

/** Throws unless every value is finite. */
export function checkFinite(op: string, arg: string, v: Float64Array): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new ArgumentError(`${op}: ${arg} must be finite, found ${v[i]} at flat position ${i}`);
  }
}

/** Integer class labels in [0, C), as Int32Array; `n` is the expected count. */
export function readLabels(op: string, labels: VectorLike, n: number, c: number): Int32Array {
  const v = readVector(op, 'labels', labels);
  if (v.length !== n) throw new ShapeError(`${op}: labels has ${v.length} entries but the predictions have ${n} rows: lengths must match`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = v[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= c) {
      throw new ArgumentError(`${op}: label ${y} at position ${i} is out of range: expected an integer class index in [0, ${c - 1}]`);
    }
    out[i] = y;
  }
  return out;
}

/** Default tolerance on |Σ_c p_c − 1| for a row of probabilities (float32 softmax rows are within ~1e-6). */
export const SUM_TOLERANCE = 1e-4;

export interface ProbabilityOptions {
  /** Allowed |Σ_c p_c − 1| per row (default 1e-4). */
  tolerance?: number;
}

/** Reads [N, C] class probabilities, checking each is in [0, 1] and each row sums to 1 within tolerance. */
export function readProbabilities(op: string, probs: MatrixLike, opts: ProbabilityOptions = {}): Matrix {
  const m = readMatrix(op, 'probs', probs);
  const tol = opts.tolerance ?? SUM_TOLERANCE;
  if (m.n === 0) throw new ArgumentError(`${op}: probs is empty: expected at least one row`);
  if (m.c < 2) throw new ShapeError(`${op}: probs must have at least 2 classes (columns), found ${m.c}; for binary scores pass [1 − p, p] rows`);
  for (let i = 0; i < m.n; i++) {
    let s = 0;
    for (let j = 0; j < m.c; j++) {
      const p = m.data[i * m.c + j]!;
      if (!(p >= 0 && p <= 1)) throw new ArgumentError(`${op}: probs[${i}][${j}] = ${p} is not a probability in [0, 1]`);
      s += p;
    }
    if (Math.abs(s - 1) > tol) {
      throw new ArgumentError(`${op}: probs row ${i} sums to ${s}, expected 1 within ${tol} (pass probabilities, not logits: softmax them first)`);
    }
  }
  return m;
}

/** Row-wise softmax in float64 (max-subtracted). */
export function softmaxRows(logits: Matrix, temperature = 1): Matrix {
  const { n, c, data } = logits;
  const out = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, data[i * c + j]! / temperature);
    let s = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(data[i * c + j]! / temperature - mx);
      out[i * c + j] = e;
      s += e;
    }
    for (let j = 0; j < c; j++) out[i * c + j]! /= s;
  }
  return { data: out, n, c };
}

/** The [N, C] float64 tensor holding `m`. */
export function matrixTensor(m: Matrix): Tensor {
  return tensor(m.data, { dtype: 'float64' }).reshape([m.n, m.c]);
}
