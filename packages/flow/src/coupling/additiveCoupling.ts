import type { Tensor } from '@likelihood/core';
import { type CouplingOptions, MaskedCoupling, paramAt } from './coupling.js';

/**
 * NICE's additive coupling (Dinh et al. 2015): y = x + t(x_kept) on the transformed part, so
 * the map is volume preserving (log|det| = 0). Pair it with ActNorm (NICE's diagonal scaling).
 */
export class AdditiveCoupling extends MaskedCoupling {
  protected readonly paramsPerElement = 1;
  constructor(mask: Tensor, opts: CouplingOptions = {}) {
    super(mask, 1, opts);
  }
  protected elementForward(x: Tensor, params: Tensor) {
    const t = paramAt(params, 0);
    return { y: x.add(t), logDet: t.mul(0) };
  }
  protected elementInverse(y: Tensor, params: Tensor) {
    const t = paramAt(params, 0);
    return { x: y.sub(t), logDet: t.mul(0) };
  }
}
