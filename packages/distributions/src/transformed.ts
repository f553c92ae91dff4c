import { type Generator, type Tensor, noGrad } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions, NotImplementedError } from './distribution.js';
import { ComposeTransform } from './transforms/structural.js';
import { type Transform, sumRightmost } from './transforms/transform.js';

/**
 * The distribution of y = f(x), x ~ base, for a bijection f with tractable Jacobian:
 * log p(y) = log p_base(f⁻¹(y)) + log|det ∂f⁻¹/∂y|. Flows are this with learned transforms.
 */
export class TransformedDistribution extends Distribution {
  readonly base: Distribution;
  readonly transforms: readonly Transform[];
  override readonly hasRsample: boolean;

  constructor(base: Distribution, transforms: Transform | readonly Transform[], opts: DistributionOptions = {}) {
    const list = Array.isArray(transforms) ? (transforms as readonly Transform[]) : [transforms as Transform];
    const chain = new ComposeTransform(list);
    const baseShape = [...base.batchShape, ...base.eventShape];
    const shape = chain.forwardShape(baseShape);
    const eventDim = Math.max(base.eventShape.length, ...list.map((t) => t.codomain.eventDim));
    super(shape.slice(0, shape.length - eventDim), shape.slice(shape.length - eventDim), opts);
    this.base = base;
    this.transforms = list;
    this.hasRsample = base.hasRsample;
  }

  get argConstraints() {
    return {};
  }
  get support(): C.Constraint {
    const last = this.transforms[this.transforms.length - 1];
    if (!last) return this.base.support;
    const extra = this.eventShape.length - last.codomain.eventDim;
    return extra > 0 ? C.independent(last.codomain, extra) : last.codomain;
  }

  private push(x: Tensor): Tensor {
    for (const t of this.transforms) x = t.forward(x).y;
    return x;
  }

  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return noGrad(() => this.push(this.base.sample(sampleShape, generator)));
  }

  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    return this.push(this.base.rsample(sampleShape, generator));
  }

  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    let eventDim = this.eventShape.length;
    let y = value;
    let lp: Tensor | null = null;
    for (const t of [...this.transforms].reverse()) {
      const { x, logAbsDet } = t.inverse(y);
      eventDim += t.domain.eventDim - t.codomain.eventDim;
      const term = sumRightmost(logAbsDet, eventDim - t.domain.eventDim);
      lp = lp ? lp.add(term) : term;
      y = x;
    }
    const baseLp = sumRightmost(this.base.logProb(y), eventDim - this.base.eventShape.length);
    return lp ? baseLp.add(lp) : baseLp;
  }

  /** cdf through monotone 1-D transforms: F(y) = F_base(f⁻¹(y)), flipped where f decreases. */
  override cdf(value: Tensor): Tensor {
    this.checkValue(value);
    let x = value;
    let sign = 1;
    for (const t of [...this.transforms].reverse()) {
      if (t.domain.eventDim !== 0) throw new NotImplementedError('TransformedDistribution.cdf needs elementwise transforms');
      x = t.inverse(x).x;
      sign *= t.sign;
    }
    const c = this.base.cdf(x);
    return sign > 0 ? c : c.neg().add(1);
  }

  override icdf(p: Tensor): Tensor {
    this.checkProb(p);
    const sign = this.transforms.reduce((s, t) => s * t.sign, 1);
    let x = this.base.icdf(sign > 0 ? p : p.neg().add(1));
    for (const t of this.transforms) x = t.forward(x).y;
    return x;
  }

  expand(batchShape: readonly number[]): TransformedDistribution {
    return new TransformedDistribution(this.base.expand(batchShape), this.transforms, { validateArgs: false });
  }
}
