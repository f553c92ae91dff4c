import { type Generator, type Tensor, type TensorLike, abs, exp, lgamma, log, log1p, logsumexp, maximum, rand, sigmoid } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { type ProbsOrLogits, categoricalLogits, oneOf, probsToLogitsBinary } from './params.js';
import { TransformedDistribution } from './transformed.js';
import { ExpTransform, SigmoidTransform } from './transforms/elementwise.js';
import { broadcastAll } from './utils.js';

const softplus = (x: Tensor) => maximum(x, 0).add(log1p(exp(abs(x).neg())));

/** Uniform noise in (0, 1), clamped away from 0 and 1 so the logs stay finite. */
function openUniform(shape: number[], dtype: 'float32' | 'float64', generator?: Generator): Tensor {
  const e = dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  return rand(shape, { dtype, generator }).mul(1 - 2 * e).add(e);
}

/** The logit of a RelaxedBernoulli sample (torch's LogitRelaxedBernoulli): (l + logistic noise) / T. */
export class LogitRelaxedBernoulli extends Distribution {
  readonly temperature: Tensor;
  readonly logits: Tensor;
  override readonly hasRsample = true;
  constructor(temperature: TensorLike, params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const given = oneOf('RelaxedBernoulli', params);
    const [t, p] = broadcastAll('RelaxedBernoulli', temperature, params[given]!);
    super(p!.shape, [], opts);
    this.temperature = t!;
    this.logits = given === 'logits' ? p! : probsToLogitsBinary(p!);
    this.checkParams({ temperature: this.temperature, [given]: p! });
  }
  get argConstraints() {
    return { temperature: C.positive, probs: C.unitInterval, logits: C.real };
  }
  get support() {
    return C.real;
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const u = openUniform(this.extendedShape(sampleShape), this.logits.dtype as 'float32' | 'float64', generator);
    return this.logits.add(log(u)).sub(log1p(u.neg())).div(this.temperature);
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const diff = this.logits.sub(value.mul(this.temperature));
    return log(this.temperature).add(diff).sub(softplus(diff).mul(2));
  }
  expand(batchShape: readonly number[]): LogitRelaxedBernoulli {
    const b = [...batchShape];
    return new LogitRelaxedBernoulli(this.temperature.expand(b), { logits: this.logits.expand(b) }, { validateArgs: false });
  }
}

/** RelaxedBernoulli (Concrete / Gumbel-sigmoid, Maddison et al. 2017): sigmoid of a LogitRelaxedBernoulli. */
export class RelaxedBernoulli extends TransformedDistribution {
  constructor(temperature: TensorLike, params: ProbsOrLogits, opts: DistributionOptions = {}) {
    super(new LogitRelaxedBernoulli(temperature, params, opts), [new SigmoidTransform()], opts);
  }
  get temperature() {
    return (this.base as LogitRelaxedBernoulli).temperature;
  }
  get logits() {
    return (this.base as LogitRelaxedBernoulli).logits;
  }
  get probs() {
    return sigmoid(this.logits);
  }
}

/** log of a RelaxedOneHotCategorical sample (torch's ExpRelaxedCategorical). */
export class ExpRelaxedCategorical extends Distribution {
  readonly temperature: Tensor;
  readonly logits: Tensor;
  override readonly hasRsample = true;
  constructor(temperature: TensorLike, params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const given = oneOf('RelaxedOneHotCategorical', params);
    const p = params[given]!;
    super(p.shape.slice(0, -1), p.shape.slice(-1), opts);
    this.temperature = typeof temperature === 'number' ? p.mul(0).sum(-1).add(temperature) : temperature;
    this.logits = categoricalLogits(params);
    this.checkParams({ temperature: this.temperature, [given]: p });
  }
  get argConstraints() {
    return { temperature: C.positive, probs: C.simplex, logits: C.independent(C.real, 1) };
  }
  get support() {
    return C.independent(C.real, 1);
  }
  /** Gumbel-softmax in log space: (l + g)/T normalised by logsumexp. */
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const u = openUniform(this.extendedShape(sampleShape), this.logits.dtype as 'float32' | 'float64', generator);
    const gumbels = log(log(u).neg()).neg();
    const t = this.temperature.reshape([...this.temperature.shape, 1]);
    const scores = this.logits.add(gumbels).div(t);
    return scores.sub(logsumexp(scores, -1, true));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const k = this.eventShape[0]!;
    const t = this.temperature;
    const logScale = lgamma(t.mul(0).add(k)).sub(log(t).mul(-(k - 1)));
    const score = this.logits.sub(value.mul(t.reshape([...t.shape, 1])));
    return score.sub(logsumexp(score, -1, true)).sum(-1).add(logScale);
  }
  expand(batchShape: readonly number[]): ExpRelaxedCategorical {
    const b = [...batchShape];
    return new ExpRelaxedCategorical(this.temperature.expand(b), { logits: this.logits.expand([...b, this.eventShape[0]!]) }, { validateArgs: false });
  }
}

/** RelaxedOneHotCategorical (Gumbel-softmax, Jang et al. 2017; Concrete, Maddison et al. 2017). */
export class RelaxedOneHotCategorical extends TransformedDistribution {
  constructor(temperature: TensorLike, params: ProbsOrLogits, opts: DistributionOptions = {}) {
    super(new ExpRelaxedCategorical(temperature, params, opts), [new ExpTransform()], opts);
  }
  get temperature() {
    return (this.base as ExpRelaxedCategorical).temperature;
  }
  get logits() {
    return (this.base as ExpRelaxedCategorical).logits;
  }
  override get support() {
    return C.simplex;
  }
}
