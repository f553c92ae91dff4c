import { type Generator, type Tensor, type TensorLike, digamma, lgamma, log, log1p, randn, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { lbeta, standardGammaRsample } from './math.js';
import { broadcastAll } from './utils.js';

/**
 * Student's t with df degrees of freedom, location and scale. rsample is x = loc + scale·z/√(χ²/df),
 * reparameterised in loc and scale, and in df through the implicit gradient of χ² = 2·Gamma(df/2).
 */
export class StudentT extends Distribution {
  readonly df: Tensor;
  readonly loc: Tensor;
  readonly scale: Tensor;
  override readonly hasRsample = true;
  constructor(df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1, opts: DistributionOptions = {}) {
    const [d, l, s] = broadcastAll('StudentT', df, loc, scale);
    super(d!.shape, [], opts);
    this.df = d!;
    this.loc = l!;
    this.scale = s!;
    this.checkParams({ df: this.df, loc: this.loc, scale: this.scale });
  }
  get argConstraints() {
    return { df: C.positive, loc: C.real, scale: C.positive };
  }
  get support() {
    return C.real;
  }
  override get mean() {
    return where(this.df.gt(1), this.loc, NaN);
  }
  override get mode() {
    return this.loc;
  }
  override get variance() {
    const df = where(this.df.gt(2), this.df, 3); // finite in the unselected branch, so its gradient is 0, not NaN
    const v = this.scale.square().mul(df).div(df.sub(2));
    return where(this.df.gt(2), v, where(this.df.gt(1), Infinity, NaN));
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const shape = this.extendedShape(sampleShape);
    const z = randn(shape, { dtype: this.loc.dtype, generator });
    const chi2 = standardGammaRsample(this.df.mul(0.5).expand(shape), generator).mul(2); // implicit gradient in df
    return this.loc.add(this.scale.mul(z.div(chi2.div(this.df).sqrt())));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const y = value.sub(this.loc).div(this.scale);
    const z = log(this.scale).add(log(this.df).mul(0.5)).add(0.5 * Math.log(Math.PI)).add(lgamma(this.df.mul(0.5))).sub(lgamma(this.df.add(1).mul(0.5)));
    return this.df.add(1).mul(-0.5).mul(log1p(y.square().div(this.df))).sub(z);
  }
  override entropy(): Tensor {
    const half = this.df.mul(0.5);
    const lb = lbeta(half, half.mul(0).add(0.5));
    return log(this.scale)
      .add(this.df.add(1).mul(0.5).mul(digamma(this.df.add(1).mul(0.5)).sub(digamma(half))))
      .add(log(this.df).mul(0.5))
      .add(lb);
  }
  expand(batchShape: readonly number[]): StudentT {
    const b = [...batchShape];
    return new StudentT(this.df.expand(b), this.loc.expand(b), this.scale.expand(b), { validateArgs: false });
  }
}
