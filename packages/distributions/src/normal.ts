import { type Generator, type Tensor, type TensorLike, erf, erfinv, log, randn } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { broadcastAll } from './utils.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Normal(loc, scale): the Gaussian with mean loc and standard deviation scale. */
export class Normal extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  override readonly hasRsample = true;

  constructor(loc: TensorLike, scale: TensorLike, opts: DistributionOptions = {}) {
    const [l, s] = broadcastAll('Normal', loc, scale);
    super(l!.shape, [], opts);
    this.loc = l!;
    this.scale = s!;
    this.checkParams({ loc: this.loc, scale: this.scale });
  }

  get argConstraints() {
    return { loc: C.real, scale: C.positive };
  }
  get support() {
    return C.real;
  }
  override get mean() {
    return this.loc;
  }
  override get mode() {
    return this.loc;
  }
  override get stddev() {
    return this.scale;
  }
  override get variance() {
    return this.scale.square();
  }

  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const eps = randn(this.extendedShape(sampleShape), { dtype: this.loc.dtype, generator });
    return this.loc.add(eps.mul(this.scale)); // loc + scale·ε
  }

  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const z = value.sub(this.loc).div(this.scale);
    return z.square().mul(-0.5).sub(log(this.scale)).sub(HALF_LOG_2PI);
  }

  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    return erf(value.sub(this.loc).div(this.scale.mul(Math.SQRT2))).add(1).mul(0.5);
  }

  override icdf(p: Tensor): Tensor {
    this.checkProb(p);
    return this.loc.add(this.scale.mul(erfinv(p.mul(2).sub(1))).mul(Math.SQRT2));
  }

  override entropy(): Tensor {
    return log(this.scale).add(0.5 + HALF_LOG_2PI);
  }

  expand(batchShape: readonly number[]): Normal {
    return new Normal(this.loc.expand([...batchShape]), this.scale.expand([...batchShape]), { validateArgs: false });
  }
}

// KL(p ‖ q) = log(σq/σp) + (σp² + (μp − μq)²) / (2σq²) − ½
registerKL(Normal, Normal, (p, q) => {
  const varRatio = p.scale.div(q.scale).square();
  const t1 = p.loc.sub(q.loc).div(q.scale).square();
  return varRatio.add(t1).sub(1).sub(log(varRatio)).mul(0.5);
});
