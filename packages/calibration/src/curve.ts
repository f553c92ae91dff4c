import { ArgumentError, ShapeError } from '@likelihood/core';
import { type BinStrategy, binOf, checkBins, uniformEdges } from './binning.js';
import { type VectorLike, readVector } from './input.js';

export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin. */
  probTrue: number[];
  /** Mean predicted probability in each non-empty bin. */
  probPred: number[];
  /** Samples in each non-empty bin. */
  counts: number[];
}

/** numpy.percentile with linear interpolation, q in [0, 100]. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Binary calibration curve, as sklearn.calibration.calibration_curve: bins of predicted probability
 * of the positive class ('uniform' equal-width, or 'quantile' with edges at the percentiles of
 * `yProb`) and, in each non-empty bin, the fraction of positives and the mean prediction.
 */
export function calibrationCurve(yTrue: VectorLike, yProb: VectorLike, opts: { nBins?: number; strategy?: BinStrategy } = {}): CalibrationCurve {
  const { nBins = 5, strategy = 'uniform' } = opts;
  const y = readVector('calibrationCurve', 'yTrue', yTrue);
  const p = readVector('calibrationCurve', 'yProb', yProb);
  if (y.length !== p.length) throw new ShapeError(`calibrationCurve: yTrue has ${y.length} entries but yProb has ${p.length}: lengths must match`);
  checkBins('calibrationCurve', nBins, p.length);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! >= 0 && p[i]! <= 1)) throw new ArgumentError(`calibrationCurve: yProb[${i}] = ${p[i]} is not a probability in [0, 1]`);
    if (y[i] !== 0 && y[i] !== 1) throw new ArgumentError(`calibrationCurve: yTrue[${i}] = ${y[i]} is not a binary label 0 or 1`);
  }
  let edges: Float64Array;
  if (strategy === 'uniform') edges = uniformEdges(nBins);
  else if (strategy === 'quantile') {
    const sorted = Float64Array.from(p).sort();
    const q = uniformEdges(nBins);
    edges = q.map((v) => percentile(sorted, v * 100));
  } else throw new ArgumentError(`calibrationCurve: strategy must be 'uniform' or 'quantile', found '${String(strategy)}'`);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const count = new Float64Array(nBins);
  for (let i = 0; i < p.length; i++) {
    const b = binOf(p[i]!, edges);
    sumP[b]! += p[i]!;
    sumY[b]! += y[i]!;
    count[b]!++;
  }
  const out: CalibrationCurve = { probTrue: [], probPred: [], counts: [] };
  for (let b = 0; b < nBins; b++) {
    if (count[b] === 0) continue;
    out.probTrue.push(sumY[b]! / count[b]!);
    out.probPred.push(sumP[b]! / count[b]!);
    out.counts.push(count[b]!);
  }
  return out;
}
