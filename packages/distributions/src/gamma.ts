import { type Generator, type Tensor, type TensorLike, broadcastShapes, digamma, lgamma, log, maximum } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { gammainc, standardGammaRsample, xlogy } from './math.js';
import { broadcastAll } from './utils.js';

/**
 * Gamma(concentration α, rate β): density β^α x^{α−1} e^{−βx} / Γ(α).
 * rsample is x = g/β with g ~ Gamma(α, 1); gradients reach β directly and α through torch's implicit
 * reparameterisation (dg/dα = −(∂F/∂α)/f at the drawn g).
 */
export class Gamma extends Distribution {
  readonly concentration: Tensor;
  readonly rate: Tensor;
  override readonly hasRsample = true;
  constructor(concentration: TensorLike, rate: TensorLike, opts: DistributionOptions = {}) {
    const [a, b] = broadcastAll('Gamma', concentration, rate);
    super(a!.shape, [], opts);
    this.concentration = a!;
    this.rate = b!;
    this.checkParams({ concentration: this.concentration, rate: this.rate });
  }
  get argConstraints() {
    return { concentration: C.positive, rate: C.positive };
  }
  get support() {
    return C.nonnegative;
  }
  override get mean() {
    return this.concentration.div(this.rate);
  }
  override get mode() {
    return maximum(this.concentration.sub(1).div(this.rate), 0);
  }
  override get variance() {
    return this.concentration.div(this.rate.square());
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const shape = this.extendedShape(sampleShape);
    return standardGammaRsample(this.concentration.expand(shape), generator).div(this.rate);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const a = this.concentration;
    // xlogy(α − 1, x): α = 1 at x = 0 gives 0, as torch
    return a.mul(log(this.rate)).add(xlogy(a.sub(1).expand(broadcastShapes('Gamma.logProb', a.shape, value.shape)), value)).sub(this.rate.mul(value)).sub(lgamma(a));
  }
  /** P(α, β·x), the regularised lower incomplete gamma (torch's gammainc); gradient in x is the density. */
  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    return gammainc(this.concentration, this.rate.mul(value));
  }
  override entropy(): Tensor {
    const a = this.concentration;
    return a.sub(log(this.rate)).add(lgamma(a)).add(a.neg().add(1).mul(digamma(a)));
  }
  expand(batchShape: readonly number[]): Gamma {
    return new Gamma(this.concentration.expand([...batchShape]), this.rate.expand([...batchShape]), { validateArgs: false });
  }
}

registerKL(Gamma, Gamma, (p, q) => {
  const t1 = q.concentration.mul(log(p.rate.div(q.rate)));
  const t2 = lgamma(q.concentration).sub(lgamma(p.concentration));
  const t3 = p.concentration.sub(q.concentration).mul(digamma(p.concentration));
  const t4 = q.rate.sub(p.rate).mul(p.concentration.div(p.rate));
  return t1.add(t2).add(t3).add(t4);
});
