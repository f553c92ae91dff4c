import { type Tensor, noGrad, ones, zeros } from '@likelihood/core';
import { Parameter } from '@likelihood/nn';
import { Bijector } from '../bijector.js';
import { type EventDim, checkChannels, checkEventDim, perChannel, positionsPerChannel, statDims } from '../channels.js';

export interface ActNormOptions {
  /** 1 for vectors [N, D] (default), 3 for images [N, C, H, W]. */
  eventDim?: EventDim;
  dtype?: 'float32' | 'float64';
}

/**
 * Glow's activation normalisation: a per-channel affine map, noise → data y = x·exp(s) + b,
 * log|det| = (H·W)·Σ s. Data-dependent initialisation: the first data → noise pass (inverse)
 * in training mode sets b and s to the batch's per-channel mean and log std, so that batch
 * comes out with zero mean and unit variance. `initialized` is a buffer, so a loaded
 * checkpoint is not re-initialised.
 */
export class ActNorm extends Bijector {
  readonly eventDim: EventDim;
  readonly features: number;
  logScale: Parameter;
  bias: Parameter;
  declare initialized: Tensor;

  constructor(features: number, opts: ActNormOptions = {}) {
    super();
    this.eventDim = checkEventDim('ActNorm', opts.eventDim ?? 1);
    this.features = features;
    const dtype = opts.dtype ?? 'float32';
    this.logScale = new Parameter(zeros([features], { dtype }));
    this.bias = new Parameter(zeros([features], { dtype }));
    this.registerBuffer('initialized', zeros([], { dtype: 'int32' }));
  }

  /** Sets b and s from a data batch y so that the inverse maps it to zero mean and unit variance per channel. */
  initializeFrom(y: Tensor): void {
    noGrad(() => {
      const dims = statDims(this.eventDim);
      const mean = y.mean(dims);
      const std = y.sub(perChannel(mean, this.eventDim)).square().mean(dims).add(1e-6).sqrt();
      this.bias.assign_(mean.to(this.bias.dtype));
      this.logScale.assign_(std.log().to(this.logScale.dtype));
      this.initialized.assign_(ones([], { dtype: 'int32' }));
    });
  }

  private logDet(x: Tensor): Tensor {
    const perExample = this.logScale.sum().mul(positionsPerChannel(x, this.eventDim));
    return perExample.expand([x.shape[0]!]);
  }

  forward(x: Tensor) {
    checkChannels('ActNorm.forward', x, this.features, this.eventDim);
    const y = x.mul(perChannel(this.logScale, this.eventDim).exp()).add(perChannel(this.bias, this.eventDim));
    return { y, logAbsDet: this.logDet(x) };
  }

  inverse(y: Tensor) {
    checkChannels('ActNorm.inverse', y, this.features, this.eventDim);
    if (this.training && this.initialized.item() === 0) this.initializeFrom(y);
    const x = y.sub(perChannel(this.bias, this.eventDim)).mul(perChannel(this.logScale, this.eventDim).neg().exp());
    return { x, logAbsDet: this.logDet(y).neg() };
  }
}
