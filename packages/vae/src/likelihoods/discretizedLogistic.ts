import {
  ArgumentError, type Generator, type Tensor, type TensorLike, abs, arange, clamp, exp, expm1, log, log1p, maximum, noGrad, rand, where,
} from '@likelihood/core';
import { Distribution, type DistributionOptions, Independent, constraints as C } from '@likelihood/distributions';
import { checkRange } from '../checks.js';
import { type Likelihood, paramSlice } from './likelihood.js';

/** log(1 + eˣ) without a threshold: max(x, 0) + log1p(e^−|x|), exact for every finite x. */
const softplusExact = (x: Tensor) => maximum(x, 0).add(log1p(exp(abs(x).neg())));
/** log σ(x) = −softplus(−x). */
const logSigmoid = (x: Tensor) => softplusExact(x.neg()).neg();

/**
 * A logistic distribution discretised onto `levels` integer values k = 0..L−1 (PixelCNN++,
 * Salimans et al. 2017, one mixture component). Level k sits at c_k = 2k/(L−1) − 1 in [−1, 1]
 * with a bin of half-width h = 1/(L−1):
 *   P(k) = σ((c_k + h − μ)/s) − σ((c_k − h − μ)/s)   for 0 < k < L−1,
 *   P(0) = σ((c_0 + h − μ)/s),   P(L−1) = 1 − σ((c_{L−1} − h − μ)/s)   (the tails go to the edge bins),
 * so the L probabilities sum to 1 exactly. The interior difference is evaluated in log space as
 * log(σ(a) − σ(b)) = a + log(−expm1(b − a)) − softplus(a) − softplus(b), finite for every
 * μ and s > 0, so PixelCNN++'s midpoint-density fallback is not needed.
 */
export class DiscretizedLogistic extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  readonly levels: number;

  constructor(loc: Tensor, scale: TensorLike, opts: DistributionOptions & { levels?: number } = {}) {
    const levels = opts.levels ?? 256;
    if (!Number.isInteger(levels) || levels < 2) throw new ArgumentError(`DiscretizedLogistic: levels must be an integer ≥ 2, found ${levels}`);
    const s = typeof scale === 'number' ? loc.mul(0).add(scale) : (scale as Tensor);
    super(loc.shape, [], opts);
    this.loc = loc;
    this.scale = s.expand([...loc.shape]);
    this.levels = levels;
    this.checkParams({ loc: this.loc, scale: this.scale });
  }

  get argConstraints() {
    return { loc: C.real, scale: C.positive };
  }
  get support() {
    return C.integerInterval(0, this.levels - 1);
  }

  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const L = this.levels;
    const h = 1 / (L - 1);
    const c = value.mul(2 * h).sub(1); // level → centre in [−1, 1]
    const a = c.add(h).sub(this.loc).div(this.scale); // upper bin edge, standardised
    const b = c.sub(h).sub(this.loc).div(this.scale); // lower bin edge
    const interior = a.add(log(expm1(b.sub(a)).neg())).sub(softplusExact(a)).sub(softplusExact(b));
    const first = logSigmoid(a); // P(K = 0) = σ(a)
    const last = logSigmoid(b.neg()); // P(K = L−1) = 1 − σ(b)
    return where(value.le(0), first, where(value.ge(L - 1), last, interior));
  }

  /** Inverse-CDF draw of the logistic, rounded to the nearest level and clamped to [0, L−1]. */
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return noGrad(() => {
      const shape = this.extendedShape(sampleShape);
      const u = clamp(rand(shape, { dtype: this.loc.dtype, generator }), 1e-6, 1 - 1e-6);
      const x = this.loc.add(this.scale.mul(log(u).sub(log1p(u.neg())))); // μ + s·logit(u)
      return clamp(x.add(1).mul((this.levels - 1) / 2).round(), 0, this.levels - 1);
    });
  }

  /** E[K] = Σ_{k=1}^{L−1} P(K ≥ k) = Σ_{k=1}^{L−1} σ((μ − (c_k − h))/s). */
  override get mean(): Tensor {
    const L = this.levels;
    const h = 1 / (L - 1);
    const edges = arange(1, L, 1, { dtype: this.loc.dtype }).mul(2 * h).sub(1 + h); // c_k − h: the lower edge of bin k
    const e = edges.reshape([L - 1, ...this.loc.shape.map(() => 1)]); // (L−1, 1, ...)
    return this.loc.unsqueeze(0).sub(e).div(this.scale.unsqueeze(0)).sigmoid().sum(0);
  }

  override get mode(): Tensor {
    return clamp(this.loc.add(1).mul((this.levels - 1) / 2).round(), 0, this.levels - 1);
  }

  expand(batchShape: readonly number[]): DiscretizedLogistic {
    return new DiscretizedLogistic(this.loc.expand([...batchShape]), this.scale.expand([...batchShape]), { levels: this.levels, validateArgs: false });
  }
}

export interface DiscretizedLogisticOptions {
  /** Floor on log s, as PixelCNN++ (default −7). */
  minLogScale?: number;
}

/**
 * 8-bit pixels from a discretised logistic: the decoder outputs μ (in the [−1, 1] pixel scale)
 * and log s per value. Data in [0, 1] are scored at level round(255·x).
 */
export function discretizedLogisticLikelihood(opts: DiscretizedLogisticOptions = {}): Likelihood {
  const minLogScale = opts.minLogScale ?? -7;
  return {
    name: 'discretized logistic (256 levels)',
    paramsPerValue: 2,
    discrete: true,
    validate: (op, x) => checkRange(op, x, 0, 1, 'a discretised-logistic decoder scores 8-bit pixels scaled to [0, 1]'),
    target: (x) => x.mul(255).round(),
    distribution(params: Tensor): Distribution {
      const loc = paramSlice(params, 0); // (N, ...dataShape)
      const scale = exp(maximum(paramSlice(params, 1), minLogScale));
      return new Independent(new DiscretizedLogistic(loc, scale, { validateArgs: false }), loc.ndim - 1, { validateArgs: false });
    },
    meanImage: (d) => d.mean.div(255),
    sampleImage: (d, generator?: Generator) => d.sample([], generator).div(255),
  };
}
