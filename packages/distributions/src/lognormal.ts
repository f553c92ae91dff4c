import { type Tensor, type TensorLike, exp, log } from '@likelihood/core';
import * as C from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { Normal } from './normal.js';
import { TransformedDistribution } from './transformed.js';
import { ExpTransform } from './transforms/elementwise.js';

/** LogNormal(loc, scale): exp of a Normal(loc, scale). */
export class LogNormal extends TransformedDistribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  constructor(loc: TensorLike, scale: TensorLike, opts: DistributionOptions = {}) {
    const base = new Normal(loc, scale, opts);
    super(base, [new ExpTransform()], opts);
    this.loc = base.loc;
    this.scale = base.scale;
  }
  override get argConstraints() {
    return { loc: C.real, scale: C.positive };
  }
  override get support() {
    return C.positive;
  }
  override get mean() {
    return exp(this.loc.add(this.scale.square().mul(0.5)));
  }
  override get mode() {
    return exp(this.loc.sub(this.scale.square()));
  }
  override get variance() {
    const s2 = this.scale.square();
    return exp(s2).sub(1).mul(exp(this.loc.mul(2).add(s2)));
  }
  override entropy(): Tensor {
    return (this.base as Normal).entropy().add(this.loc);
  }
  override expand(batchShape: readonly number[]): LogNormal {
    return new LogNormal(this.loc.expand([...batchShape]), this.scale.expand([...batchShape]), { validateArgs: false });
  }
}

registerKL(LogNormal, LogNormal, (p, q) => {
  const varRatio = p.scale.div(q.scale).square();
  const t1 = p.loc.sub(q.loc).div(q.scale).square();
  return varRatio.add(t1).sub(1).sub(log(varRatio)).mul(0.5);
});
