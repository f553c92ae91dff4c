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
