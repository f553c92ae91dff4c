// Composite elementwise functions: each is written with primitives, so it gets gradients and
// capture for free. `withCustomGrad` is used only where the plain chain rule would lose precision.
import { noGrad } from '../autograd/mode.js';
import { withCustomGrad } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { fusedGeluTanh } from '../kernels/wasm/gelu.js';
import { fusedSilu } from '../kernels/wasm/silu.js';
import { fusedRelu } from '../kernels/cpu/relu.js';
import {
  abs, asTensor, cast, div, erf, exp, isinf, log, logicalAnd, logicalNot, maximum, minimum, mul, neg, reciprocal, sqrt, sub, tanh, where, add,
} from './elementwise.js';

const asFloat = (x: TensorLike): Tensor => {
  const t = asTensor(x);
  return isFloating(t.dtype) ? t : cast(t, 'float32');
};

/** log(1 + x), accurate for tiny |x| (Goldberg: with u = 1 + x rounded, log(u)·x/(u − 1)). */
export function log1p(x: TensorLike): Tensor {
  const t = asFloat(x);
  const out = noGrad(() => {
    const u = add(t, 1);
    const um1 = sub(u, 1);
    const safe = where(um1.eq(0), 1, um1);
    return where(um1.eq(0), t, div(mul(log(u), t), safe));
  });
  return withCustomGrad('log1p', [t], out, (g) => [div(g, add(t, 1))]);
}

/** eˣ − 1, accurate for tiny |x| (Kahan: with u = eˣ rounded, (u − 1)·x/log u). */
export function expm1(x: TensorLike): Tensor {
  const t = asFloat(x);
  const out = noGrad(() => {
    const u = exp(t);
    const um1 = sub(u, 1);
    const lu = log(u);
    const small = logicalAnd(um1.ne(0), lu.ne(0));
    const ratio = div(mul(um1, t), where(small, lu, 1));
    // u = 1: x itself; u − 1 = −1 (x very negative) or u = inf: u − 1 itself
    return where(um1.eq(0), t, where(logicalAnd(logicalAnd(small, um1.gt(-1)), logicalNot(isinf(u))), ratio, um1));
  });
  return withCustomGrad('expm1', [t], out, (g) => [mul(g, add(out, 1))]);
}

export const square = (x: TensorLike): Tensor => {
  const t = asTensor(x);
  return mul(t, t);
};
export const rsqrt = (x: TensorLike): Tensor => reciprocal(sqrt(x));

/** 1 / (1 + e^{−x}); finite for every input, gradient s(1 − s). */
export function sigmoid(x: TensorLike): Tensor {
  const t = asFloat(x);
  const out = noGrad(() => reciprocal(add(exp(neg(t)), 1)));
  return withCustomGrad('sigmoid', [t], out, (g) => [mul(g, mul(out, sub(1, out)))]);
}

/** log σ(x) = min(x, 0) − log1p(e^{−|x|}): exact and finite for every finite x. */
export function logSigmoid(x: TensorLike): Tensor {
  const t = asFloat(x);
  return sub(minimum(t, 0), log1p(exp(neg(abs(t)))));
}

/**
 * log(1 + e^{βx}) / β, linear above `threshold` (torch.nn.functional.softplus). Written as
 * max(βx, 0) + log1p(e^{−|βx|}) so it is exact and finite for ±1e4 in float32 and ±1e300 in float64.
 */
export function softplus(x: TensorLike, beta = 1, threshold = 20): Tensor {
  const t = asFloat(x);
  const bx = mul(t, beta);
  const smooth = div(add(maximum(bx, 0), log1p(exp(neg(abs(bx))))), beta);
  return where(bx.gt(threshold), t, smooth);
}

/** max(x, 0), with gradient 0 at 0 and NaN kept, as torch. */
export const relu = (x: TensorLike): Tensor => {
  const t = asTensor(x);
  return fusedRelu(t) ?? where(t.le(0), 0, t); // one loop each way; the composite under trace
};

export function leakyRelu(x: TensorLike, negativeSlope = 0.01): Tensor {
  const t = asFloat(x);
  return where(t.gt(0), t, mul(t, negativeSlope));
}

/** x for x > 0, α(eˣ − 1) otherwise. */
export function elu(x: TensorLike, alpha = 1): Tensor {
  const t = asFloat(x);
  return where(t.gt(0), t, mul(expm1(minimum(t, 0)), alpha));
}

/** GELU: x·Φ(x) with the exact erf form, or the tanh approximation (GPT-2's). */
export function gelu(x: TensorLike, approximate: 'none' | 'tanh' = 'none'): Tensor {
  const t = asFloat(x);
  if (approximate === 'tanh') {
    const fused = fusedGeluTanh(t); // float32, large: one wasm kernel each way
    if (fused) return fused;
    const inner = mul(add(t, mul(mul(mul(t, t), t), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(t, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== 'none') throw new ArgumentError(`gelu: approximate must be 'none' or 'tanh', found '${approximate}'`);
  return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
}

/** x·σ(x) (swish). */
export const silu = (x: TensorLike): Tensor => {
  const t = asFloat(x);
  return fusedSilu(t) ?? mul(t, sigmoid(t)); // float32, large: one wasm kernel each way
};

/** Limits values to [min, max]; gradient 1 inside (bounds included), 0 outside, as torch. NaN stays NaN. */
export function clamp(x: TensorLike, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  let t = asTensor(x);
  if (min == null && max == null) throw new ArgumentError('clamp: at least one of min or max must be given');
  if (min != null) t = where(t.lt(min), min, t);
  if (max != null) t = where(t.gt(max), max, t);
  return t;
}

/** log(eᵃ + eᵇ) without overflow; −inf when both are −inf. */
export function logaddexp(a: TensorLike, b: TensorLike): Tensor {
  const ta = asFloat(a);
  const tb = asFloat(b);
  const m = maximum(ta, tb);
  const bothInf = logicalAnd(isinf(m), ta.eq(tb));
  const d = where(bothInf, 0, abs(sub(ta, tb)));
  return where(bothInf, m, add(m, log1p(exp(neg(d)))));
}
