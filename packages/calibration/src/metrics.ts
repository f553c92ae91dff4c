// Classification calibration metrics on [N, C] class probabilities and integer labels.
import { ArgumentError } from '@likelihood/core';
import { type Bin, type BinStrategy, checkBins, computeBins, maxGap, uniformEdges, weightedGap, binOf } from './binning.js';
import { type Matrix, type MatrixLike, type ProbabilityOptions, type VectorLike, readLabels, readProbabilities } from './input.js';

export interface BinOptions extends ProbabilityOptions {
  /** Number of bins (default 15, as Guo et al. 2017). */
  nBins?: number;
}

export interface EceOptions extends BinOptions {
  /** 'uniform' (equal-width, default) or 'quantile' (equal-mass). */
  strategy?: BinStrategy;
}

/** Probabilities and labels read and checked together. */
export function readClassification(op: string, probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions = {}): { m: Matrix; y: Int32Array } {
  const m = readProbabilities(op, probs, opts);
  return { m, y: readLabels(op, labels, m.n, m.c) };
}

/** Top-label confidence max_c p_c, the predicted class (first maximum, as argmax) and whether it is right. */
export function topLabel(m: Matrix, y: Int32Array): { confidence: Float64Array; predicted: Int32Array; correct: Float64Array } {
  const { n, c, data } = m;
  const confidence = new Float64Array(n);
  const predicted = new Int32Array(n);
  const correct = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (data[i * c + j]! > data[i * c + best]!) best = j;
    confidence[i] = data[i * c + best]!;
    predicted[i] = best;
    correct[i] = best === y[i] ? 1 : 0;
  }
  return { confidence, predicted, correct };
}

/** Column k of the probabilities and the one-vs-rest outcome 1[y = k]. */
function classColumn(m: Matrix, y: Int32Array, k: number): { p: Float64Array; hit: Float64Array } {
  const p = new Float64Array(m.n);
  const hit = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) {
    p[i] = m.data[i * m.c + k]!;
    hit[i] = y[i] === k ? 1 : 0;
  }
  return { p, hit };
}

/** Bins of top-label confidence against accuracy: the data of a reliability diagram. */
export function reliabilityBins(probs: MatrixLike, labels: VectorLike, opts: EceOptions = {}): Bin[] {
  const { nBins = 15, strategy = 'uniform' } = opts;
  const { m, y } = readClassification('reliabilityBins', probs, labels, opts);
  checkBins('reliabilityBins', nBins, m.n);
  const t = topLabel(m, y);
  return computeBins(t.confidence, t.correct, nBins, strategy);
}

/**
 * Expected calibration error (Naeini et al. 2015; Guo et al. 2017, eq. 3):
 * Σ_b (n_b / N) |acc(b) − conf(b)| over bins of top-label confidence. Equal-width bins by default;
 * `strategy: 'quantile'` gives the equal-mass variant.
 */
export function ece(probs: MatrixLike, labels: VectorLike, opts: EceOptions = {}): number {
  return weightedGap(reliabilityBins(probs, labels, opts));
}

/** Maximum calibration error (Guo et al. 2017, eq. 5): max_b |acc(b) − conf(b)| over non-empty bins. */
export function mce(probs: MatrixLike, labels: VectorLike, opts: EceOptions = {}): number {
  return maxGap(reliabilityBins(probs, labels, opts));
}

/**
 * Adaptive calibration error (Nixon et al. 2019): for each class k, sort p_k, cut into nBins
 * equal-mass ranges, and average |mean(1[y = k]) − mean(p_k)| over all K·R ranges, unweighted.
 */
export function ace(probs: MatrixLike, labels: VectorLike, opts: BinOptions = {}): number {
  const { nBins = 15 } = opts;
  const { m, y } = readClassification('ace', probs, labels, opts);
  checkBins('ace', nBins, m.n);
  let s = 0;
  for (let k = 0; k < m.c; k++) {
    const { p, hit } = classColumn(m, y, k);
    for (const b of computeBins(p, hit, nBins, 'quantile')) s += Math.abs(b.gap);
  }
  return s / (m.c * nBins);
}

/**
 * Classwise ECE (Kull et al. 2019): the mean over classes k of the equal-width ECE of p_k
 * against the one-vs-rest outcome 1[y = k].
 */
export function classwiseEce(probs: MatrixLike, labels: VectorLike, opts: BinOptions = {}): number {
  const { nBins = 15 } = opts;
  const { m, y } = readClassification('classwiseEce', probs, labels, opts);
  checkBins('classwiseEce', nBins, m.n);
  let s = 0;
  for (let k = 0; k < m.c; k++) {
    const { p, hit } = classColumn(m, y, k);
    s += weightedGap(computeBins(p, hit, nBins, 'uniform'));
  }
  return s / m.c;
}

/**
 * Top-label ECE (Kumar et al. 2019): ECE computed separately within the samples predicted as each
 * class, then averaged weighted by how often each class is predicted. Catches a model that is
 * calibrated on average but not for each predicted label.
 */
export function topLabelEce(probs: MatrixLike, labels: VectorLike, opts: BinOptions = {}): number {
  const { nBins = 15 } = opts;
  const { m, y } = readClassification('topLabelEce', probs, labels, opts);
  checkBins('topLabelEce', nBins, m.n);
  const t = topLabel(m, y);
  const edges = uniformEdges(nBins);
  let s = 0;
  for (let k = 0; k < m.c; k++) {
    // Per predicted class: Σ_b |Σ_{i∈b} (correct_i − conf_i)|, which is n_k · ECE_k.
    const diff = new Float64Array(nBins);
    let nk = 0;
    for (let i = 0; i < m.n; i++) {
      if (t.predicted[i] !== k) continue;
      nk++;
      diff[binOf(t.confidence[i]!, edges)]! += t.correct[i]! - t.confidence[i]!;
    }
    if (nk > 0) for (let b = 0; b < nBins; b++) s += Math.abs(diff[b]!);
  }
  return s / m.n;
}

/** Multi-class Brier score (Brier 1950): mean over samples of Σ_c (p_c − 1[y = c])². Twice sklearn's binary brier_score_loss. */
export function brierScore(probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions = {}): number {
  const { m, y } = readClassification('brierScore', probs, labels, opts);
  let s = 0;
  for (let i = 0; i < m.n; i++) {
    for (let j = 0; j < m.c; j++) {
      const d = m.data[i * m.c + j]! - (y[i] === j ? 1 : 0);
      s += d * d;
    }
  }
  return s / m.n;
}

/** Mean negative log-likelihood −log p_y in nats (Infinity when a true class has probability 0). */
export function nllScore(probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions = {}): number {
  const { m, y } = readClassification('nllScore', probs, labels, opts);
  let s = 0;
  for (let i = 0; i < m.n; i++) s -= Math.log(m.data[i * m.c + y[i]!]!);
  return s / m.n;
}

/** Fraction of samples whose arg-max class is the label. */
export function accuracy(probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions = {}): number {
  const { m, y } = readClassification('accuracy', probs, labels, opts);
  const t = topLabel(m, y);
  return t.correct.reduce((a, b) => a + b, 0) / m.n;
}

export interface ConfidenceHistogram {
  /** nBins + 1 equal-width edges on [0, 1]. */
  edges: number[];
  /** Samples whose top-label confidence falls in each (lower, upper] bin. */
  counts: number[];
  meanConfidence: number;
  accuracy: number;
}

/** Histogram of top-label confidence with the mean confidence and accuracy (the top row of Guo et al.'s figure 1). */
export function confidenceHistogram(probs: MatrixLike, labels: VectorLike, opts: BinOptions = {}): ConfidenceHistogram {
  const { nBins = 15 } = opts;
  const { m, y } = readClassification('confidenceHistogram', probs, labels, opts);
  if (!Number.isInteger(nBins) || nBins < 1) throw new ArgumentError(`confidenceHistogram: nBins must be a positive integer, found ${nBins}`);
  const t = topLabel(m, y);
  const edges = uniformEdges(nBins);
  const counts = new Array<number>(nBins).fill(0);
  for (let i = 0; i < m.n; i++) counts[binOf(t.confidence[i]!, edges)]!++;
  const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
  return { edges: Array.from(edges), counts, meanConfidence: mean(t.confidence), accuracy: mean(t.correct) };
}

export interface CalibrationReport {
  accuracy: number;
  nll: number;
  brier: number;
  ece: number;
  eceEqualMass: number;
  mce: number;
  ace: number;
  classwiseEce: number;
  topLabelEce: number;
}

/** Every metric at once (15 bins unless `nBins` says otherwise). */
export function calibrationReport(probs: MatrixLike, labels: VectorLike, opts: BinOptions = {}): CalibrationReport {
  // Read once, then pass the checked matrix on as rows of a typed view to skip re-validation cost.
  const { m, y } = readClassification('calibrationReport', probs, labels, opts);
  const rows = Array.from({ length: m.n }, (_, i) => Array.from(m.data.subarray(i * m.c, (i + 1) * m.c)));
  const o = { ...opts, tolerance: Infinity };
  return {
    accuracy: accuracy(rows, y, o),
    nll: nllScore(rows, y, o),
    brier: brierScore(rows, y, o),
    ece: ece(rows, y, o),
    eceEqualMass: ece(rows, y, { ...o, strategy: 'quantile' }),
    mce: mce(rows, y, o),
    ace: ace(rows, y, o),
    classwiseEce: classwiseEce(rows, y, o),
    topLabelEce: topLabelEce(rows, y, o),
  };
}
