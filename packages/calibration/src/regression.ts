// Calibration of regression models that predict a Gaussian N(mean, variance) for each target.
import { ArgumentError, ShapeError, tensor } from '@likelihood/core';
import { type VectorLike, checkFinite, readVector } from './input.js';

function readGaussian(op: string, mean: VectorLike, variance: VectorLike, target: VectorLike) {
  const mu = readVector(op, 'mean', mean);
  const v = readVector(op, 'variance', variance);
  const y = readVector(op, 'target', target);
  if (mu.length !== v.length || mu.length !== y.length) {
    throw new ShapeError(`${op}: mean, variance and target must have the same length, found ${mu.length}, ${v.length} and ${y.length}`);
  }
  if (mu.length === 0) throw new ArgumentError(`${op}: expected at least one prediction, found none`);
  checkFinite(op, 'mean', mu);
  checkFinite(op, 'target', y);
  for (let i = 0; i < v.length; i++) {
    if (!(v[i]! > 0 && Number.isFinite(v[i]!))) throw new ArgumentError(`${op}: variance[${i}] = ${v[i]} must be positive and finite`);
  }
  return { mu, v, y };
}

/** Φ(z) for many z at once, through core's float64 erf. */
function normalCdf(z: Float64Array): Float64Array {
  return tensor(z, { dtype: 'float64' }).mul(Math.SQRT1_2).erf().add(1).mul(0.5).storage as Float64Array;
}

/** Mean Gaussian negative log-likelihood ½ log(2π σ²) + (y − μ)² / (2σ²), in nats (full constant, unlike torch's gaussian_nll_loss). */
export function gaussianNllScore(mean: VectorLike, variance: VectorLike, target: VectorLike): number {
  const { mu, v, y } = readGaussian('gaussianNllScore', mean, variance, target);
  let s = 0;
  for (let i = 0; i < mu.length; i++) s += 0.5 * Math.log(2 * Math.PI * v[i]!) + (y[i]! - mu[i]!) ** 2 / (2 * v[i]!);
  return s / mu.length;
}

/**
 * Prediction-interval coverage probability: the fraction of targets inside the central
 * `level` interval μ ± z·σ with z = Φ⁻¹((1 + level) / 2). Calibrated predictions give ≈ level.
 */
export function picp(mean: VectorLike, variance: VectorLike, target: VectorLike, level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new ArgumentError(`picp: level must be in (0, 1), found ${level}`);
  const { mu, v, y } = readGaussian('picp', mean, variance, target);
  const z = Math.SQRT2 * (tensor([level], { dtype: 'float64' }).erfinv().item());
  let inside = 0;
  for (let i = 0; i < mu.length; i++) if (Math.abs(y[i]! - mu[i]!) <= z * Math.sqrt(v[i]!)) inside++;
  return inside / mu.length;
}

export interface RegressionCalibrationCurve {
  /** Expected confidence levels p. */
  expected: number[];
  /** Observed fraction of targets with F(y) ≤ p, where F is the predicted CDF (Kuleshov et al. 2018). */
  observed: number[];
  /** Mean squared difference between observed and expected (Kuleshov et al.'s calibration error). */
  calibrationError: number;
}

/** Quantile calibration curve of Gaussian predictions: for each level p, how often y falls below the predicted p-quantile. */
export function regressionCalibrationCurve(mean: VectorLike, variance: VectorLike, target: VectorLike, opts: { nLevels?: number } = {}): RegressionCalibrationCurve {
  const { nLevels = 9 } = opts;
  if (!Number.isInteger(nLevels) || nLevels < 1) throw new ArgumentError(`regressionCalibrationCurve: nLevels must be a positive integer, found ${nLevels}`);
  const { mu, v, y } = readGaussian('regressionCalibrationCurve', mean, variance, target);
  const z = new Float64Array(mu.length);
  for (let i = 0; i < mu.length; i++) z[i] = (y[i]! - mu[i]!) / Math.sqrt(v[i]!);
  const pit = normalCdf(z); // probability integral transform: uniform when calibrated
  const expected: number[] = [];
  const observed: number[] = [];
  let err = 0;
  for (let j = 1; j <= nLevels; j++) {
    const p = j / (nLevels + 1);
    let below = 0;
    for (let i = 0; i < pit.length; i++) if (pit[i]! <= p) below++;
    expected.push(p);
    observed.push(below / pit.length);
    err += (below / pit.length - p) ** 2;
  }
  return { expected, observed, calibrationError: err / nLevels };
}
