import { type Generator, type Tensor, amax, clamp, digamma, lgamma, log, oneHot, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { standardGammaRsample } from './math.js';

/** Dirichlet(concentration α) on the simplex; the last dim of α indexes the K categories. */
export class Dirichlet extends Distribution {
  readonly concentration: Tensor;
  constructor(concentration: Tensor, opts: DistributionOptions = {}) {
    super(concentration.shape.slice(0, -1), concentration.shape.slice(-1), opts);
    this.concentration = concentration;
    this.checkParams({ concentration });
  }
  get argConstraints() {
    return { concentration: C.independent(C.positive, 1) };
  }
  get support() {
    return C.simplex;
  }
  override get mean() {
    return this.concentration.div(this.concentration.sum(-1, true));
  }
  /**
   * (α − 1)₊ / Σ(α − 1)₊ (torch); where every αᵢ < 1 the density is unbounded at the vertices and the
   * mode is the vertex of the largest αᵢ (torch picks vertex 0 there).
   */
  override get mode() {
    const a = clamp(this.concentration.sub(1), 0);
    const m = a.div(a.sum(-1, true));
    const k = this.concentration.shape[this.concentration.ndim - 1]!;
    const allBelow = amax(this.concentration, -1, true).lt(1);
    const vertex = oneHot(this.concentration.argmax(-1), k).to(m.dtype);
    return where(allBelow, vertex, m);
  }
  override get variance() {
    const a0 = this.concentration.sum(-1, true);
    return this.concentration.mul(a0.sub(this.concentration)).div(a0.square().mul(a0.add(1)));
  }
  override readonly hasRsample = true;
  /** Normalised Gamma(αᵢ, 1) draws, each with the implicit reparameterisation gradient. */
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const g = standardGammaRsample(this.concentration.expand(this.extendedShape(sampleShape)), generator);
    return g.div(g.sum(-1, true));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const a = this.concentration;
    return a.sub(1).mul(log(value)).sum(-1).add(lgamma(a.sum(-1))).sub(lgamma(a).sum(-1));
  }
  override entropy(): Tensor {
    const a = this.concentration;
    const k = a.shape[a.ndim - 1]!;
    const a0 = a.sum(-1);
    const lb = lgamma(a).sum(-1).sub(lgamma(a0));
    return lb.add(a0.sub(k).mul(digamma(a0))).sub(a.sub(1).mul(digamma(a)).sum(-1));
  }
  expand(batchShape: readonly number[]): Dirichlet {
    return new Dirichlet(this.concentration.expand([...batchShape, ...this.eventShape]), { validateArgs: false });
  }
}

registerKL(Dirichlet, Dirichlet, (p, q) => {
  const sp = p.concentration.sum(-1);
  const sq = q.concentration.sum(-1);
  const t1 = lgamma(sp).sub(lgamma(sq));
  const t2 = lgamma(p.concentration).sub(lgamma(q.concentration)).sum(-1);
  const t3 = p.concentration.sub(q.concentration);
  const t4 = digamma(p.concentration).sub(digamma(sp).reshape([...sp.shape, 1]));
  return t1.sub(t2).add(t3.mul(t4).sum(-1));
});
