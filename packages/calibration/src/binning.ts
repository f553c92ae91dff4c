import { ArgumentError } from '@likelihood/core';

/** 'uniform': equal-width bins on [0, 1]; 'quantile': equal-mass bins holding (nearly) the same number of samples. */
export type BinStrategy = 'uniform' | 'quantile';

/** One bin of a reliability diagram. Empty bins have count 0 and NaN confidence and accuracy. */
export interface Bin {
  /** Lower and upper edge of the bin's confidence range; values equal to `upper` fall in this bin. */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability of the samples in the bin. */
  confidence: number;
  /** Fraction of the samples in the bin whose event happened (correct prediction, or positive label). */
  accuracy: number;
  /** accuracy − confidence: negative when over-confident. */
  gap: number;
}

/** Checks a bin count: a positive integer not above the number of samples. */
export function checkBins(op: string, nBins: number, nSamples: number): void {
  if (!Number.isInteger(nBins) || nBins < 1) throw new ArgumentError(`${op}: nBins must be a positive integer, found ${nBins}`);
  if (nSamples < nBins) {
    throw new ArgumentError(`${op}: fewer samples (${nSamples}) than bins (${nBins}): use at most ${nSamples} bins or more samples`);
  }
}

/** Edges 0 = e_0 < … < e_B = 1 computed as numpy.linspace does (i · (1/B)), so boundary cases match. */
export function uniformEdges(nBins: number): Float64Array {
  const edges = new Float64Array(nBins + 1);
  const step = 1 / nBins;
  for (let i = 0; i <= nBins; i++) edges[i] = i * step;
  edges[nBins] = 1;
  return edges;
}

/** Bin index of `p` among `edges`: the number of interior edges strictly below p, so bins are (lower, upper] with 0 in bin 0 (numpy.searchsorted side='left', as sklearn). */
export function binOf(p: number, edges: Float64Array): number {
  let lo = 1;
  let hi = edges.length - 1; // search interior edges e_1 … e_{B−1}
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Groups (probability, outcome) pairs into bins. 'uniform' bins are equal-width (lower, upper]
 * ranges; 'quantile' bins sort the samples by probability and cut them into nBins groups whose sizes
 * differ by at most one (numpy.array_split), so every bin has samples.
 */
export function computeBins(prob: Float64Array, outcome: Float64Array, nBins: number, strategy: BinStrategy = 'uniform'): Bin[] {
  const n = prob.length;
  const count = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const lower = new Float64Array(nBins);
  const upper = new Float64Array(nBins);
  if (strategy === 'uniform') {
    const edges = uniformEdges(nBins);
    for (let b = 0; b < nBins; b++) {
      lower[b] = edges[b]!;
      upper[b] = edges[b + 1]!;
    }
    for (let i = 0; i < n; i++) {
      const b = binOf(prob[i]!, edges);
      count[b]!++;
      sumP[b]! += prob[i]!;
      sumY[b]! += outcome[i]!;
    }
  } else if (strategy === 'quantile') {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => prob[a]! - prob[b]! || a - b);
    const base = Math.floor(n / nBins);
    const extra = n % nBins; // the first `extra` bins get one more sample
    let k = 0;
    for (let b = 0; b < nBins; b++) {
      const size = base + (b < extra ? 1 : 0);
      lower[b] = size > 0 ? prob[order[k]!]! : NaN;
      for (let j = 0; j < size; j++, k++) {
        const i = order[k]!;
        sumP[b]! += prob[i]!;
        sumY[b]! += outcome[i]!;
      }
      count[b] = size;
      upper[b] = size > 0 ? prob[order[k - 1]!]! : NaN;
    }
  } else {
    throw new ArgumentError(`binning: strategy must be 'uniform' or 'quantile', found '${String(strategy)}'`);
  }
  const bins: Bin[] = [];
  for (let b = 0; b < nBins; b++) {
    const c = count[b]!;
    const confidence = c > 0 ? sumP[b]! / c : NaN;
    const accuracy = c > 0 ? sumY[b]! / c : NaN;
    bins.push({ lower: lower[b]!, upper: upper[b]!, count: c, confidence, accuracy, gap: accuracy - confidence });
  }
  return bins;
}

/** Σ_b (n_b / N) |acc_b − conf_b| over non-empty bins. */
export function weightedGap(bins: readonly Bin[]): number {
  let n = 0;
  let s = 0;
  for (const b of bins) {
    if (b.count === 0) continue;
    n += b.count;
    s += b.count * Math.abs(b.gap);
  }
  return s / n;
}

/** max_b |acc_b − conf_b| over non-empty bins. */
export function maxGap(bins: readonly Bin[]): number {
  let m = 0;
  for (const b of bins) if (b.count > 0) m = Math.max(m, Math.abs(b.gap));
  return m;
}
