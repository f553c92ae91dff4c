import { type Generator, type Tensor, abs, broadcastShapes, clamp, exp, floor, log, log1p, logicalAnd, maximum, noGrad, rand, sigmoid, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { type ProbsOrLogits, oneOf, probsToLogitsBinary } from './params.js';

const softplus = (x: Tensor) => maximum(x, 0).add(log1p(exp(abs(x).neg())));

/** Geometric: the number of failures before the first success, P(k) = (1 − p)^k p. */
export class Geometric extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;
  /** Which parameterisation was passed to the constructor. */
  readonly given: 'probs' | 'logits';
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
    if (this.given === 'logits') {
      // k·log(1 − p) + log p = −k·softplus(l) − softplus(−l), exact for every finite logit
      return value.mul(softplus(this.logits)).neg().sub(softplus(this.logits.neg()));
    }
    // k·log1p(−p) + log p, with p = 1, k = 0 giving 0 (torch's mask, and its gradient 1/p)
    const p = this.probs;
    const shape = broadcastShapes('Geometric.logProb', value.shape, p.shape);
    const pm = where(logicalAnd(p.eq(1), value.eq(0)), 0, p.expand(shape));
    return value.mul(log1p(pm.neg())).add(log(p));
  }
  /** H = −log p − (1 − p)/p · log(1 − p), in a form exact for every p in (0, 1] and every finite logit. */
  override entropy(): Tensor {
    if (this.given === 'logits') {
      // softplus(−l) + e^{−l}·softplus(l), with e^{−l}·softplus(l) = exp(log softplus(l) − l) (log softplus(l) = l below −37)
      const l = this.logits;
      const logSp = where(l.lt(-37), l, log(softplus(maximum(l, -37))));
      return softplus(l.neg()).add(exp(logSp.sub(l)));
    }
    const p = this.probs;
    const one = p.eq(1);
    const ps = where(one, 0.5, p); // keeps log1p(−p) finite in the unselected branch (and its gradient)
    return where(one, 0, log(ps).neg().sub(ps.neg().add(1).div(ps).mul(log1p(ps.neg()))));
  }
  expand(batchShape: readonly number[]): Geometric {
    return new Geometric({ [this.given]: this[this.given].expand([...batchShape]) }, { validateArgs: false });
  }
}

// As torch: −H(p) − log(1 − q)/p − logit(q), with log(1 − q) = −softplus(logit q)
registerKL(Geometric, Geometric, (p, q) => p.entropy().neg().add(softplus(q.logits).div(p.probs)).sub(q.logits));
