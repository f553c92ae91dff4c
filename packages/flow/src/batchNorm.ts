import { ArgumentError, type Tensor, noGrad, ones, zeros } from '@likelihood/core';
import { Parameter } from '@likelihood/nn';
import { Bijector } from './bijector.js';
import { type EventDim, checkChannels, checkEventDim, perChannel, positionsPerChannel, statDims } from './channels.js';

export interface BatchNormBijectorOptions {
  eventDim?: EventDim;
  /** running = (1 − momentum)·running + momentum·batch (default 0.1). */
  momentum?: number;
  eps?: number;
  dtype?: 'float32' | 'float64';
}

/**
 * Batch normalisation as a bijector (RealNVP, MAF): data → noise
 * x = (y − μ)/√(σ² + ε)·exp(γ) + β, log|det ∂x/∂y| = (H·W)·Σ [γ − ½ log(σ² + ε)].
 * In training mode the inverse uses the batch's mean and biased variance (treated as
 * constants of the map, as in the MAF paper) and updates the running averages; in eval mode,
 * and always in the forward (sampling) direction, the running statistics are used.
 */
export class BatchNormBijector extends Bijector {
  readonly eventDim: EventDim;
  readonly features: number;
  readonly momentum: number;
  readonly eps: number;
  logGamma: Parameter;
  beta: Parameter;
  declare running_mean: Tensor;
  declare running_var: Tensor;

  constructor(features: number, opts: BatchNormBijectorOptions = {}) {
    super();
    this.eventDim = checkEventDim('BatchNormBijector', opts.eventDim ?? 1);
    this.features = features;
    this.momentum = opts.momentum ?? 0.1;
    this.eps = opts.eps ?? 1e-5;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ArgumentError(`BatchNormBijector: momentum must be in [0, 1], found ${this.momentum}`);
    if (!(this.eps > 0)) throw new ArgumentError(`BatchNormBijector: eps must be positive, found ${this.eps}`);
    const dtype = opts.dtype ?? 'float32';
    this.logGamma = new Parameter(zeros([features], { dtype }));
    this.beta = new Parameter(zeros([features], { dtype }));
    this.registerBuffer('running_mean', zeros([features], { dtype }));
    this.registerBuffer('running_var', ones([features], { dtype }));
  }

  private logDet(v: Tensor, variance: Tensor): Tensor {
    const perExample = this.logGamma.sub(variance.add(this.eps).log().mul(0.5)).sum().mul(positionsPerChannel(v, this.eventDim));
    return perExample.expand([v.shape[0]!]);
  }

  /** noise → data with the running statistics. */
  forward(x: Tensor) {
    checkChannels('BatchNormBijector.forward', x, this.features, this.eventDim);
    const pc = (p: Tensor) => perChannel(p, this.eventDim);
    const y = x.sub(pc(this.beta)).mul(pc(this.logGamma.neg().exp())).mul(pc(this.running_var.add(this.eps).sqrt())).add(pc(this.running_mean));
    return { y, logAbsDet: this.logDet(x, this.running_var).neg() };
  }

  /** data → noise: batch statistics in training mode (updating the running ones), running statistics in eval. */
  inverse(y: Tensor) {
    checkChannels('BatchNormBijector.inverse', y, this.features, this.eventDim);
    let mean = this.running_mean as Tensor;
    let variance = this.running_var as Tensor;
    if (this.training) {
      const dims = statDims(this.eventDim);
      mean = y.mean(dims);
      variance = y.sub(perChannel(mean, this.eventDim)).square().mean(dims);
      noGrad(() => {
        const m = this.momentum;
        this.running_mean.assign_(this.running_mean.mul(1 - m).add(mean.detach().mul(m)).to(this.running_mean.dtype));
        this.running_var.assign_(this.running_var.mul(1 - m).add(variance.detach().mul(m)).to(this.running_var.dtype));
      });
    }
    const pc = (p: Tensor) => perChannel(p, this.eventDim);
    const x = y.sub(pc(mean)).div(pc(variance.add(this.eps).sqrt())).mul(pc(this.logGamma.exp())).add(pc(this.beta));
    return { x, logAbsDet: this.logDet(y, variance) };
  }
}
