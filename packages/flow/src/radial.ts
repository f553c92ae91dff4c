import { ArgumentError, type Generator, type Tensor, randn, softplus } from '@likelihood/core';
import { Parameter } from '@likelihood/nn';
import { Bijector, checkInput } from './bijector.js';

/**
 * Radial flow (Rezende & Mohamed 2015): noise → data y = z + β·h(r)·(z − z₀), r = ‖z − z₀‖,
 * h = 1/(α + r), with α = softplus(α̂) > 0 and β = −α + softplus(β̂) ≥ −α (invertible).
 * log|det| = (D − 1)·log(1 + βh) + log(1 + βh − βr/(α + r)²). The inverse is closed form:
 * ‖y − z₀‖ = r(1 + β/(α + r)) is a quadratic in r with one positive root.
 */
export class RadialFlow extends Bijector {
  readonly eventDim = 1;
  readonly features: number;
  z0: Parameter;
  alphaRaw: Parameter;
  betaRaw: Parameter;

  constructor(features: number, opts: { dtype?: 'float32' | 'float64'; generator?: Generator } = {}) {
    super();
    if (!Number.isInteger(features) || features < 1) throw new ArgumentError(`RadialFlow: features must be a positive integer, found ${features}`);
    this.features = features;
    const o = { dtype: opts.dtype ?? ('float32' as const), generator: opts.generator };
    this.z0 = new Parameter(randn([features], o).mul(0.1));
    this.alphaRaw = new Parameter(randn([1], o).mul(0.1));
    this.betaRaw = new Parameter(randn([1], o).mul(0.1));
  }

  private ab(): { alpha: Tensor; beta: Tensor } {
    const alpha = softplus(this.alphaRaw);
    return { alpha, beta: softplus(this.betaRaw).sub(alpha) };
  }

  private logDet(r: Tensor, alpha: Tensor, beta: Tensor): Tensor {
    const h = r.add(alpha).reciprocal();
    const bh = h.mul(beta).add(1); // 1 + βh
    return bh.log().mul(this.features - 1).add(bh.sub(r.mul(beta).mul(h.square())).log());
  }

  forward(z: Tensor) {
    checkInput('RadialFlow.forward', z, [this.features]);
    const { alpha, beta } = this.ab();
    const diff = z.sub(this.z0);
    const r = diff.square().sum(1).sqrt(); // [N]
    const y = z.add(diff.mul(r.add(alpha).reciprocal().mul(beta).unsqueeze(1)));
    return { y, logAbsDet: this.logDet(r, alpha, beta) };
  }

  inverse(y: Tensor) {
    checkInput('RadialFlow.inverse', y, [this.features]);
    const { alpha, beta } = this.ab();
    const dy = y.sub(this.z0);
    const ry = dy.square().sum(1).sqrt();
    // r² + (α + β − r_y)·r − r_y·α = 0, positive root
    const p = alpha.add(beta).sub(ry);
    const r = p.neg().add(p.square().add(ry.mul(alpha).mul(4)).sqrt()).mul(0.5);
    const scale = r.add(alpha).reciprocal().mul(beta).add(1); // y − z₀ = (1 + βh)(z − z₀)
    const z = dy.div(scale.unsqueeze(1)).add(this.z0);
    return { x: z, logAbsDet: this.logDet(r, alpha, beta).neg() };
  }
}
