import { type Generator, type Tensor, type TensorLike, clamp, digamma, lgamma, log, log1p, logicalAnd, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { lbeta, standardGammaRsample } from './math.js';
import { broadcastAll } from './utils.js';

/** Beta(concentration1 a, concentration0 b) on [0, 1]: density x^{a−1}(1 − x)^{b−1} / B(a, b). */
export class Beta extends Distribution {
  readonly concentration1: Tensor;
  readonly concentration0: Tensor;
  constructor(concentration1: TensorLike, concentration0: TensorLike, opts: DistributionOptions = {}) {
    const [a, b] = broadcastAll('Beta', concentration1, concentration0);
    super(a!.shape, [], opts);
    this.concentration1 = a!;
    this.concentration0 = b!;
    this.checkParams({ concentration1: this.concentration1, concentration0: this.concentration0 });
  }
  get argConstraints() {
    return { concentration1: C.positive, concentration0: C.positive };
  }
  get support() {
    return C.unitInterval;
  }
  override get mean() {
    return this.concentration1.div(this.concentration1.add(this.concentration0));
  }
  /** (a − 1)₊ / ((a − 1)₊ + (b − 1)₊) as torch (the Dirichlet rule); 1 where both a, b < 1, torch's choice. */
  override get mode() {
    const a = clamp(this.concentration1.sub(1), 0);
    const b = clamp(this.concentration0.sub(1), 0);
    return where(logicalAnd(this.concentration1.lt(1), this.concentration0.lt(1)), 1, a.div(a.add(b)));
  }
  override get variance() {
    const s = this.concentration1.add(this.concentration0);
    return this.concentration1.mul(this.concentration0).div(s.square().mul(s.add(1)));
  }
  override readonly hasRsample = true;
  /** X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b), each with the implicit reparameterisation gradient. */
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const shape = this.extendedShape(sampleShape);
    const x = standardGammaRsample(this.concentration1.expand(shape), generator);
    const y = standardGammaRsample(this.concentration0.expand(shape), generator);
    return x.div(x.add(y));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const a = this.concentration1;
    const b = this.concentration0;
    return a.sub(1).mul(log(value)).add(b.sub(1).mul(log1p(value.neg()))).sub(lbeta(a, b));
  }
  override entropy(): Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const s = a.add(b);
    return lbeta(a, b).sub(a.sub(1).mul(digamma(a))).sub(b.sub(1).mul(digamma(b))).add(s.sub(2).mul(digamma(s)));
  }
  expand(batchShape: readonly number[]): Beta {
    return new Beta(this.concentration1.expand([...batchShape]), this.concentration0.expand([...batchShape]), { validateArgs: false });
  }
}

registerKL(Beta, Beta, (p, q) => {
  const sp = p.concentration1.add(p.concentration0);
  const sq = q.concentration1.add(q.concentration0);
  const t1 = lgamma(q.concentration1).add(lgamma(q.concentration0)).add(lgamma(sp));
  const t2 = lgamma(p.concentration1).add(lgamma(p.concentration0)).add(lgamma(sq));
  const t3 = p.concentration1.sub(q.concentration1).mul(digamma(p.concentration1));
  const t4 = p.concentration0.sub(q.concentration0).mul(digamma(p.concentration0));
  const t5 = sq.sub(sp).mul(digamma(sp));
  return t1.sub(t2).add(t3).add(t4).add(t5);
});
