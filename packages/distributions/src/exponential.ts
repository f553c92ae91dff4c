import { type Generator, type Tensor, type TensorLike, exp, log, log1p, rand } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { broadcastAll } from './utils.js';

/** Exponential(rate): density rate·e^{−rate·x} on x ≥ 0. */
export class Exponential extends Distribution {
  readonly rate: Tensor;
  override readonly hasRsample = true;
  constructor(rate: TensorLike, opts: DistributionOptions = {}) {
    const [r] = broadcastAll('Exponential', rate);
    super(r!.shape, [], opts);
    this.rate = r!;
    this.checkParams({ rate: this.rate });
  }
  get argConstraints() {
    return { rate: C.positive };
  }
  get support() {
    return C.nonnegative;
  }
  override get mean() {
    return this.rate.pow(-1);
  }
  override get mode() {
    return this.rate.mul(0);
  }
  override get variance() {
    return this.rate.pow(-2);
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const u = rand(this.extendedShape(sampleShape), { dtype: this.rate.dtype, generator });
    return log1p(u.neg()).neg().div(this.rate); // inverse cdf
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    return log(this.rate).sub(this.rate.mul(value));
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    return exp(this.rate.mul(value).neg()).neg().add(1);
  }
  override icdf(p: Tensor): Tensor {
    this.checkProb(p);
    return log1p(p.neg()).neg().div(this.rate);
  }
  override entropy(): Tensor {
    return log(this.rate).neg().add(1);
  }
  expand(batchShape: readonly number[]): Exponential {
    return new Exponential(this.rate.expand([...batchShape]), { validateArgs: false });
  }
}

registerKL(Exponential, Exponential, (p, q) => {
  const ratio = q.rate.div(p.rate);
  return log(ratio).neg().add(ratio).sub(1);
});
