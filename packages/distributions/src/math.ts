import { type Tensor, abs, lgamma, log, reciprocal, sign, sqrt, where } from '@likelihood/core';

/** log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b). */
export const lbeta = (a: Tensor, b: Tensor): Tensor => lgamma(a).add(lgamma(b)).sub(lgamma(a.add(b)));

/** xlogy(x, y) = x·log y with 0 where x = 0 (torch.special.xlogy). */
export function xlogy(x: Tensor, y: Tensor): Tensor {
  const safeY = where(x.eq(0), 1, y);
  return where(x.eq(0), 0, x.mul(log(safeY)));
}

// Coefficients of atan's Taylor series on |t| <= tan(π/8) ≈ 0.4142: 1/(2n+1)·(−1)ⁿ, 24 terms reach 1e-17.
const ATAN_TERMS = 24;

/**
 * atan as a composite of primitives (core has no atan): reduce |x| > 1 by atan(x) = ±π/2 − atan(1/x),
 * then halve the angle once, atan(t) = 2·atan(t / (1 + √(1 + t²))), and sum the Taylor series.
 */
export function atan(x: Tensor): Tensor {
  const ax = abs(x);
  const big = ax.gt(1);
  const r = where(big, reciprocal(ax), ax); // in [0, 1]
  const t = r.div(sqrt(r.square().add(1)).add(1)); // in [0, tan(π/8)]
  const t2 = t.square();
  let acc = t2.mul(0).add(((ATAN_TERMS - 1) % 2 === 0 ? 1 : -1) / (2 * (ATAN_TERMS - 1) + 1));
  for (let n = ATAN_TERMS - 2; n >= 0; n--) acc = acc.mul(t2).add((n % 2 === 0 ? 1 : -1) / (2 * n + 1));
  const small = acc.mul(t).mul(2);
  return sign(x).mul(where(big, small.neg().add(Math.PI / 2), small));
}
