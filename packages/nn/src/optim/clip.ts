import { ArgumentError, Tensor, noGrad } from '@likelihood/core';

function paramList(params: Iterable<Tensor> | Tensor, op: string): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ArgumentError(`${op}: params[${i}]: expected a Tensor, found ${typeof p}`);
  });
  return list;
}

/** torch.linalg.vector_norm of a flat array, in float64. */
function vectorNorm(xs: ArrayLike<number>, p: number): number {
  let acc = p === Infinity ? 0 : p === -Infinity ? Infinity : 0;
  for (let i = 0; i < xs.length; i++) {
    const a = Math.abs(xs[i]!);
    if (p === Infinity) acc = Number.isNaN(a) || a > acc ? a : acc;
    else if (p === -Infinity) acc = Number.isNaN(a) || a < acc ? a : acc;
    else if (p === 0) acc += a !== 0 ? 1 : 0;
    else if (p === 1) acc += a;
    else if (p === 2) acc += a * a;
    else acc += a ** p;
  }
  if (p === Infinity || p === -Infinity || p === 0 || p === 1) return acc;
  return p === 2 ? Math.sqrt(acc) : acc ** (1 / p);
}

/**
 * Rescales the gradients of `params` so that their joint `normType`-norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_): the norm of the per-tensor norms is computed, each grad is
 * multiplied by `min(maxNorm / (total + 1e-6), 1)`, and `p.grad` is replaced by the result.
 * Parameters without a grad are skipped. Returns the total norm before clipping (0 if there
 * are no grads). `normType` may be Infinity (largest |g|). Norms are computed in float64.
 */
export function clipGradNorm_(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, opts: { errorIfNonfinite?: boolean } = {}): number {
  const list = paramList(params, 'clipGradNorm_');
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new ArgumentError(`clipGradNorm_: maxNorm: expected a number, found ${JSON.stringify(maxNorm)}`);
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType < 0) {
    throw new ArgumentError(`clipGradNorm_: normType: expected a number >= 0 or Infinity, found ${JSON.stringify(normType)}`);
  }
  const withGrad = list.filter((p) => p.grad !== null);
  if (withGrad.length === 0) return 0;
  const norms = withGrad.map((p) => vectorNorm(p.grad!.storage as ArrayLike<number>, normType));
  const total = vectorNorm(norms, normType);
  if (opts.errorIfNonfinite && !Number.isFinite(total)) {
    throw new ArgumentError(`clipGradNorm_: the total norm of order ${normType} of the gradients is ${total}; expected a finite norm (errorIfNonfinite is set)`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  noGrad(() => {
    for (const p of withGrad) p.grad = p.grad!.mul(coef);
  });
  return total;
}

/**
 * Clamps every gradient element into [-clipValue, clipValue] (torch.nn.utils.clip_grad_value_),
 * replacing `p.grad`. Parameters without a grad are skipped.
 */
export function clipGradValue_(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const list = paramList(params, 'clipGradValue_');
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) {
    throw new ArgumentError(`clipGradValue_: clipValue: expected a number >= 0, found ${JSON.stringify(clipValue)}`);
  }
  noGrad(() => {
    for (const p of list) if (p.grad) p.grad = p.grad.clamp(-clipValue, clipValue);
  });
}
