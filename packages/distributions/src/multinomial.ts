import { type Generator, type Tensor, arange, clamp, exp, lgamma, log1p, noGrad, oneHot, where } from '@likelihood/core';
import { lgammaScalar } from './math.js';
import { Categorical } from './categorical.js';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { type ProbsOrLogits, tiny as tinyOf } from './params.js';
import { ArgumentError } from '@likelihood/core';

/** Multinomial(totalCount, probs or logits): counts of each of K categories in totalCount draws. */
export class Multinomial extends Distribution {
  readonly totalCount: number;
  readonly categorical: Categorical;
  constructor(totalCount: number, params: ProbsOrLogits, opts: DistributionOptions = {}) {
    if (!Number.isInteger(totalCount) || totalCount < 0) {
      throw new ArgumentError(`Multinomial: totalCount must be a non-negative integer, found ${totalCount}`);
    }
    const cat = new Categorical(params, opts);
    super(cat.batchShape, [cat.numEvents], opts);
    this.totalCount = totalCount;
    this.categorical = cat;
  }
  get argConstraints() {
    return this.categorical.argConstraints;
  }
  get support() {
    return C.independent(C.integerInterval(0, this.totalCount), 1);
  }
  get probs() {
    return this.categorical.probs;
  }
  get logits() {
    return this.categorical.logits;
  }
  override get mean() {
    return this.probs.mul(this.totalCount);
  }
  override get variance() {
    return this.probs.mul(this.probs.neg().add(1)).mul(this.totalCount);
  }
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return noGrad(() => {
      const draws = this.categorical.sample([this.totalCount, ...sampleShape], generator); // (n, sample..., batch...)
      return oneHot(draws, this.categorical.numEvents).to(this.probs.dtype).sum(0); // (sample..., batch..., K)
    });
  }
  /** log n! − Σ log xᵢ! + Σ xᵢ log pᵢ (0·log 0 = 0). */
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const logits = this.categorical.logits;
    const terms = where(value.eq(0), 0, value.mul(logits));
    return lgamma(value.sum(-1).add(1)).sub(lgamma(value.add(1)).sum(-1)).add(terms.sum(-1));
  }
  /**
   * H = n·H(categorical) − log n! + Σ_i Σ_{k=1..n} Binomial(k; n, p_i)·log k! (as torch),
   * exact by summing over the binomial marginals.
   */
  override entropy(): Tensor {
    const n = this.totalCount;
    const p = this.probs; // (..., K)
    const term1 = this.categorical.entropy().mul(n).sub(lgammaScalar(n + 1));
    const ks = arange(1, n + 1, 1, { dtype: p.dtype }); // (n)
    const kk = ks.reshape([n, ...p.shape.map(() => 1)]); // (n, 1.., 1)
    const logBinom = lgamma(kk.mul(0).add(n + 1)).sub(lgamma(kk.add(1))).sub(lgamma(kk.neg().add(n + 1)))
      .add(kk.mul(clamp(p, tinyOf(p)).log())).add(kk.neg().add(n).mul(log1p(p.neg()))); // (n, ..., K)
    const term2 = exp(logBinom).mul(lgamma(kk.add(1))).sum(0).sum(-1);
    return term1.add(term2);
  }

  expand(batchShape: readonly number[]): Multinomial {
    return new Multinomial(this.totalCount, { logits: this.categorical.expand(batchShape).logits }, { validateArgs: false });
  }
}
