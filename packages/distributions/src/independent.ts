import { ArgumentError, type Generator, type Tensor } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { klDivergence, registerKL } from './kl.js';
import { sumRightmost } from './transforms/transform.js';

/**
 * Reinterprets the rightmost `reinterpretedBatchNdims` batch dims of `base` as event dims:
 * a diagonal Normal over [B, D] becomes a distribution over D-vectors with batch [B].
 */
export class Independent extends Distribution {
  readonly base: Distribution;
  readonly reinterpretedBatchNdims: number;
  override readonly hasRsample: boolean;
  constructor(base: Distribution, reinterpretedBatchNdims: number, opts: DistributionOptions = {}) {
    const n = reinterpretedBatchNdims;
    if (!Number.isInteger(n) || n < 0 || n > base.batchShape.length) {
      throw new ArgumentError(`Independent: reinterpretedBatchNdims must be an integer in [0, ${base.batchShape.length}], found ${n}`);
    }
    const split = base.batchShape.length - n;
    super(base.batchShape.slice(0, split), [...base.batchShape.slice(split), ...base.eventShape], opts);
    this.base = base;
    this.reinterpretedBatchNdims = n;
    this.hasRsample = base.hasRsample;
  }
  get argConstraints() {
    return {};
  }
  get support() {
    return C.independent(this.base.support, this.reinterpretedBatchNdims);
  }
  override get mean() {
    return this.base.mean;
  }
  override get mode() {
    return this.base.mode;
  }
  override get variance() {
    return this.base.variance;
  }
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return this.base.sample(sampleShape, generator);
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return this.base.rsample(sampleShape, generator);
  }
  logProb(value: Tensor): Tensor {
    return sumRightmost(this.base.logProb(value), this.reinterpretedBatchNdims);
  }
  override entropy(): Tensor {
    return sumRightmost(this.base.entropy(), this.reinterpretedBatchNdims);
  }
  expand(batchShape: readonly number[]): Independent {
    const inner = [...batchShape, ...this.eventShape.slice(0, this.reinterpretedBatchNdims)];
    return new Independent(this.base.expand(inner), this.reinterpretedBatchNdims, { validateArgs: false });
  }
}

registerKL(Independent, Independent, (p, q) => {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims) {
    throw new ArgumentError('klDivergence: Independent distributions with different reinterpretedBatchNdims');
  }
  return sumRightmost(klDivergence(p.base, q.base), p.reinterpretedBatchNdims);
});
