// Score matching: fit s_θ(x) ≈ ∇_x log p_data(x) without ever touching Z. For an energy model
// s_θ = −∇_x E_θ (see scoreOf). Each loss returns per-example values with a reduction.
import { ArgumentError, type Generator, type Tensor, autogradGrad, enableGrad, randn, rand } from '@likelihood/core';
import { checkPositive, checkPositiveInt } from './checks.js';

/** A score function: a batch [N, D] to scores [N, D]. */
export type ScoreFn = (x: Tensor) => Tensor;
export type Reduction = 'none' | 'mean' | 'sum';

function reduce(op: string, x: Tensor, r: Reduction = 'mean'): Tensor {
  if (r === 'none') return x;
  if (r === 'mean') return x.mean();
  if (r === 'sum') return x.sum();
  throw new ArgumentError(`${op}: reduction must be 'none', 'mean' or 'sum', found '${String(r)}'`);
}

function checkX(op: string, x: Tensor): void {
  if (x.ndim !== 2) throw new ArgumentError(`${op}: x must be a batch [N, D], found shape [${x.shape.join(', ')}]`);
}

function checkScore(op: string, s: Tensor, x: Tensor): void {
  if (s.ndim !== 2 || s.shape[0] !== x.shape[0] || s.shape[1] !== x.shape[1]) {
    throw new ArgumentError(`${op}: the score must have x's shape [${x.shape.join(', ')}], found [${s.shape.join(', ')}]`);
  }
}

export interface DSMOptions {
  /** Noise standard deviation σ. */
  sigma: number;
  generator?: Generator;
  reduction?: Reduction;
}

/**
 * Denoising score matching (Vincent 2011): x̃ = x + σξ, and the score of the noising kernel is
 * ∇ log q(x̃ | x) = −ξ/σ, so the loss per example is ½‖s(x̃) + ξ/σ‖². Its minimiser is the
 * score of the noised data distribution p_data ∗ N(0, σ²I), not of p_data itself.
 */
export function denoisingScoreMatching(score: ScoreFn, x: Tensor, opts: DSMOptions): Tensor {
  checkX('denoisingScoreMatching', x);
  const sigma = checkPositive('denoisingScoreMatching', 'sigma', opts.sigma);
  const xi = randn(x.shape, { generator: opts.generator, dtype: x.dtype === 'float64' ? 'float64' : 'float32' });
  const noisy = x.detach().add(xi.mul(sigma));
  const s = score(noisy);
  checkScore('denoisingScoreMatching', s, x);
  return reduce('denoisingScoreMatching', s.add(xi.div(sigma)).square().sum(1).mul(0.5), opts.reduction);
}

/**
 * Exact score matching (Hyvärinen 2005): tr ∇_x s(x) + ½‖s(x)‖² per example, with one backward
 * pass per dimension for the Jacobian's diagonal. Fine for low-dimensional data.
 */
export function exactScoreMatching(score: ScoreFn, x: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkX('exactScoreMatching', x);
  return enableGrad(() => {
    const xr = x.detach().requiresGrad_();
    const s = score(xr);
    checkScore('exactScoreMatching', s, x);
    const d = x.shape[1]!;
    let trace: Tensor | null = null;
    for (let i = 0; i < d; i++) {
      const [g] = autogradGrad([s.narrow(1, i, 1).sum()], [xr], { createGraph: true });
      const dii = g!.narrow(1, i, 1).squeeze(1); // ∂s_i/∂x_i [N]
      trace = trace ? trace.add(dii) : dii;
    }
    return reduce('exactScoreMatching', trace!.add(s.square().sum(1).mul(0.5)), opts.reduction);
  });
}

export interface SSMOptions {
  /** Random projections per example (default 1). */
  numProjections?: number;
  /** Distribution of the projections v: 'gaussian' (default) or 'rademacher' (±1). */
  projection?: 'gaussian' | 'rademacher';
  /** Use ½‖s‖² in place of ½(vᵀs)² (SSM-VR; the same expectation for E[vvᵀ] = I, less variance). */
  varianceReduction?: boolean;
  generator?: Generator;
  reduction?: Reduction;
}

/**
 * Sliced score matching (Song et al. 2019): vᵀ ∇_x(vᵀ s(x)) + ½(vᵀ s(x))² per example, averaged
 * over random projections v with E[vvᵀ] = I. In expectation over v it equals exact score
 * matching, but costs one extra backward pass per projection instead of one per dimension.
 */
export function slicedScoreMatching(score: ScoreFn, x: Tensor, opts: SSMOptions = {}): Tensor {
  checkX('slicedScoreMatching', x);
  const m = checkPositiveInt('slicedScoreMatching', 'numProjections', opts.numProjections ?? 1);
  const kind = opts.projection ?? 'gaussian';
  if (kind !== 'gaussian' && kind !== 'rademacher') {
    throw new ArgumentError(`slicedScoreMatching: projection must be 'gaussian' or 'rademacher', found '${String(kind)}'`);
  }
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  return enableGrad(() => {
    const xr = x.detach().requiresGrad_();
    const s = score(xr);
    checkScore('slicedScoreMatching', s, x);
    let total: Tensor | null = null;
    for (let k = 0; k < m; k++) {
      const v = kind === 'gaussian' ? randn(x.shape, { generator: opts.generator, dtype }) : rand(x.shape, { generator: opts.generator, dtype }).lt(0.5).to(dtype).mul(2).sub(1);
      const sv = s.mul(v).sum(1); // vᵀs [N]
      const [g] = autogradGrad([sv.sum()], [xr], { createGraph: true }); // ∇_x(vᵀs) [N, D]
      const second = opts.varianceReduction ? s.square().sum(1).mul(0.5) : sv.square().mul(0.5);
      const term = g!.mul(v).sum(1).add(second);
      total = total ? total.add(term) : term;
    }
    return reduce('slicedScoreMatching', total!.div(m), opts.reduction);
  });
}
