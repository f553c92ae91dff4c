import { ArgumentError, ShapeError, type Tensor, tensor } from '@likelihood/core';
import { type VectorLike, checkFinite, readVector } from '../input.js';
import { type CalibratorJSON, envelope, numbers, openEnvelope, requireFitted } from './calibrator.js';

/**
 * Weighted pool-adjacent-violators: the non-decreasing sequence closest to `y` in weighted
 * least squares (Ayer et al. 1955). Each violating pair of blocks is merged into its weighted mean.
 */
export function poolAdjacentViolators(y: Float64Array, w: Float64Array): Float64Array {
  const n = y.length;
  const mean = new Float64Array(n);
  const weight = new Float64Array(n);
  const size = new Int32Array(n);
  let top = -1; // stack of blocks
  for (let i = 0; i < n; i++) {
    top++;
    mean[top] = y[i]!;
    weight[top] = w[i]!;
    size[top] = 1;
    while (top > 0 && mean[top - 1]! >= mean[top]!) {
      const wSum = weight[top - 1]! + weight[top]!;
      mean[top - 1] = (mean[top - 1]! * weight[top - 1]! + mean[top]! * weight[top]!) / wSum;
      weight[top - 1] = wSum;
      size[top - 1]! += size[top]!;
      top--;
    }
  }
  const out = new Float64Array(n);
  let k = 0;
  for (let b = 0; b <= top; b++) for (let j = 0; j < size[b]!; j++) out[k++] = mean[b]!;
  return out;
}

/**
 * Isotonic regression of y on x, as sklearn.isotonic.IsotonicRegression(increasing=True,
 * out_of_bounds='clip'): ties in x are pooled into their weighted mean, PAV fits a non-decreasing
 * step function through the unique x, and predictions interpolate linearly between those points,
 * clipping x to the fitted range.
 */
export class IsotonicRegression {
  static readonly kind = 'IsotonicRegression';
  xThresholds: number[] | null = null;
  yThresholds: number[] | null = null;

  fit(x: VectorLike, y: VectorLike, sampleWeight?: VectorLike): this {
    const xs = readVector('IsotonicRegression.fit', 'x', x);
    const ys = readVector('IsotonicRegression.fit', 'y', y);
    const ws = sampleWeight === undefined ? new Float64Array(xs.length).fill(1) : readVector('IsotonicRegression.fit', 'sampleWeight', sampleWeight);
    if (xs.length !== ys.length || xs.length !== ws.length) {
      throw new ShapeError(`IsotonicRegression.fit: x, y and sampleWeight must have the same length, found ${xs.length}, ${ys.length} and ${ws.length}`);
    }
    if (xs.length === 0) throw new ArgumentError('IsotonicRegression.fit: expected at least one point, found none');
    checkFinite('IsotonicRegression.fit', 'x', xs);
    checkFinite('IsotonicRegression.fit', 'y', ys);
    for (let i = 0; i < ws.length; i++) if (!(ws[i]! > 0)) throw new ArgumentError(`IsotonicRegression.fit: sampleWeight[${i}] = ${ws[i]} must be positive`);
    const order = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]! || ys[a]! - ys[b]!);
    // Pool equal x (sklearn's _make_unique): weighted mean of y, summed weight.
    const ux: number[] = [];
    const uy: number[] = [];
    const uw: number[] = [];
    for (const i of order) {
      const last = ux.length - 1;
      if (last >= 0 && xs[i]! - ux[last]! < 1e-15) {
        uy[last]! += ys[i]! * ws[i]!;
        uw[last]! += ws[i]!;
      } else {
        ux.push(xs[i]!);
        uy.push(ys[i]! * ws[i]!);
        uw.push(ws[i]!);
      }
    }
    for (let k = 0; k < uy.length; k++) uy[k]! /= uw[k]!;
    const fitted = poolAdjacentViolators(Float64Array.from(uy), Float64Array.from(uw));
    // Keep only the ends of each constant run: interpolation between them is unchanged.
    const keepX: number[] = [];
    const keepY: number[] = [];
    for (let k = 0; k < ux.length; k++) {
      const inner = k > 0 && k < ux.length - 1 && fitted[k] === fitted[k - 1] && fitted[k] === fitted[k + 1];
      if (!inner) {
        keepX.push(ux[k]!);
        keepY.push(fitted[k]!);
      }
    }
    this.xThresholds = keepX;
    this.yThresholds = keepY;
    return this;
  }

  /** The fitted function at each x (float64, shape [N]). */
  predict(x: VectorLike): Tensor {
    const xt = requireFitted('IsotonicRegression', this.xThresholds);
    const yt = requireFitted('IsotonicRegression', this.yThresholds);
    const xs = readVector('IsotonicRegression.predict', 'x', x);
    checkFinite('IsotonicRegression.predict', 'x', xs);
    const out = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = interpolate(xt, yt, xs[i]!);
    return tensor(out, { dtype: 'float64' });
  }

  toJSON(): CalibratorJSON {
    return envelope(IsotonicRegression.kind, {
      xThresholds: requireFitted('IsotonicRegression', this.xThresholds),
      yThresholds: requireFitted('IsotonicRegression', this.yThresholds),
    });
  }

  static fromJSON(json: unknown): IsotonicRegression {
    const p = openEnvelope(IsotonicRegression.kind, json);
    const r = new IsotonicRegression();
    r.xThresholds = numbers(IsotonicRegression.kind, p, 'xThresholds');
    r.yThresholds = numbers(IsotonicRegression.kind, p, 'yThresholds', r.xThresholds.length);
    if (r.xThresholds.length === 0) throw new ArgumentError('IsotonicRegression.fromJSON: params.xThresholds is empty');
    return r;
  }
}

/** Piecewise-linear interpolation through (xt, yt), constant beyond the ends. */
function interpolate(xt: readonly number[], yt: readonly number[], x: number): number {
  const n = xt.length;
  if (x <= xt[0]!) return yt[0]!;
  if (x >= xt[n - 1]!) return yt[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xt[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xt[lo]!) / (xt[hi]! - xt[lo]!);
  return yt[lo]! + t * (yt[hi]! - yt[lo]!);
}
