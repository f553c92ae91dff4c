// Special functions as composites: erfinv, lgamma, digamma, trigamma.
import { noGrad } from '../autograd/mode.js';
import { withCustomGrad } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { abs, add, asTensor, cast, cos, div, erf, exp, floor, log, logicalAnd, mul, neg, reciprocal, sign, sin, sqrt, sub, where } from './elementwise.js';

const asFloat = (x: TensorLike): Tensor => {
  const t = asTensor(x);
  return isFloating(t.dtype) ? t : cast(t, 'float32');
};

/** Horner evaluation of Σ c_i·wⁱ with c given from the highest power down. */
function horner(w: Tensor, coefs: readonly number[]): Tensor {
  let p = mul(w, 0).add(coefs[0]!);
  for (let i = 1; i < coefs.length; i++) p = add(mul(p, w), coefs[i]!);
  return p;
}

const GILES_CENTRAL = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 2.1858087e-4, -1.25372503e-3, -4.17768164e-3, 0.246640727, 1.50140941];
const GILES_TAIL = [-2.00214257e-4, 1.00950558e-4, 1.34934322e-3, -3.67342844e-3, 5.73950773e-3, -7.6224613e-3, 9.43887047e-3, 1.00167406, 2.83297682];

/** Σ c_i·xⁱ with c from the highest power down (erfcTail's rational approximations). */
const hornerC = (x: Tensor, c: readonly number[]) => c.slice(1).reduce((acc, k) => acc.mul(x).add(k), x.mul(0).add(c[0]!));

/** erfc(x) for x ≥ 0.5 as a composite (W. J. Cody's rational approximations, ~1e-16 relative). */
function erfcTail(x: Tensor): Tensor {
  const xs = where(x.lt(0.5), 0.5, x);
  const near = hornerC(xs, [2.15311535474403846e-8, 0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725]).div(
    hornerC(xs, [1, 15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942]),
  );
  const z = reciprocal(xs.square());
  const far = z
    .mul(hornerC(z, [0.0163153871373020978, 0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4]).div(hornerC(z, [1, 2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 2.33520497626869185e-3])))
    .neg()
    .add(0.564189583547756287)
    .div(xs);
  const r = where(xs.lt(4), near, far);
  const hi = floor(xs.mul(16)).div(16); // exp(−x²) split as exp(−hi²)·exp(−(x − hi)(x + hi)) to keep precision
  return exp(hi.square().neg()).mul(exp(xs.sub(hi).mul(xs.add(hi)).neg())).mul(r);
}

/**
 * Inverse error function: Giles' (2010) single-precision approximation refined by two Newton
 * steps on erf, which brings it to float64 accuracy; for 0.5 < |y| < 1 four Newton steps on
 * log erfc(|x|) = log(1 − |y|) (exact in floating point, unlike 1 − erf(x)) keep the tails accurate as
 * |y| → 1. ±1 give ±inf; |y| > 1 gives NaN.
 */
export function erfinv(y: TensorLike): Tensor {
  const t = asFloat(y);
  const out = noGrad(() => {
    const inside = abs(t).lt(1);
    const ys = where(inside, t, 0); // keep the iteration finite; edges are patched below
    const w = neg(log(mul(sub(1, ys), add(ys, 1))));
    const central = horner(sub(w, 2.5), GILES_CENTRAL);
    const tail = horner(sub(sqrt(where(w.lt(5), 5, w)), 3), GILES_TAIL);
    const x0 = mul(where(w.lt(5), central, tail), ys);
    let x = x0;
    for (let i = 0; i < 2; i++) {
      // Newton: x ← x − (erf(x) − y) / (2/√π · e^{−x²})
      const dx = div(sub(erf(x), ys), mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)));
      x = sub(x, dx);
    }
    const ay = abs(t);
    const nearOne = logicalAnd(ay.gt(0.5), ay.lt(1));
    const oneMinus = sub(1, where(nearOne, ay, 0.75));
    let ax = where(nearOne, abs(x0), 1); // from Giles' estimate: Newton on erf overshoots where erf(x) rounds to 1
    const logOneMinus = log(oneMinus);
    for (let i = 0; i < 4; i++) {
      // Newton on log erfc(ax) = log(1 − |y|), nearly linear in ax² so it converges from far off:
      // ax ← ax + (log erfc(ax) − log(1 − |y|)) · erfc(ax) / (2/√π · e^{−ax²})
      const e = erfcTail(ax);
      ax = add(ax, div(mul(sub(log(e), logOneMinus), e), mul(exp(neg(mul(ax, ax))), 2 / Math.sqrt(Math.PI))));
    }
    x = where(nearOne, mul(sign(t), ax), x);
    const edge = where(t.eq(1), Infinity, where(t.eq(-1), -Infinity, NaN));
    return where(inside, x, edge);
  });
  return withCustomGrad('erfinv', [t], out, (g) => [mul(g, mul(exp(mul(out, out)), Math.sqrt(Math.PI) / 2))]);
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** lgamma for x >= 0.5 by the Lanczos approximation (g = 7, 9 terms; ~1e-15 relative). */
function lgammaLanczos(x: Tensor): Tensor {
  const xm1 = sub(x, 1);
  let a = mul(xm1, 0).add(LANCZOS[0]!);
  for (let i = 1; i < LANCZOS.length; i++) a = add(a, div(LANCZOS[i]!, add(xm1, i)));
  const t = add(xm1, LANCZOS_G + 0.5);
  return add(sub(mul(add(xm1, 0.5), log(t)), t), add(log(a), HALF_LOG_2PI));
}

/** log|Γ(x)|: Lanczos for x ≥ ½, reflection log(π/|sin πx|) − lgamma(1 − x) below. Gradient: digamma. */
export function lgamma(x: TensorLike): Tensor {
  const t = asFloat(x);
  const out = noGrad(() => {
    const refl = t.lt(0.5);
    const xr = where(refl, sub(1, t), t); // always >= 0.5
    const l = lgammaLanczos(xr);
    const s = abs(sinPi(t));
    return where(refl, sub(log(div(Math.PI, s)), l), l);
  });
  return withCustomGrad('lgamma', [t], out, (g) => [mul(g, digamma(t))]);
}

/** sin(πx) with the argument reduced mod 2 first, so integers give exactly 0. */
function sinPi(x: Tensor): Tensor {
  const r = sub(x, mul(floor(div(x, 2)), 2)); // x mod 2 in [0, 2)
  return where(r.eq(floor(r)), 0, sin(mul(r, Math.PI)));
}

function cosPi(x: Tensor): Tensor {
  const r = sub(x, mul(floor(div(x, 2)), 2));
  return cos(mul(r, Math.PI));
}

const SHIFT = 10;

/** ψ(x) = d/dx lgamma(x): recurrence up to x + 10, then the asymptotic series; reflection for x < ½. */
export function digamma(x: TensorLike): Tensor {
  const t = asFloat(x);
  const out = noGrad(() => {
    const refl = t.lt(0.5);
    const xr = where(refl, sub(1, t), t);
    let acc = mul(xr, 0);
    for (let k = 0; k < SHIFT; k++) acc = add(acc, reciprocal(add(xr, k)));
    const y = add(xr, SHIFT);
    const y2 = reciprocal(mul(y, y));
    // log y − 1/(2y) − Σ B_{2n}/(2n·y^{2n})
    const series = mul(y2, horner(y2, [-691 / 32760, 1 / 132, -1 / 240, 1 / 252, -1 / 120, 1 / 12]));
    const psi = sub(sub(sub(log(y), div(0.5, y)), series), acc);
    // reflection: ψ(x) = ψ(1 − x) − π·cot(πx); poles at non-positive integers give NaN like torch (−inf at 0)
    const cot = div(cosPi(t), sinPi(t));
    const reflected = sub(psi, mul(cot, Math.PI));
    const negInt = logicalAnd(t.lt(0), t.eq(floor(t)));
    return where(refl, where(t.eq(0), -Infinity, where(negInt, NaN, reflected)), psi);
  });
  return withCustomGrad('digamma', [t], out, (g) => [mul(g, trigamma(t))]);
}

/** ψ₁(x), the derivative of digamma (used for second derivatives of lgamma). */
export function trigamma(x: TensorLike): Tensor {
  const t = asFloat(x);
  return noGrad(() => {
    const refl = t.lt(0.5);
    const xr = where(refl, sub(1, t), t);
    let acc = mul(xr, 0);
    for (let k = 0; k < SHIFT; k++) acc = add(acc, reciprocal(mul(add(xr, k), add(xr, k))));
    const y = add(xr, SHIFT);
    const iy = reciprocal(y);
    const y2 = mul(iy, iy);
    // 1/y + 1/(2y²) + Σ B_{2n}/y^{2n+1}
    const tail = mul(mul(y2, iy), horner(y2, [5 / 66, -1 / 30, 1 / 42, -1 / 30, 1 / 6]));
    const psi1 = add(add(add(iy, mul(y2, 0.5)), tail), acc);
    const s = sinPi(t);
    return where(refl, sub(div(Math.PI * Math.PI, mul(s, s)), psi1), psi1);
  });
}
