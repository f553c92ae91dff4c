import { type Generator, type Tensor, abs, clamp, exp, floor, log, log1p, maximum, noGrad, rand, sigmoid } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { type ProbsOrLogits, oneOf, probsToLogitsBinary } from './params.js';

const softplus = (x: Tensor) => maximum(x, 0).add(log1p(exp(abs(x).neg())));

/** Geometric: the number of failures before the first success, P(k) = (1 − p)^k p. */
export class Geometric extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;
  private readonly given: 'probs' | 'logits';
  constructor(params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const given = oneOf('Geometric', params);
    const p = params[given]!;
    super(p.shape, [], opts);
    this.given = given;
    this.probs = given === 'probs' ? p : sigmoid(p);
    this.logits = given === 'logits' ? p : probsToLogitsBinary(p);
    this.checkParams({ [given]: p });
  }
  get argConstraints() {
    return { probs: C.interval(0, 1), logits: C.real };
  }
  get support() {
    return C.nonnegativeInteger;
  }
  override get mean() {
    return this.probs.pow(-1).sub(1);
  }
  override get mode() {
    return this.probs.mul(0);
  }
  override get variance() {
    return this.probs.pow(-1).sub(1).div(this.probs);
  }
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return noGrad(() => {
      const tinyU = this.probs.dtype === 'float64' ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
      const u = clamp(rand(this.extendedShape(sampleShape), { dtype: this.probs.dtype, generator }), tinyU);
      return floor(log(u).div(log1p(this.probs.detach().neg())));
    });
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    // k·log(1 − p) + log p, written with logits: −k·softplus(l) − softplus(−l); p = 1 and k = 0 gives 0
    return value.mul(softplus(this.logits)).neg().sub(softplus(this.logits.neg()));
  }
  override entropy(): Tensor {
    // bceWithLogits(l, p) / p
    const bce = softplus(this.logits).sub(this.probs.mul(this.logits));
    return bce.div(this.probs);
  }
  expand(batchShape: readonly number[]): Geometric {
    return new Geometric({ [this.given]: this[this.given].expand([...batchShape]) }, { validateArgs: false });
  }
}
