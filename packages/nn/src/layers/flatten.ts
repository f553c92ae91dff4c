import { ArgumentError, ShapeError, type Tensor, flatten } from '@likelihood/core';
import { Module } from '../module.js';
import { fmtShape } from './util.js';

/** Flattens dims startDim..endDim into one (torch.nn.Flatten: default 1..−1, keeping the batch dim). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim)) {
      throw new ArgumentError(`Flatten: startDim and endDim must be integers, found ${String(startDim)}, ${String(endDim)}`);
    }
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(x: Tensor): Tensor {
    const n = Math.max(x.ndim, 1);
    const s = this.startDim < 0 ? this.startDim + n : this.startDim;
    const e = this.endDim < 0 ? this.endDim + n : this.endDim;
    if (s < 0 || s >= n || e < 0 || e >= n || s > e) {
      throw new ShapeError(`Flatten: expected startDim ${this.startDim} <= endDim ${this.endDim} within the dims of the input, found shape ${fmtShape(x.shape)}`);
    }
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Expands dim `dim` into `unflattenedSize` (torch.nn.Unflatten), e.g. (N, 784) → (N, 1, 28, 28). */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`Unflatten: dim must be an integer, found ${String(dim)}`);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || unflattenedSize.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1)) || unflattenedSize.filter((d) => d === -1).length > 1) {
      throw new ArgumentError(`Unflatten: unflattenedSize must be a non-empty list of positive integers (at most one -1), found ${JSON.stringify(unflattenedSize)}`);
    }
    this.dim = dim;
    this.unflattenedSize = Object.freeze([...unflattenedSize]);
  }

  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    const n = x.shape[d];
    const known = this.unflattenedSize.reduce((a, b) => (b === -1 ? a : a * b), 1);
    const ok = d >= 0 && d < x.ndim && (this.unflattenedSize.includes(-1) ? n! % known === 0 : n === known);
    if (!ok) {
      throw new ShapeError(`Unflatten: expected dim ${this.dim} of the input to hold ${fmtShape(this.unflattenedSize)} (${known} values), found shape ${fmtShape(x.shape)}`);
    }
    const sizes = this.unflattenedSize.map((s) => (s === -1 ? n! / known : s));
    return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${fmtShape(this.unflattenedSize)}`;
  }
}
