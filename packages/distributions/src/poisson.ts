import { type Generator, type Tensor, type TensorLike, floor, lgamma, log, poisson } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { xlogy } from './math.js';
import { broadcastAll } from './utils.js';

/** Poisson(rate λ) over the nonnegative integers. */
export class Poisson extends Distribution {
  readonly rate: Tensor;
  constructor(rate: TensorLike, opts: DistributionOptions = {}) {
    const [r] = broadcastAll('Poisson', rate);
    super(r!.shape, [], opts);
    this.rate = r!;
    this.checkParams({ rate: this.rate });
  }
  get argConstraints() {
    return { rate: C.nonnegative };
  }
  get support() {
    return C.nonnegativeInteger;
  }
  override get mean() {
    return this.rate;
  }
  override get mode() {
    return floor(this.rate);
  }
  override get variance() {
    return this.rate;
  }
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return poisson(this.rate.detach().expand(this.extendedShape(sampleShape)), { generator });
  }
  /** k log λ − λ − log k! */
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const v = value.to(this.rate.dtype);
    const r = this.rate.expand(broadcastShape(v, this.rate));
    return xlogy(v.expand([...r.shape]), r).sub(r).sub(lgamma(v.add(1)));
  }
  expand(batchShape: readonly number[]): Poisson {
    return new Poisson(this.rate.expand([...batchShape]), { validateArgs: false });
  }
}

function broadcastShape(a: Tensor, b: Tensor): number[] {
  const n = Math.max(a.ndim, b.ndim);
  return Array.from({ length: n }, (_, i) => {
    const x = a.shape[a.ndim - n + i] ?? 1;
    return x === 1 ? (b.shape[b.ndim - n + i] ?? 1) : x;
  });
}

registerKL(Poisson, Poisson, (p, q) => p.rate.mul(log(p.rate).sub(log(q.rate))).sub(p.rate.sub(q.rate)));
