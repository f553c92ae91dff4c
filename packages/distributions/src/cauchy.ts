import { type Generator, type Tensor, type TensorLike, cos, log, log1p, sin, rand } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { atanWithGrad } from './math.js';
import { registerKL } from './kl.js';
import { broadcastAll } from './utils.js';

/** Cauchy(loc, scale): heavy-tailed, with undefined mean and infinite variance. */
export class Cauchy extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  override readonly hasRsample = true;
  constructor(loc: TensorLike, scale: TensorLike, opts: DistributionOptions = {}) {
    const [l, s] = broadcastAll('Cauchy', loc, scale);
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
    return this.loc.mul(NaN);
  }
  override get mode() {
    return this.loc;
  }
  override get variance() {
    return this.loc.mul(0).add(Infinity);
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const u = rand(this.extendedShape(sampleShape), { dtype: this.loc.dtype, generator });
    const a = u.sub(0.5).mul(Math.PI);
    return this.loc.add(this.scale.mul(sin(a).div(cos(a)))); // loc + scale·tan(π(u − ½))
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    return log1p(value.sub(this.loc).div(this.scale).square()).neg().sub(log(this.scale)).sub(Math.log(Math.PI));
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    return atanWithGrad(value.sub(this.loc).div(this.scale)).div(Math.PI).add(0.5);
  }
  override icdf(p: Tensor): Tensor {
    this.checkProb(p);
    const a = p.sub(0.5).mul(Math.PI);
    return this.loc.add(this.scale.mul(sin(a).div(cos(a))));
  }
  override entropy(): Tensor {
    return log(this.scale).add(Math.log(4 * Math.PI));
  }
  expand(batchShape: readonly number[]): Cauchy {
    return new Cauchy(this.loc.expand([...batchShape]), this.scale.expand([...batchShape]), { validateArgs: false });
  }
}

// log((σp + σq)² + (μp − μq)²) − log(4σpσq) (Chyzak & Nielsen 2019, as torch)
registerKL(Cauchy, Cauchy, (p, q) => log(p.scale.add(q.scale).square().add(p.loc.sub(q.loc).square())).sub(log(p.scale.mul(q.scale).mul(4))));
