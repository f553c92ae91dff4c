import { type Tensor, abs, lgamma, log, logicalAnd, reciprocal, sign, sqrt, where } from '@likelihood/core';

/** log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b). */
export const lbeta = (a: Tensor, b: Tensor): Tensor => lgamma(a).add(lgamma(b)).sub(lgamma(a.add(b)));

/** xlogy(x, y) = x·log y with 0 where x = 0 (torch.special.xlogy). */
export function xlogy(x: Tensor, y: Tensor): Tensor {
  // y is replaced by 1 only where x = 0 and y = 0, so ∂/∂x stays log y wherever y > 0 (as torch)
  const safeY = where(logicalAnd(x.eq(0), y.eq(0)), 1, y);
  return x.mul(log(safeY));
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

/** log Γ(x) on a plain number (Lanczos), for constants like log n!. */
export function lgammaScalar(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaScalar(1 - x);
  const xm1 = x - 1;
  let a = c[0]!;
  for (let i = 1; i < 9; i++) a += c[i]! / (xm1 + i);
  const t = xm1 + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (xm1 + 0.5) * Math.log(t) - t + Math.log(a);
}
