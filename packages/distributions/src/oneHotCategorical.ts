import { type Generator, type Tensor, oneHot } from '@likelihood/core';
import { Categorical } from './categorical.js';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL, klDivergence } from './kl.js';
import type { ProbsOrLogits } from './params.js';

/** Categorical whose samples are one-hot vectors (event shape [K]). */
export class OneHotCategorical extends Distribution {
  readonly categorical: Categorical;
  constructor(params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const cat = new Categorical(params, opts);
    super(cat.batchShape, [cat.numEvents], opts);
    this.categorical = cat;
  }
  get argConstraints() {
    return this.categorical.argConstraints;
  }
  get support() {
    return C.independent(C.boolean, 1); // one-hot vectors
  }
  get probs() {
    return this.categorical.probs;
  }
  get logits() {
    return this.categorical.logits;
  }
  override get mean() {
    return this.categorical.probs;
  }
  override get mode() {
    return oneHot(this.categorical.mode, this.categorical.numEvents).to(this.probs.dtype);
  }
  override get variance() {
    return this.probs.mul(this.probs.neg().add(1));
  }
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return oneHot(this.categorical.sample(sampleShape, generator), this.categorical.numEvents).to(this.probs.dtype);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    return value.mul(this.categorical.logits).sum(-1);
  }
  override entropy(): Tensor {
    return this.categorical.entropy();
  }
  expand(batchShape: readonly number[]): OneHotCategorical {
    const e = this.categorical.expand(batchShape);
    return new OneHotCategorical({ logits: e.logits }, { validateArgs: false });
  }
}

registerKL(OneHotCategorical, OneHotCategorical, (p, q) => klDivergence(p.categorical, q.categorical));
