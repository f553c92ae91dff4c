import { type Generator, type Tensor, type TensorLike, clamp, log, logicalOr, rand, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { broadcastAll } from './utils.js';

/** Uniform(low, high) on the half-open interval [low, high). */
export class Uniform extends Distribution {
  readonly low: Tensor;
  readonly high: Tensor;
  override readonly hasRsample = true;
  constructor(low: TensorLike, high: TensorLike, opts: DistributionOptions = {}) {
    const [l, h] = broadcastAll('Uniform', low, high);
    super(l!.shape, [], opts);
    this.low = l!;
    this.high = h!;
    this.checkParams({ low: this.low, high: this.high });
  }
  get argConstraints() {
    return { low: C.lessThan(this.high), high: C.greaterThan(this.low) };
  }
  get support() {
    return C.interval(this.low, this.high);
  }
  override get mean() {
    return this.low.add(this.high).mul(0.5);
  }
  override get mode() {
    return this.low.mul(NaN);
  }
  override get variance() {
    return this.high.sub(this.low).square().div(12);
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const u = rand(this.extendedShape(sampleShape), { dtype: this.low.dtype, generator });
    return this.low.add(u.mul(this.high.sub(this.low)));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const out = logicalOr(value.lt(this.low), value.ge(this.high));
    return where(out, -Infinity, log(this.high.sub(this.low)).neg().expand(broadcastShape(value, this.low)));
  }
  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    return clamp(value.sub(this.low).div(this.high.sub(this.low)), 0, 1);
  }
  override icdf(p: Tensor): Tensor {
    this.checkProb(p);
    return this.low.add(p.mul(this.high.sub(this.low)));
  }
  override entropy(): Tensor {
    return log(this.high.sub(this.low));
  }
  expand(batchShape: readonly number[]): Uniform {
    return new Uniform(this.low.expand([...batchShape]), this.high.expand([...batchShape]), { validateArgs: false });
  }
}

function broadcastShape(a: Tensor, b: Tensor): number[] {
  const n = Math.max(a.ndim, b.ndim);
  return Array.from({ length: n }, (_, i) => {
    const x = a.shape[a.ndim - n + i] ?? 1;
    const y = b.shape[b.ndim - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

registerKL(Uniform, Uniform, (p, q) => {
  const kl = log(q.high.sub(q.low).div(p.high.sub(p.low)));
  return where(logicalOr(q.low.gt(p.low), q.high.lt(p.high)), Infinity, kl);
});
