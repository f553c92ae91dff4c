// Calibration of generative models: does the model's α-region hold a fraction α of held-out data?
import { ArgumentError, ShapeError } from '@likelihood/core';
import { type MatrixLike, type VectorLike, checkFinite, readMatrix, readVector } from './input.js';

/** A coverage curve: for each nominal level, the fraction of held-out data the model's region covers. */
export interface CoverageCurve {
  /** Nominal levels α (or p), ascending. */
  expected: number[];
  /** Fraction of held-out data covered at each level; ≈ expected for a calibrated model. */
  observed: number[];
  /**
   * Mean absolute coverage error over the levels, (1/L) Σ_l |observed_l − expected_l| (in [0, 1]).
   * Not a binned ECE: every level weighs the same, and the levels are nested regions, not disjoint bins.
   */
  calibrationError: number;
  /** Number of held-out points. */
  n: number;
}

export interface CoverageOptions {
  /** Levels in (0, 1), or a count L for L evenly spaced levels j/(L + 1). */
  levels?: number[] | number;
}

/** Default levels of highestDensityCoverage: 0.1, 0.2, …, 0.9, 0.95, 0.99. */
export const HDR_LEVELS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
/** Default levels of sampleQuantileCoverage: 0.01, 0.05, 0.1, …, 0.9, 0.95, 0.99 (both tails). */
export const QUANTILE_LEVELS: readonly number[] = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

function readLevels(op: string, levels: number[] | number | undefined, fallback: readonly number[]): number[] {
  if (levels === undefined) return [...fallback];
  if (typeof levels === 'number') {
    if (!Number.isInteger(levels) || levels < 1) throw new ArgumentError(`${op}: levels must be a positive integer count or an array of levels in (0, 1), found ${levels}`);
    return Array.from({ length: levels }, (_, j) => (j + 1) / (levels + 1));
  }
  if (!Array.isArray(levels) || levels.length === 0) throw new ArgumentError(`${op}: levels must be a non-empty array of levels in (0, 1), found ${JSON.stringify(levels)}`);
  for (const [i, a] of levels.entries()) {
    if (!(typeof a === 'number' && a > 0 && a < 1)) throw new ArgumentError(`${op}: levels[${i}] = ${a} must be in (0, 1) (exclusive)`);
  }
  return [...levels].sort((a, b) => a - b);
}

/**
 * The p-quantile of ascending `sorted` by linear interpolation between order statistics
 * (numpy's default, Hyndman and Fan type 7): position h = (n − 1)·p.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function curve(expected: number[], observed: number[], n: number): CoverageCurve {
  const calibrationError = expected.reduce((s, a, i) => s + Math.abs(observed[i]! - a), 0) / expected.length;
  return { expected, observed, calibrationError, n };
}

/**
 * Highest-density-region coverage of a model with a sampler and a log-density. For each level α,
 * τ_α is the (1 − α)-quantile (linear interpolation, numpy's default) of `modelLogProb`, the model's
 * log-densities of its own samples, so {x : log p(x) ≥ τ_α} is the model's α highest-density region;
 * observed(α) is the fraction of `testLogProb` (the model's log-densities of held-out points) ≥ τ_α.
 * A calibrated model gives observed ≈ α; observed > α at mid levels means the model is over-dispersed
 * (its high-density region is too wide), observed < α that it is under-dispersed or misses the data.
 */
export function highestDensityCoverage(modelLogProb: VectorLike, testLogProb: VectorLike, opts: CoverageOptions = {}): CoverageCurve {
  const op = 'highestDensityCoverage';
  const model = readVector(op, 'modelLogProb', modelLogProb);
  const test = readVector(op, 'testLogProb', testLogProb);
  if (model.length === 0) throw new ArgumentError(`${op}: modelLogProb is empty: expected the log-densities of at least one model sample`);
  if (test.length === 0) throw new ArgumentError(`${op}: testLogProb is empty: expected the log-densities of at least one held-out point`);
  checkFinite(op, 'modelLogProb', model);
  checkFinite(op, 'testLogProb', test);
  const levels = readLevels(op, opts.levels, HDR_LEVELS);
  model.sort();
  const observed = levels.map((a) => {
    const tau = quantileSorted(model, 1 - a);
    let inside = 0;
    for (let i = 0; i < test.length; i++) if (test[i]! >= tau) inside++;
    return inside / test.length;
  });
  return curve(levels, observed, test.length);
}

/**
 * Quantile calibration from samples (Kuleshov et al. 2018, with the model's CDF replaced by the
 * empirical CDF of its samples), for models that sample but have no density. For each coordinate d
 * and level p, q_{d,p} is the p-quantile (linear interpolation) of the model samples' coordinate d;
 * observed(p) is the fraction of (held-out point, coordinate) pairs with x_d ≤ q_{d,p}, i.e. the mean
 * over coordinates of the per-coordinate coverage. It checks the marginals only, not their dependence.
 * `modelSamples` is [N, D], `testPoints` [M, D] (a 1-D input is one coordinate).
 */
export function sampleQuantileCoverage(modelSamples: MatrixLike | VectorLike, testPoints: MatrixLike | VectorLike, opts: CoverageOptions = {}): CoverageCurve {
  const op = 'sampleQuantileCoverage';
  const model = readPoints(op, 'modelSamples', modelSamples);
  const test = readPoints(op, 'testPoints', testPoints);
  if (model.n === 0) throw new ArgumentError(`${op}: modelSamples is empty: expected at least one model sample`);
  if (test.n === 0) throw new ArgumentError(`${op}: testPoints is empty: expected at least one held-out point`);
  if (model.c !== test.c) throw new ShapeError(`${op}: modelSamples has ${model.c} coordinates but testPoints has ${test.c}: they must match`);
  if (model.c === 0) throw new ShapeError(`${op}: modelSamples has no coordinates: expected [N, D] with D ≥ 1`);
  checkFinite(op, 'modelSamples', model.data);
  checkFinite(op, 'testPoints', test.data);
  const levels = readLevels(op, opts.levels, QUANTILE_LEVELS);
  const D = model.c;
  const below = new Float64Array(levels.length);
  const column = new Float64Array(model.n);
  for (let d = 0; d < D; d++) {
    for (let i = 0; i < model.n; i++) column[i] = model.data[i * D + d]!;
    column.sort();
    levels.forEach((p, l) => {
      const q = quantileSorted(column, p);
      for (let i = 0; i < test.n; i++) if (test.data[i * D + d]! <= q) below[l]!++;
    });
  }
  return curve(levels, Array.from(below, (b) => b / (test.n * D)), test.n);
}

function readPoints(op: string, arg: string, x: MatrixLike | VectorLike) {
  const oneD = ArrayBuffer.isView(x) || (Array.isArray(x) && typeof x[0] === 'number') || ('ndim' in x && x.ndim === 1);
  if (oneD) {
    const v = readVector(op, arg, x as VectorLike);
    return { data: v, n: v.length, c: 1 };
  }
  return readMatrix(op, arg, x as MatrixLike);
}
