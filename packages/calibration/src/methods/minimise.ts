import type { Tensor } from '@likelihood/core';
import { LBFGS } from '@likelihood/nn';

export interface MinimiseOptions {
  /** LBFGS iterations per step (default 100) and steps (default 5, each restarts from the current point). */
  maxIter?: number;
  steps?: number;
}

/**
 * Minimises `loss()` over `params` (float64 leaves with requiresGrad) with LBFGS and a strong
 * Wolfe line search, as torch.optim.LBFGS(lr=1, line_search_fn='strong_wolfe'). Returns the final loss.
 */
export function minimiseLbfgs(params: Tensor[], loss: () => Tensor, opts: MinimiseOptions = {}): number {
  const { maxIter = 100, steps = 5 } = opts;
  const opt = new LBFGS(params, { lr: 1, maxIter, lineSearchFn: 'strong_wolfe', toleranceGrad: 1e-10, toleranceChange: 1e-12 });
  const closure = () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  };
  let last = Infinity;
  for (let s = 0; s < steps; s++) {
    const l = (opt.step(closure) as Tensor).item();
    if (Math.abs(last - l) <= 1e-12 * Math.max(1, Math.abs(l))) break;
    last = l;
  }
  return loss().item();
}
