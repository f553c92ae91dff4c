import { type Bin, type BinStrategy, checkBins, computeBins, maxGap, weightedGap } from './binning.js';
import type { MatrixLike, ProbabilityOptions, VectorLike } from './input.js';
import { readClassification, topLabel } from './metrics.js';

export interface ReliabilityDiagramOptions extends ProbabilityOptions {
  /** Number of bins (default 15). */
  nBins?: number;
  /** 'uniform' (equal-width, default) or 'quantile' (equal-mass). */
  strategy?: BinStrategy;
  /** Title shown above the plot, before the ECE. */
  title?: string;
}

/** Everything a reliability diagram shows, as plain numbers (JSON-friendly apart from NaN in empty bins). */
export interface ReliabilityDiagram {
  title: string;
  strategy: BinStrategy;
  bins: Bin[];
  n: number;
  ece: number;
  mce: number;
  accuracy: number;
  meanConfidence: number;
}

/** The data of a reliability diagram (Niculescu-Mizil and Caruana 2005; Guo et al. 2017, figure 1) of top-label confidence. */
export function reliabilityDiagram(probs: MatrixLike, labels: VectorLike, opts: ReliabilityDiagramOptions = {}): ReliabilityDiagram {
  const { nBins = 15, strategy = 'uniform', title = 'Reliability diagram' } = opts;
  const { m, y } = readClassification('reliabilityDiagram', probs, labels, opts);
  checkBins('reliabilityDiagram', nBins, m.n);
  const t = topLabel(m, y);
  const bins = computeBins(t.confidence, t.correct, nBins, strategy);
  const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    title,
    strategy,
    bins,
    n: m.n,
    ece: weightedGap(bins),
    mce: maxGap(bins),
    accuracy: mean(t.correct),
    meanConfidence: mean(t.confidence),
  };
}
