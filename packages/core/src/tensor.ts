import { type DType, type TypedArray, allocate, assertDType, dtypeOfArray, isFloating } from './dtype.js';
import { ArgumentError, AutogradError, DTypeError, ShapeError, fmtShape } from './errors.js';
import type { TensorData } from './registry.js';
import { type Shape, assertShape, sizeOf } from './shape.js';
import * as ops from './ops/index.js';
import { backward as runBackward } from './autograd/engine.js';
import { activeRecorder } from './capture/hooks.js';

/** A node of the autograd tape: the op that produced a tensor and how to send gradients back. */
export interface GradNode {
  /** Primitive op name, or `custom:<name>` for composites with their own backward. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
  /** Set for custom nodes; primitive nodes look their rule up in the rules table. */
  readonly backwardFn?: (grad: Tensor) => (Tensor | null)[];
}

export type NestedArray = number | boolean | readonly NestedArray[];
export type TensorLike = Tensor | number;

let nextId = 1;

/**
 * An n-dimensional array with a dtype and optional gradient tracking.
 * Storage is contiguous row-major and never mutated through the public API; `assign_` is the
 * one explicit in-place path (used by optimizers) and autograd does not record it.
 */
export class Tensor implements TensorData {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  private _storage: TypedArray;
  private _requiresGrad = false;
  /** Accumulated gradient of a leaf tensor after `backward()`. */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor (null for leaves). */
  gradFn: GradNode | null = null;

  /** @internal Use `tensor()`, `zeros()` etc. Takes ownership of `storage`. */
  constructor(storage: TypedArray, shape: Shape, dtype: DType = dtypeOfArray(storage)) {
    if (storage.length !== sizeOf(shape)) {
      throw new ShapeError(`Tensor: storage holds ${storage.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
    }
    this._storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
  }

  /** @internal Contiguous storage, shared, never to be written. */
  get storage(): TypedArray {
    return this._storage;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return this._storage.length;
  }

  numel(): number {
    return this._storage.length;
  }

  /** Whether gradients flow into this tensor. Int and bool tensors cannot require gradients. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(on: boolean) {
    if (on && !isFloating(this.dtype)) {
      throw new AutogradError(`requiresGrad: only float tensors can require gradients, found dtype ${this.dtype}`);
    }
    this._requiresGrad = on;
  }

  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }

  /** True for tensors created by the user (not by an op that tracks gradients). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** A copy of the values as a typed array. */
  data(): TypedArray {
    activeRecorder()?.recordRead(this, 'data()');
    return this._storage.slice();
  }

  /** The values as nested JS arrays (numbers; booleans for bool tensors). */
  toArray(): NestedArray {
    activeRecorder()?.recordRead(this, 'toArray()');
    const s = this._storage;
    const isBool = this.dtype === 'bool';
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return isBool ? s[offset] !== 0 : s[offset]!;
      const n = this.shape[dim]!;
      let stride = 1;
      for (let i = dim + 1; i < this.shape.length; i++) stride *= this.shape[i]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this._storage.length !== 1) {
      throw new ShapeError(`item: expected a tensor with one element, found shape ${fmtShape(this.shape)}`);
    }
    activeRecorder()?.recordRead(this, 'item()');
    return this._storage[0]!;
  }

  /** A tensor sharing this one's values with no gradient history. */
  detach(): Tensor {
    const out = new Tensor(this._storage, this.shape, this.dtype);
    activeRecorder()?.recordAlias(this, out);
    return out;
  }

  /**
   * Replaces this tensor's values with `value`'s (same shape and dtype), outside autograd.
   * The one in-place path: optimizers and `loadStateDict` use it. Storage is swapped, not
   * written, so tensors saved for an earlier backward keep their values.
   */
  assign_(value: Tensor): this {
    if (value.dtype !== this.dtype) throw new DTypeError(`assign_: expected dtype ${this.dtype}, found ${value.dtype}`);
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(`assign_: expected shape ${fmtShape(this.shape)}, found ${fmtShape(value.shape)}`);
    }
    this._storage = value._storage;
    activeRecorder()?.recordAssign(this, value);
    return this;
  }

  /** Runs reverse-mode autograd from this tensor; gradients accumulate into leaves' `.grad`. */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    runBackward(this, gradient, opts);
  }

  toString(): string {
    return `tensor(${JSON.stringify(this.toArray())}, shape=${fmtShape(this.shape)}, dtype=${this.dtype}${this._requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- methods: each forwards to the function of the same name in ops/ ----
  // elementwise
  add(o: TensorLike): Tensor { return ops.add(this, o); }
  sub(o: TensorLike): Tensor { return ops.sub(this, o); }
  mul(o: TensorLike): Tensor { return ops.mul(this, o); }
  div(o: TensorLike): Tensor { return ops.div(this, o); }
  pow(o: TensorLike): Tensor { return ops.pow(this, o); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  tanh(): Tensor { return ops.tanh(this); }
  maximum(o: TensorLike): Tensor { return ops.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return ops.minimum(this, o); }
  eq(o: TensorLike): Tensor { return ops.eq(this, o); }
  ne(o: TensorLike): Tensor { return ops.ne(this, o); }
  lt(o: TensorLike): Tensor { return ops.lt(this, o); }
  le(o: TensorLike): Tensor { return ops.le(this, o); }
  gt(o: TensorLike): Tensor { return ops.gt(this, o); }
  ge(o: TensorLike): Tensor { return ops.ge(this, o); }
  to(dtype: DType): Tensor { return ops.cast(this, dtype); }
  float(): Tensor { return ops.cast(this, 'float32'); }
  double(): Tensor { return ops.cast(this, 'float64'); }
  int(): Tensor { return ops.cast(this, 'int32'); }
  // reductions
  sum(dim?: number | number[], keepdim = false): Tensor { return ops.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return ops.mean(this, dim, keepdim); }
  // movement
  reshape(...shape: number[] | [number[]]): Tensor { return ops.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return ops.reshape(this, flatArgs(shape)); }
  permute(...dims: number[] | [number[]]): Tensor { return ops.permute(this, flatArgs(dims)); }
  transpose(dim0: number, dim1: number): Tensor { return ops.transpose(this, dim0, dim1); }
  expand(...shape: number[] | [number[]]): Tensor { return ops.expand(this, flatArgs(shape)); }
  // linear algebra
  matmul(o: Tensor): Tensor { return ops.matmul(this, o); }
  // elementwise (more)
  square(): Tensor { return ops.square(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  log1p(): Tensor { return ops.log1p(this); }
  expm1(): Tensor { return ops.expm1(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  sign(): Tensor { return ops.sign(this); }
  floor(): Tensor { return ops.floor(this); }
  ceil(): Tensor { return ops.ceil(this); }
  round(): Tensor { return ops.round(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  logSigmoid(): Tensor { return ops.logSigmoid(this); }
  softplus(beta = 1, threshold = 20): Tensor { return ops.softplus(this, beta, threshold); }
  relu(): Tensor { return ops.relu(this); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor { return ops.gelu(this, approximate); }
  silu(): Tensor { return ops.silu(this); }
  erf(): Tensor { return ops.erf(this); }
  erfinv(): Tensor { return ops.erfinv(this); }
  lgamma(): Tensor { return ops.lgamma(this); }
  digamma(): Tensor { return ops.digamma(this); }
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor { return ops.clamp(this, min, max); }
  isnan(): Tensor { return ops.isnan(this); }
  isinf(): Tensor { return ops.isinf(this); }
  isfinite(): Tensor { return ops.isfinite(this); }
  logicalNot(): Tensor { return ops.logicalNot(this); }
  logicalAnd(o: TensorLike): Tensor { return ops.logicalAnd(this, o); }
  logicalOr(o: TensorLike): Tensor { return ops.logicalOr(this, o); }
  bool(): Tensor { return ops.cast(this, 'bool'); }
  // reductions (more)
  prod(dim?: number | number[], keepdim = false): Tensor { return ops.prod(this, dim, keepdim); }
  amax(dim?: number | number[], keepdim = false): Tensor { return ops.amax(this, dim, keepdim); }
  amin(dim?: number | number[], keepdim = false): Tensor { return ops.amin(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return ops.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return ops.argmin(this, dim, keepdim); }
  var(dim?: number | number[], opts?: ops.VarOptions): Tensor { return ops.variance(this, dim, opts); }
  std(dim?: number | number[], opts?: ops.VarOptions): Tensor { return ops.std(this, dim, opts); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return ops.logsumexp(this, dim, keepdim); }
  softmax(dim: number): Tensor { return ops.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return ops.logSoftmax(this, dim); }
  cumsum(dim: number): Tensor { return ops.cumsum(this, dim); }
  any(dim?: number | number[], keepdim = false): Tensor { return ops.any(this, dim, keepdim); }
  all(dim?: number | number[], keepdim = false): Tensor { return ops.all(this, dim, keepdim); }
  // movement (more)
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  squeeze(dim?: number | number[]): Tensor { return ops.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return ops.slice(this, dim, start, end, step); }
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] { return ops.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }
  flip(dims: number | readonly number[]): Tensor { return ops.flip(this, dims); }
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return ops.roll(this, shifts, dims); }
  repeat(...repeats: number[] | [number[]]): Tensor { return ops.repeat(this, flatArgs(repeats)); }
  tril(diagonal = 0): Tensor { return ops.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return ops.triu(this, diagonal); }
  indexSelect(dim: number, index: Tensor): Tensor { return ops.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return ops.scatterAdd(this, dim, index, src); }
  // ---- end of methods ----
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
}

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * Creates a tensor from nested arrays, a typed array or a number. JS numbers default to
 * float32 (JS cannot tell 1 from 1.0); pass `{dtype: 'int32'}` for integers. Booleans give bool.
 */
export function tensor(values: NestedArray | TypedArray, opts: TensorOptions = {}): Tensor {
  let out: Tensor;
  if (ArrayBuffer.isView(values)) {
    const src = values as TypedArray;
    const dtype = opts.dtype ?? dtypeOfArray(src);
    assertDType(dtype, 'tensor: dtype');
    const storage = allocate(dtype, src.length);
    storage.set(src as ArrayLike<number>);
    out = new Tensor(storage, [src.length], dtype);
  } else {
    const shape: number[] = [];
    let probe: NestedArray = values;
    while (Array.isArray(probe)) {
      shape.push(probe.length);
      probe = probe[0] as NestedArray;
      if (probe === undefined) break;
    }
    const dtype = opts.dtype ?? (typeof probe === 'boolean' ? 'bool' : 'float32');
    assertDType(dtype, 'tensor: dtype');
    const storage = allocate(dtype, sizeOf(shape));
    let k = 0;
    const fill = (v: NestedArray, dim: number, path: string) => {
      if (dim === shape.length) {
        if (Array.isArray(v)) throw new ShapeError(`tensor: ragged nested array at ${path}: expected a number, found an array`);
        storage[k++] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[dim]) {
        throw new ShapeError(`tensor: ragged nested array at ${path}: expected length ${shape[dim]}, found ${Array.isArray(v) ? v.length : 'a scalar'}`);
      }
      for (let i = 0; i < v.length; i++) fill(v[i]!, dim + 1, `${path}[${i}]`);
    };
    fill(values, 0, 'values');
    out = new Tensor(storage, shape, dtype);
  }
  if (opts.requiresGrad) out.requiresGrad = true;
  return out;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number | boolean, opts: TensorOptions = {}): Tensor {
  assertShape(shape, 'full');
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  assertDType(dtype, 'full: dtype');
  const storage = allocate(dtype, sizeOf(shape));
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (v !== 0) storage.fill(v);
  const t = new Tensor(storage, shape, dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

export function zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: Shape, opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/** Values from `start` to `end` (exclusive) by `step`, like torch.arange. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ArgumentError('arange: step must be non-zero, found 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? 'float32';
  const storage = allocate(dtype, n);
  for (let i = 0; i < n; i++) storage[i] = start + i * step;
  const t = new Tensor(storage, [n], dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** `steps` evenly spaced values from `start` to `end` inclusive, like torch.linspace. */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ArgumentError(`linspace: steps must be a non-negative integer, found ${steps}`);
  const dtype = opts.dtype ?? 'float32';
  const storage = allocate(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Same symmetric formula as PyTorch: first half from start, second half from end.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) storage[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  if (steps === 1) storage[0] = start; // torch: a single step is `start`
  const t = new Tensor(storage, [steps], dtype);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** The identity matrix (n × m). */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const t = zeros([n, m], opts);
  const s = t.storage;
  for (let i = 0; i < Math.min(n, m); i++) s[i * m + i] = 1;
  return t;
}
