import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, type Generator, type Tensor, gather, logSoftmax, logsumexp, noGrad } from '@likelihood/core';
import type { Categorical } from './categorical.js';
import { Distribution, type DistributionOptions } from './distribution.js';

/**
 * A mixture of K components of one family: `mixture` is a Categorical with batch B and K
 * events; `component` has batch B + [K]. log p(x) = logsumexp_k(log π_k + log p_k(x)).
 */
export class MixtureSameFamily extends Distribution {
  readonly mixture: Categorical;
  readonly component: Distribution;
  constructor(mixture: Categorical, component: Distribution, opts: DistributionOptions = {}) {
    const cb = component.batchShape;
    const k = cb[cb.length - 1];
    if (k !== mixture.numEvents || cb.length - 1 !== mixture.batchShape.length || mixture.batchShape.some((d, i) => d !== cb[i])) {
      throw new ArgumentError(
        `MixtureSameFamily: component batch shape ${fmt(cb)} must be the mixture's batch shape ${fmt(mixture.batchShape)} plus [${mixture.numEvents}]`,
      );
    }
    super(mixture.batchShape, component.eventShape, opts);
    this.mixture = mixture;
    this.component = component;
  }
  get argConstraints() {
    return {};
  }
  get support() {
    return this.component.support;
  }
  private get evDims(): number {
    return this.eventShape.length;
  }
  /** π reshaped to broadcast against component statistics: batch + [K] + [1]*event. */
  private weights(): Tensor {
    const p = this.mixture.probs;
    return p.reshape([...p.shape, ...this.eventShape.map(() => 1)]);
  }
  override get mean() {
    return this.weights().mul(this.component.mean).sum(-1 - this.evDims);
  }
  /** Law of total variance: E[Var] + Var[E]. */
  override get variance() {
    const w = this.weights();
    const m = this.component.mean;
    const mean = w.mul(m).sum(-1 - this.evDims, true);
    return w.mul(this.component.variance).sum(-1 - this.evDims).add(w.mul(m.sub(mean).square()).sum(-1 - this.evDims));
  }
  logProb(value: Tensor): Tensor {
    // value (..., batch, event) -> (..., batch, 1, event) to broadcast over the K components
    const at = value.ndim - this.evDims;
    const x = value.reshape([...value.shape.slice(0, at), 1, ...value.shape.slice(at)]);
    const lp = this.component.logProb(x); // (..., batch, K)
    return logsumexp(lp.add(logSoftmax(this.mixture.logits, -1)), -1);
  }
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return noGrad(() => {
      const idx = this.mixture.sample(sampleShape, generator); // (S..., B...)
      const comp = this.component.sample(sampleShape, generator); // (S..., B..., K, E...)
      const at = comp.ndim - this.evDims - 1; // the K dim
      const ev = this.eventShape;
      // gather index: (S..., B..., 1, E...) filled with the chosen k
      const index = idx.reshape([...idx.shape, 1, ...ev.map(() => 1)]).expand([...idx.shape, 1, ...ev]);
      return gather(comp, at, index).reshape([...idx.shape, ...ev]);
    });
  }
  expand(batchShape: readonly number[]): MixtureSameFamily {
    return new MixtureSameFamily(this.mixture.expand(batchShape), this.component.expand([...batchShape, this.mixture.numEvents]), { validateArgs: false });
  }
}
