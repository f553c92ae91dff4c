import { ArgumentError, type Generator, Tensor, noGrad, randn, softplus, tanh } from '@likelihood/core';
import { Parameter } from '@likelihood/nn';
import { Bijector, checkInput } from './bijector.js';

/**
 * Planar flow (Rezende & Mohamed 2015): noise → data y = z + û·tanh(wᵀz + b), with
 * û = u + [m(wᵀu) − wᵀu]·w/‖w‖², m(a) = −1 + softplus(a), so wᵀû ≥ −1 and the map is
 * invertible. log|det| = log|1 + ûᵀw·tanh′(wᵀz + b)|. The inverse has no closed form: it
 * solves the monotone scalar equation wᵀy = α + wᵀû·tanh(α + b) for α = wᵀz by bisection,
 * then takes one Newton step on the graph so gradients are those of the exact inverse
 * (implicit function theorem).
 */
export class PlanarFlow extends Bijector {
  readonly eventDim = 1;
  readonly features: number;
  u: Parameter;
  w: Parameter;
  b: Parameter;

  constructor(features: number, opts: { dtype?: 'float32' | 'float64'; generator?: Generator } = {}) {
    super();
    if (!Number.isInteger(features) || features < 1) throw new ArgumentError(`PlanarFlow: features must be a positive integer, found ${features}`);
    this.features = features;
    const o = { dtype: opts.dtype ?? ('float32' as const), generator: opts.generator };
    this.u = new Parameter(randn([features], o).mul(0.1));
    this.w = new Parameter(randn([features], o).mul(0.1));
    this.b = new Parameter(randn([1], o).mul(0.1));
  }

  /** û, the constrained u with wᵀû ≥ −1. */
  uHat(): Tensor {
    const wu = this.w.mul(this.u).sum();
    const m = softplus(wu).sub(1);
    return this.u.add(this.w.mul(m.sub(wu).div(this.w.square().sum())));
  }

  forward(z: Tensor) {
    checkInput('PlanarFlow.forward', z, [this.features]);
    const uh = this.uHat();
    const a = z.matmul(this.w.unsqueeze(1)).squeeze(1).add(this.b); // [N]
    const t = tanh(a);
    const y = z.add(t.unsqueeze(1).mul(uh));
    const dt = t.square().neg().add(1); // tanh′
    const logAbsDet = dt.mul(this.w.mul(uh).sum()).add(1).abs().log();
    return { y, logAbsDet };
  }

  inverse(y: Tensor) {
    checkInput('PlanarFlow.inverse', y, [this.features]);
    const uh = this.uHat();
    const wy = y.matmul(this.w.unsqueeze(1)).squeeze(1); // [N]
    const c = this.w.mul(uh).sum(); // wᵀû ≥ −1
    // g(α) = α + c·tanh(α + b) − wᵀy is non-decreasing; |c·tanh| ≤ |c| brackets the root.
    const alpha0 = noGrad(() => {
      const wyv = wy.storage;
      const cv = c.item();
      const bv = this.b.item();
      const out = new Float64Array(wyv.length);
      for (let i = 0; i < wyv.length; i++) {
        let lo = wyv[i]! - Math.abs(cv) - 1;
        let hi = wyv[i]! + Math.abs(cv) + 1;
        for (let k = 0; k < 200 && hi - lo > 1e-15 * (1 + Math.abs(lo)); k++) {
          const mid = 0.5 * (lo + hi);
          if (mid + cv * Math.tanh(mid + bv) - wyv[i]! > 0) hi = mid;
          else lo = mid;
        }
        out[i] = 0.5 * (lo + hi);
      }
      return new Tensor(out, [out.length], 'float64').to(wy.dtype);
    });
    const t0 = tanh(alpha0.add(this.b));
    const g = alpha0.add(t0.mul(c)).sub(wy);
    const gp = t0.square().neg().add(1).mul(c).add(1);
    const alpha = alpha0.sub(g.div(gp)); // one Newton step: exact value, implicit-function gradients
    const t = tanh(alpha.add(this.b));
    const z = y.sub(t.unsqueeze(1).mul(uh));
    const logAbsDet = t.square().neg().add(1).mul(c).add(1).abs().log().neg();
    return { x: z, logAbsDet };
  }
}
