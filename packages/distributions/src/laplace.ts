import { type Generator, type Tensor, type TensorLike, abs, exp, log, log1p, sign, uniform, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { broadcastAll } from './utils.js';

/** Laplace(loc, scale): density exp(−|x − loc| / scale) / (2·scale). */
export class Laplace extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  override readonly hasRsample = true;
  constructor(loc: TensorLike, scale: TensorLike, opts: DistributionOptions = {}) {
    const [l, s] = broadcastAll('Laplace', loc, scale);
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
  override get variance() {
    return this.scale.square().mul(2);
  }
  override get stddev() {
    return this.scale.mul(Math.SQRT2);
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    // u ~ U(−1, 1) (open at −1): x = loc − scale·sign(u)·log(1 − |u|)
    const eps = this.loc.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
    const u = uniform(eps - 1, 1, this.extendedShape(sampleShape), { dtype: this.loc.dtype, generator });
    return this.loc.sub(this.scale.mul(sign(u)).mul(log1p(abs(u).neg())));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    return log(this.scale.mul(2)).neg().sub(abs(value.sub(this.loc)).div(this.scale));
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    // ½e^{d/b} below loc, 1 − ½e^{−d/b} from loc on: each branch sees only its own half-line, so the
    // gradient at d = 0 is the density 1/(2b) (torch's sign(d)·expm1 form gives 0 there)
    const d = value.sub(this.loc);
    const neg = d.lt(0);
    const left = exp(where(neg, d, 0).div(this.scale)).mul(0.5);
    const right = exp(where(neg, 0, d).neg().div(this.scale)).mul(-0.5).add(1);
    return where(neg, left, right);
  }
  override icdf(p: Tensor): Tensor {
    this.checkProb(p);
    const t = p.sub(0.5);
    return this.loc.sub(this.scale.mul(sign(t)).mul(log1p(abs(t).mul(-2))));
  }
  override entropy(): Tensor {
    return log(this.scale.mul(2)).add(1);
  }
  expand(batchShape: readonly number[]): Laplace {
    return new Laplace(this.loc.expand([...batchShape]), this.scale.expand([...batchShape]), { validateArgs: false });
  }
}

registerKL(Laplace, Laplace, (p, q) => {
  const ratio = p.scale.div(q.scale);
  const d = abs(p.loc.sub(q.loc));
  return log(ratio).neg().add(d.div(q.scale)).add(ratio.mul(exp(d.neg().div(p.scale)))).sub(1);
});
