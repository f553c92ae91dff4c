import { type Generator, type Tensor, type TensorLike, abs, arange, bernoulli, broadcastShapes, exp, floor, lgamma, log1p, maximum, minimum, noGrad, sigmoid, where } from '@likelihood/core';

const softplusExact = (x: Tensor) => maximum(x, 0).add(log1p(exp(abs(x).neg())));
import * as C from './constraints.js';
import { Distribution, type DistributionOptions, NotImplementedError } from './distribution.js';
import { registerKL } from './kl.js';
import { type ProbsOrLogits, oneOf, probsToLogitsBinary } from './params.js';
import { broadcastAll } from './utils.js';

/** Binomial(totalCount n, probs or logits): successes in n Bernoulli trials. */
export class Binomial extends Distribution {
  readonly totalCount: Tensor;
  readonly probs: Tensor;
  readonly logits: Tensor;
  private readonly given: 'probs' | 'logits';
  constructor(totalCount: TensorLike, params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const given = oneOf('Binomial', params);
    const [n, p] = broadcastAll('Binomial', totalCount, params[given]!);
    super(n!.shape, [], opts);
    this.given = given;
    this.totalCount = n!;
    this.probs = given === 'probs' ? p! : sigmoid(p!);
    this.logits = given === 'logits' ? p! : probsToLogitsBinary(p!);
    this.checkParams({ totalCount: this.totalCount, [given]: p! });
  }
  get argConstraints() {
    return { totalCount: C.nonnegativeInteger, probs: C.unitInterval, logits: C.real };
  }
  get support() {
    return C.integerInterval(0, this.totalCount);
  }
  override get mean() {
    return this.totalCount.mul(this.probs);
  }
  override get mode() {
    return minimum(floor(this.totalCount.add(1).mul(this.probs)), this.totalCount);
  }
  override get variance() {
    return this.totalCount.mul(this.probs).mul(this.probs.neg().add(1));
  }
  /** Sums max(n) Bernoulli draws, masking trials beyond each element's n. */
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return noGrad(() => {
      const shape = this.extendedShape(sampleShape);
      const nMax = Math.max(0, ...Array.from(this.totalCount.storage as ArrayLike<number>));
      const p = this.probs.detach().expand(shape).reshape([...shape, 1]).expand([...shape, nMax]); // (..., nMax)
      const trials = bernoulli(p, { generator });
      const live = arange(0, nMax, 1, { dtype: p.dtype }).lt(this.totalCount.reshape([...this.totalCount.shape, 1])).to(p.dtype);
      return trials.mul(live).sum(-1);
    });
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const n = this.totalCount;
    const l = this.logits;
    const logFact = lgamma(n.add(1)).sub(lgamma(value.add(1))).sub(lgamma(n.sub(value).add(1)));
    // n·log(1 + e^l) = n·(max(l, 0) + log1p(e^{−|l|}))
    const normalize = n.mul(maximum(l, 0)).add(n.mul(log1p(exp(abs(l).neg()))));
    return value.mul(l).add(logFact).sub(normalize);
  }
  expand(batchShape: readonly number[]): Binomial {
    const b = [...batchShape];
    return new Binomial(this.totalCount.expand(b), { [this.given]: this[this.given].expand(b) }, { validateArgs: false });
  }
}

// n·(p(lp − lq) + log(1 − p) − log(1 − q)) for equal total counts; +∞ where p.n > q.n; p.n < q.n throws (as torch).
registerKL(Binomial, Binomial, (p, q) => {
  const shape = broadcastShapes('klDivergence(Binomial, Binomial)', p.batchShape, q.batchShape);
  const np = p.totalCount.expand(shape);
  const nq = q.totalCount.expand(shape);
  if (Array.from(np.lt(nq).storage as ArrayLike<number>).some((b) => b)) {
    throw new NotImplementedError('klDivergence(Binomial, Binomial): q.totalCount > p.totalCount is not implemented (as torch)');
  }
  // log(1 − p) = −softplus(logit p)
  const kl = np.mul(p.probs.mul(p.logits.sub(q.logits)).sub(softplusExact(p.logits)).add(softplusExact(q.logits)));
  return where(np.gt(nq), Infinity, kl);
});
