// Rational-quadratic splines (Durkan et al. 2019, "Neural Spline Flows"), ported from nflows'
// nflows/transforms/splines/rational_quadratic.py: same parameterisation, same constants,
// same bin search (with its eps on the last knot), same formulas in both directions.
import { ArgumentError, type Tensor, cat, clamp, cumsum, full, gather, noGrad, softmax, softplus, where, zeros } from '@likelihood/core';

export const DEFAULT_MIN_BIN_WIDTH = 1e-3;
export const DEFAULT_MIN_BIN_HEIGHT = 1e-3;
export const DEFAULT_MIN_DERIVATIVE = 1e-3;

export interface SplineOptions {
  /** Evaluate the inverse map (the input is a y value). */
  inverse?: boolean;
  minBinWidth?: number;
  minBinHeight?: number;
  minDerivative?: number;
  /**
   * nflows' enable_identity_init: derivatives = d_min + softplus(β·d̂)/β with β = log 2/(1 − d_min),
   * so all-zero raw parameters give the identity map. Default false, as nflows.
   */
  enableIdentityInit?: boolean;
}

export interface BoundedSplineOptions extends SplineOptions {
  left?: number;
  right?: number;
  bottom?: number;
  top?: number;
}

export interface SplineResult {
  outputs: Tensor;
  /** log|d outputs / d inputs|, elementwise (for the inverse: of the inverse map). */
  logAbsDet: Tensor;
}

/** Knot positions [.., K + 1] from raw bin sizes [.., K]: softmax, floor at `minSize`, cumsum, pinned ends (nflows). */
function knots(raw: Tensor, lo: number, hi: number, minSize: number): { cum: Tensor; sizes: Tensor } {
  const k = raw.shape[raw.ndim - 1]!;
  const sizes = softmax(raw, -1).mul(1 - minSize * k).add(minSize);
  const inner = cumsum(sizes, -1).narrow(-1, 0, k - 1).mul(hi - lo).add(lo); // knots 1..K−1
  const lead = [...raw.shape.slice(0, -1), 1];
  const cum = cat([full(lead, lo, { dtype: raw.dtype }), inner, full(lead, hi, { dtype: raw.dtype })], -1); // [.., K + 1]
  return { cum, sizes: cum.narrow(-1, 1, k).sub(cum.narrow(-1, 0, k)) };
}

/** nflows' searchsorted: the bin index of each input, Σ [input ≥ knot] − 1, with eps added to the last knot. */
function searchBins(cum: Tensor, inputs: Tensor, eps = 1e-6): Tensor {
  const k1 = cum.shape[cum.ndim - 1]!;
  const bump = cat([zeros([k1 - 1], { dtype: cum.dtype }), full([1], eps, { dtype: cum.dtype })]);
  return noGrad(() => inputs.unsqueeze(-1).ge(cum.detach().add(bump)).to('int32').sum(-1).sub(1).unsqueeze(-1).to('int32')); // [.., 1]
}

const pick = (t: Tensor, idx: Tensor) => gather(t, -1, idx).squeeze(-1);

/**
 * The monotone rational-quadratic spline on [left, right] → [bottom, top] with K bins:
 * widths/heights [.., K] (raw, softmaxed), derivatives [.., K + 1] (raw, softplus + min).
 * Inputs outside the interval are an error (nflows' InputOutsideDomain); the forward direction
 * checks [left, right], the inverse [bottom, top].
 */
export function rationalQuadraticSpline(inputs: Tensor, widths: Tensor, heights: Tensor, derivatives: Tensor, opts: BoundedSplineOptions = {}): SplineResult {
  const { inverse = false, left = 0, right = 1, bottom = 0, top = 1 } = opts;
  const minW = opts.minBinWidth ?? DEFAULT_MIN_BIN_WIDTH;
  const minH = opts.minBinHeight ?? DEFAULT_MIN_BIN_HEIGHT;
  const minD = opts.minDerivative ?? DEFAULT_MIN_DERIVATIVE;
  const k = widths.shape[widths.ndim - 1]!;
  if (minW * k > 1) throw new ArgumentError(`rationalQuadraticSpline: minimal bin width ${minW} too large for ${k} bins`);
  if (minH * k > 1) throw new ArgumentError(`rationalQuadraticSpline: minimal bin height ${minH} too large for ${k} bins`);
  if (heights.shape[heights.ndim - 1] !== k || derivatives.shape[derivatives.ndim - 1] !== k + 1) {
    throw new ArgumentError(`rationalQuadraticSpline: with ${k} bins, heights need ${k} and derivatives ${k + 1} entries in the last dim, found ${heights.shape[heights.ndim - 1]} and ${derivatives.shape[derivatives.ndim - 1]}`);
  }
  const [lo, hi] = inverse ? [bottom, top] : [left, right];
  noGrad(() => {
    const s = inputs.storage;
    for (let i = 0; i < s.length; i++) {
      if (!(s[i]! >= lo && s[i]! <= hi)) throw new ArgumentError(`rationalQuadraticSpline: input ${s[i]} at flat index ${i} is outside the spline's domain [${lo}, ${hi}]`);
    }
  });

  const w = knots(widths, left, right, minW);
  const h = knots(heights, bottom, top, minH);
  const beta = opts.enableIdentityInit ? Math.log(2) / (1 - minD) : 1;
  const d = softplus(derivatives, beta).add(minD);
  const idx = searchBins(inverse ? h.cum : w.cum, inputs);

  const inCumW = pick(w.cum, idx);
  const inW = pick(w.sizes, idx);
  const inCumH = pick(h.cum, idx);
  const inDelta = pick(h.sizes.div(w.sizes), idx);
  const inD = pick(d, idx);
  const inD1 = pick(d.narrow(-1, 1, k), idx);
  const inH = pick(h.sizes, idx);
  const dSum = inD.add(inD1).sub(inDelta.mul(2)); // d_k + d_{k+1} − 2δ_k

  let theta: Tensor;
  let outputs: Tensor;
  if (inverse) {
    const dy = inputs.sub(inCumH);
    const a = dy.mul(dSum).add(inH.mul(inDelta.sub(inD)));
    const b = inH.mul(inD).sub(dy.mul(dSum));
    const c = inDelta.neg().mul(dy);
    const disc = b.square().sub(a.mul(c).mul(4));
    theta = c.mul(2).div(b.neg().sub(disc.sqrt())); // the stable root of aθ² + bθ + c = 0
    outputs = theta.mul(inW).add(inCumW);
  } else {
    theta = inputs.sub(inCumW).div(inW);
  }
  const t1t = theta.mul(theta.neg().add(1));
  const denominator = inDelta.add(dSum.mul(t1t));
  if (!inverse) {
    const numerator = inH.mul(inDelta.mul(theta.square()).add(inD.mul(t1t)));
    outputs = inCumH.add(numerator.div(denominator));
  }
  const derivNumerator = inDelta.square().mul(inD1.mul(theta.square()).add(inDelta.mul(t1t).mul(2)).add(inD.mul(theta.neg().add(1).square())));
  const logAbsDet = derivNumerator.log().sub(denominator.log().mul(2));
  return { outputs: outputs!, logAbsDet: inverse ? logAbsDet.neg() : logAbsDet };
}

/**
 * The spline on [−B, B] with linear (identity) tails outside, nflows'
 * unconstrained_rational_quadratic_spline(tails='linear'): derivatives [.., K − 1] are the
 * interior knots' raw slopes; the end slopes are pinned to 1 so the map is C¹ at ±B.
 */
export function unconstrainedRationalQuadraticSpline(inputs: Tensor, widths: Tensor, heights: Tensor, derivatives: Tensor, opts: SplineOptions & { tailBound?: number } = {}): SplineResult {
  const b = opts.tailBound ?? 1;
  const minD = opts.minDerivative ?? DEFAULT_MIN_DERIVATIVE;
  const constant = Math.log(Math.exp(1 - minD) - 1); // softplus(constant) + minD = 1
  const lead = [...derivatives.shape.slice(0, -1), 1];
  const padded = cat([full(lead, constant, { dtype: derivatives.dtype }), derivatives, full(lead, constant, { dtype: derivatives.dtype })], -1);
  const inside = inputs.ge(-b).logicalAnd(inputs.le(b));
  // Evaluate the spline on clamped inputs everywhere, then keep the identity outside, so tail
  // elements never produce NaNs (and get zero gradient from the spline branch).
  const r = rationalQuadraticSpline(clamp(inputs, -b, b), widths, heights, padded, { ...opts, left: -b, right: b, bottom: -b, top: b });
  return { outputs: where(inside, r.outputs, inputs), logAbsDet: where(inside, r.logAbsDet, zeros([], { dtype: inputs.dtype })) };
}
