import { type Generator, type Tensor, abs, bernoulli, binaryCrossEntropyWithLogits, broadcastShapes, exp, log1p, maximum, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { type ProbsOrLogits, logitsToProbsBinary, oneOf, probsToLogitsBinary } from './params.js';

/** log(1 + e^x), exact for every finite x. */
const softplus = (x: Tensor) => maximum(x, 0).add(log1p(exp(abs(x).neg())));

/** Bernoulli over {0, 1}, parameterised by probs or logits (log-odds). */
export class Bernoulli extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;
  private readonly given: 'probs' | 'logits';

  constructor(params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const given = oneOf('Bernoulli', params);
    const p = params[given]!;
    super(p.shape, [], opts);
    this.given = given;
    this.probs = given === 'probs' ? p : logitsToProbsBinary(p);
    this.logits = given === 'logits' ? p : probsToLogitsBinary(p);
    this.checkParams({ [given]: p });
  }

  get argConstraints() {
    return { probs: C.unitInterval, logits: C.real };
  }
  get support() {
    return C.boolean;
  }
  override get mean() {
    return this.probs;
  }
  override get mode() {
    // 1 where p > ½, 0 where p < ½, NaN at ½ (as torch)
    return where(this.probs.eq(0.5), NaN, this.probs.gt(0.5).to(this.probs.dtype));
  }
  override get variance() {
    return this.probs.mul(this.probs.neg().add(1));
  }

  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return bernoulli(this.probs.detach().expand(this.extendedShape(sampleShape)), { generator });
  }

  /** −bceWithLogits(logits, value) = v·l − softplus(l). */
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    // −BCE-with-logits, as torch: one fused loop each way (core) once both have the batch shape
    // (expand and to return their input when there is nothing to do)
    const shape = broadcastShapes('Bernoulli.logProb', value.shape, this.logits.shape);
    const l = this.logits.expand(shape);
    return binaryCrossEntropyWithLogits(l, value.expand(shape).to(l.dtype)).neg();
  }

  override entropy(): Tensor {
    // H = softplus(l) − p·l
    return softplus(this.logits).sub(this.probs.mul(this.logits));
  }

  expand(batchShape: readonly number[]): Bernoulli {
    const p = this[this.given].expand([...batchShape]);
    return new Bernoulli({ [this.given]: p }, { validateArgs: false });
  }
}

// KL = p(log p − log q) + (1 − p)(log(1 − p) − log(1 − q)), in logits: p(lp − lq) + softplus(−lp)... written stably:
// As torch: each term is +∞ where q gives its outcome probability 0 (also after underflow) and 0 where p does.
registerKL(Bernoulli, Bernoulli, (p, q) => {
  const shape = broadcastShapes('klDivergence(Bernoulli, Bernoulli)', p.batchShape, q.batchShape);
  const pp = p.probs.expand(shape);
  const qp = q.probs.expand(shape);
  const t1 = pp.mul(softplus(q.logits.neg()).sub(softplus(p.logits.neg())));
  const t2 = pp.neg().add(1).mul(softplus(q.logits).sub(softplus(p.logits)));
  const a = where(pp.eq(0), 0, where(qp.eq(0), Infinity, t1));
  const b = where(pp.eq(1), 0, where(qp.eq(1), Infinity, t2));
  return a.add(b);
});
