import {
  ArgumentError, type FloatDType, ShapeError, type Tensor, add, div, mean, mul, noGrad, ones, reciprocal, reshape, sqrt, sub, zeros,
} from '@likelihood/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkFloatInput, checkInt, checkPositive, floatDType, fmtShape } from './util.js';

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /**
   * Weight of the current batch in the running statistics (default 0.1):
   * running = (1 − momentum)·running + momentum·batch. `null` gives a cumulative average.
   */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros); default true. */
  affine?: boolean;
  /** Keep running_mean / running_var / num_batches_tracked buffers and use them in eval (default true). */
  trackRunningStats?: boolean;
  dtype?: FloatDType;
}

/**
 * Batch normalisation over channel dim 1 (torch.nn.modules.batchnorm._BatchNorm). Training
 * normalises with the batch mean and biased variance and updates the running mean and the
 * running *unbiased* variance; eval uses the running statistics. Buffers carry torch's names;
 * num_batches_tracked is int32 here (torch: int64), a scalar like torch's.
 */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  protected abstract readonly layerName: string;
  /** Checks the input's rank (channel count is checked by the base). */
  protected abstract checkInputDim(x: Tensor): void;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    const name = new.target.name;
    checkInt(name, 'numFeatures', numFeatures, 1);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    checkPositive(name, 'eps', this.eps, true);
    const m = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (m !== null && !(typeof m === 'number' && m >= 0 && m <= 1)) {
      throw new ArgumentError(`${name}: momentum must be a number in [0, 1] or null (cumulative average), found ${String(m)}`);
    }
    this.momentum = m;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = floatDType(name, opts.dtype);
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', ones([numFeatures], { dtype }));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** Resets running_mean to 0, running_var to 1 and num_batches_tracked to 0. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      const rm = this.buffer('running_mean');
      const rv = this.buffer('running_var');
      rm.assign_(zeros(rm.shape, { dtype: rm.dtype }));
      rv.assign_(ones(rv.shape, { dtype: rv.dtype }));
      this.buffer('num_batches_tracked').assign_(zeros([], { dtype: 'int32' }));
    });
  }

  forward(x: Tensor): Tensor {
    const name = this.layerName;
    checkFloatInput(name, x);
    this.checkInputDim(x);
    const C = this.numFeatures;
    const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)]; // every dim but C
    const bshape = [1, C, ...new Array<number>(x.ndim - 2).fill(1)];
    const useBatchStats = this.training || !this.trackRunningStats;
    let y: Tensor;
    if (useBatchStats) {
      const n = x.size / C; // values per channel
      if (this.training && n <= 1) {
        throw new ArgumentError(`${name}: expected more than 1 value per channel when training, found input of shape ${fmtShape(x.shape)}`);
      }
      const mu = mean(x, dims, true); // (1, C, 1, ...)
      const xc = sub(x, mu);
      const v = mean(mul(xc, xc), dims, true); // biased, for normalisation
      y = div(xc, sqrt(add(v, this.eps)));
      if (this.training && this.trackRunningStats) this.updateRunningStats(mu, v, n);
    } else {
      const rm = reshape(this.buffer('running_mean'), bshape);
      const rv = reshape(this.buffer('running_var'), bshape);
      y = div(sub(x, rm), sqrt(add(rv, this.eps)));
    }
    if (this.weight) y = mul(y, reshape(this.weight, bshape));
    if (this.bias) y = add(y, reshape(this.bias, bshape));
    return y;
  }

  /**
   * running ← (1 − f)·running + f·batch with f = momentum, or 1/num_batches_tracked when
   * momentum is null. Written with tensor ops only (no reads of values), so a traced training
   * step whose inputs include the buffers replays the update, counter included.
   */
  private updateRunningStats(mu: Tensor, biasedVar: Tensor, n: number): void {
    noGrad(() => {
      const nbt = this.buffer('num_batches_tracked');
      const rm = this.buffer('running_mean');
      const rv = this.buffer('running_var');
      const count = add(nbt, 1); // int32 scalar
      const f: Tensor | number = this.momentum ?? reciprocal(count.to(rm.dtype));
      const keep: Tensor | number = typeof f === 'number' ? 1 - f : sub(1, f);
      const C = this.numFeatures;
      const batchMean = reshape(mu.detach(), [C]).to(rm.dtype);
      const unbiased = reshape(biasedVar.detach(), [C]).mul(n / (n - 1)).to(rv.dtype);
      const newMean = add(mul(rm, keep), mul(batchMean, f));
      const newVar = add(mul(rv, keep), mul(unbiased, f));
      nbt.assign_(count);
      rm.assign_(newMean);
      rv.assign_(newVar);
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch normalisation of (N, C) or (N, C, L) input (torch.nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNormBase {
  protected readonly layerName = 'BatchNorm1d';

  protected checkInputDim(x: Tensor): void {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm1d: expected input of shape (N, ${this.numFeatures}) or (N, ${this.numFeatures}, L), found shape ${fmtShape(x.shape)}`);
    }
  }
}

/** Batch normalisation of (N, C, H, W) input (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  protected readonly layerName = 'BatchNorm2d';

  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm2d: expected input of shape (N, ${this.numFeatures}, H, W), found shape ${fmtShape(x.shape)}`);
    }
  }
}

export type { BatchNormBase };
