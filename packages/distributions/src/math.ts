import { type Generator, type Tensor, abs, broadcastShapes, gamma as sampleGamma, exp, lgamma, log, logicalAnd, noGrad, reciprocal, sign, sqrt, tensor, where, withCustomGrad } from '@likelihood/core';

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

/** atan with the exact derivative 1/(1 + x²) (the composite's own chain rule overflows to NaN for |x| ≳ 1e8). */
export function atanWithGrad(x: Tensor): Tensor {
  const out = noGrad(() => atan(x));
  return withCustomGrad('atan', [x], out, (g) => [g.div(x.square().add(1))]);
}

/** Regularised lower incomplete gamma P(a, x) on plain numbers: series below a + 1, Lentz continued fraction above. */
export function gammaincScalar(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const logPre = a * Math.log(x) - x - lgammaScalar(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return Math.min(1, Math.exp(logPre) * sum);
  }
  // Q(a, x) by the modified Lentz algorithm on the continued fraction (Numerical Recipes 6.2)
  const tinyD = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tinyD;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tinyD) d = tinyD;
    c = b + an / c;
    if (Math.abs(c) < tinyD) c = tinyD;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-17) break;
  }
  return Math.max(0, 1 - Math.exp(logPre) * h);
}

/**
 * Regularised lower incomplete gamma P(a, x) (torch.special.gammainc), elementwise with broadcasting.
 * ∂/∂x is the Gamma(a, 1) density; ∂/∂a (which torch does not implement) by float64 central differences.
 */
export function gammainc(a: Tensor, x: Tensor): Tensor {
  const shape = broadcastShapes('gammainc', a.shape, x.shape);
  const ab = a.expand(shape);
  const xb = x.expand(shape);
  const evalAt = (da: number) =>
    noGrad(() => {
      const av = ab.storage as ArrayLike<number>;
      const xv = xb.storage as ArrayLike<number>;
      const o = new Float64Array(av.length);
      for (let i = 0; i < o.length; i++) {
        const ai = av[i]!;
        o[i] = gammaincScalar(ai + da * Math.max(1, ai), xv[i]!);
      }
      return tensor(o, { dtype: 'float64' }).reshape(shape).to(x.dtype);
    });
  const out = evalAt(0);
  return withCustomGrad('gammainc', [ab, xb], out, (g) => {
    const logDens = where(xb.gt(0), ab.sub(1).mul(log(where(xb.gt(0), xb, 1))).sub(xb).sub(lgamma(ab)), -Infinity);
    const h = 1e-6;
    const da = evalAt(h).sub(evalAt(-h)).div(ab.detach().clamp(1).mul(2 * h));
    return [g.mul(da), g.mul(exp(logDens))];
  });
}

/**
 * Draws from Gamma(α, 1) with torch's implicit reparameterisation gradient (Figurnov et al. 2018):
 * for x = F⁻¹(u; α) with u held fixed, dx/dα = −(∂F/∂α)(x; α) / f(x; α). ∂F/∂α is a float64 central
 * difference of the regularised incomplete gamma (torch uses a series/asymptotic fit instead).
 */
export function standardGammaRsample(alpha: Tensor, generator?: Generator): Tensor {
  const x = noGrad(() => sampleGamma(alpha.detach(), { generator }));
  return withCustomGrad('standardGamma', [alpha], x, (g) => [g.mul(noGrad(() => standardGammaGrad(alpha.detach(), x)))]);
}

/** dx/dα at fixed cdf value for x ~ Gamma(α, 1) (torch's _standard_gamma_grad). */
export function standardGammaGrad(alpha: Tensor, x: Tensor): Tensor {
  const a = alpha.storage as ArrayLike<number>;
  const xs = x.storage as ArrayLike<number>;
  const out = new Float64Array(xs.length);
  for (let i = 0; i < out.length; i++) {
    const ai = a[i]!;
    const xi = xs[i]!;
    if (!(xi > 0) || !Number.isFinite(xi)) continue; // underflowed sample: no usable slope, as torch returns 0 there
    const h = 1e-5 * Math.max(1, ai);
    const dFda = (gammaincScalar(ai + h, xi) - gammaincScalar(ai - h, xi)) / (2 * h);
    const logDens = (ai - 1) * Math.log(xi) - xi - lgammaScalar(ai);
    out[i] = -dFda / Math.exp(logDens);
  }
  return tensor(out, { dtype: 'float64' }).reshape([...x.shape]).to(x.dtype);
}
