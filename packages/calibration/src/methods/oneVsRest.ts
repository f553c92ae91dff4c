// Multi-class calibration from one binary map per class (Zadrozny and Elkan 2002).
import { ArgumentError, type Tensor, tensor } from '@likelihood/core';
import { type Matrix, type MatrixLike, type ProbabilityOptions, type VectorLike, readLabels, readProbabilities } from '../input.js';
import { type CalibratorJSON, envelope, numbers, openEnvelope, requireFitted } from './calibrator.js';
import { IsotonicRegression } from './isotonic.js';

/** A fitted map from one class's probability to a calibrated one. */
interface BinaryMap {
  predict(p: Float64Array): Float64Array;
}

/** Column k of an [N, C] matrix. */
function column(m: Matrix, k: number): Float64Array {
  const out = new Float64Array(m.n);
  for (let i = 0; i < m.n; i++) out[i] = m.data[i * m.c + k]!;
  return out;
}

/**
 * Applies per-class maps and renormalises each row. With two classes only class 1 is mapped and
 * p₀ = 1 − p₁ (as sklearn); a row mapped to all zeros becomes uniform.
 */
function applyMaps(m: Matrix, maps: readonly BinaryMap[]): Tensor {
  const out = new Float64Array(m.n * m.c);
  if (m.c === 2) {
    const p1 = maps[0]!.predict(column(m, 1));
    for (let i = 0; i < m.n; i++) {
      out[i * 2 + 1] = p1[i]!;
      out[i * 2] = 1 - p1[i]!;
    }
  } else {
    for (let k = 0; k < m.c; k++) {
      const pk = maps[k]!.predict(column(m, k));
      for (let i = 0; i < m.n; i++) out[i * m.c + k] = pk[i]!;
    }
    for (let i = 0; i < m.n; i++) {
      let s = 0;
      for (let k = 0; k < m.c; k++) s += out[i * m.c + k]!;
      for (let k = 0; k < m.c; k++) out[i * m.c + k] = s > 0 ? out[i * m.c + k]! / s : 1 / m.c;
    }
  }
  return tensor(out, { dtype: 'float64' }).reshape([m.n, m.c]);
}

/** Fits one map per class on (p_k, 1[y = k]); only class 1 when there are two classes. */
function fitMaps<T>(op: string, probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions, fitOne: (p: Float64Array, hit: Float64Array) => T): { c: number; maps: T[] } {
  const m = readProbabilities(op, probs, opts);
  const y = readLabels(op, labels, m.n, m.c);
  const classes = m.c === 2 ? [1] : Array.from({ length: m.c }, (_, k) => k);
  const maps = classes.map((k) => {
    const hit = new Float64Array(m.n);
    for (let i = 0; i < m.n; i++) hit[i] = y[i] === k ? 1 : 0;
    return fitOne(column(m, k), hit);
  });
  return { c: m.c, maps };
}

function checkClasses(op: string, m: Matrix, c: number): void {
  if (m.c !== c) throw new ArgumentError(`${op}: probs have ${m.c} classes but the calibrator was fitted on ${c}`);
}

/** Isotonic calibration: one isotonic regression per class on [N, C] probabilities, then renormalised. */
export class IsotonicCalibration {
  static readonly kind = 'IsotonicCalibration';
  numClasses: number | null = null;
  regressions: IsotonicRegression[] | null = null;

  fit(probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions = {}): this {
    const { c, maps } = fitMaps('IsotonicCalibration.fit', probs, labels, opts, (p, hit) => new IsotonicRegression().fit(p, hit));
    this.numClasses = c;
    this.regressions = maps;
    return this;
  }

  transform(probs: MatrixLike, opts: ProbabilityOptions = {}): Tensor {
    const regs = requireFitted('IsotonicCalibration', this.regressions);
    const m = readProbabilities('IsotonicCalibration.transform', probs, opts);
    checkClasses('IsotonicCalibration.transform', m, this.numClasses!);
    return applyMaps(m, regs.map((r) => ({ predict: (p: Float64Array) => r.predict(p).storage as Float64Array })));
  }

  toJSON(): CalibratorJSON {
    const regs = requireFitted('IsotonicCalibration', this.regressions);
    return envelope(IsotonicCalibration.kind, { numClasses: this.numClasses, regressions: regs.map((r) => r.toJSON()) });
  }

  static fromJSON(json: unknown): IsotonicCalibration {
    const p = openEnvelope(IsotonicCalibration.kind, json);
    const c = new IsotonicCalibration();
    const n = p.numClasses;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 2) throw new ArgumentError('IsotonicCalibration.fromJSON: params.numClasses must be an integer ≥ 2');
    if (!Array.isArray(p.regressions) || p.regressions.length !== (n === 2 ? 1 : n)) {
      throw new ArgumentError(`IsotonicCalibration.fromJSON: params.regressions must hold ${n === 2 ? 1 : n} regressions`);
    }
    c.numClasses = n;
    c.regressions = p.regressions.map((r) => IsotonicRegression.fromJSON(r));
    return c;
  }
}

/**
 * Histogram binning (Zadrozny and Elkan 2001): for each class, equal-width bins of p_k on [0, 1]
 * and, as the calibrated value of a bin, the fraction of its training samples that belong to the
 * class. An empty bin keeps its midpoint. Rows are renormalised.
 */
export class HistogramBinning {
  static readonly kind = 'HistogramBinning';
  readonly nBins: number;
  numClasses: number | null = null;
  /** Per mapped class, the calibrated value of each bin. */
  binValues: number[][] | null = null;

  constructor(opts: { nBins?: number } = {}) {
    const { nBins = 15 } = opts;
    if (!Number.isInteger(nBins) || nBins < 1) throw new ArgumentError(`HistogramBinning: nBins must be a positive integer, found ${nBins}`);
    this.nBins = nBins;
  }

  private binIndex(p: number): number {
    return Math.min(this.nBins - 1, Math.max(0, Math.ceil(p * this.nBins) - 1)); // (lower, upper], 0 in bin 0
  }

  fit(probs: MatrixLike, labels: VectorLike, opts: ProbabilityOptions = {}): this {
    const B = this.nBins;
    const { c, maps } = fitMaps('HistogramBinning.fit', probs, labels, opts, (p, hit) => {
      const sum = new Float64Array(B);
      const count = new Float64Array(B);
      for (let i = 0; i < p.length; i++) {
        const b = this.binIndex(p[i]!);
        sum[b]! += hit[i]!;
        count[b]!++;
      }
      return Array.from({ length: B }, (_, b) => (count[b]! > 0 ? sum[b]! / count[b]! : (b + 0.5) / B));
    });
    this.numClasses = c;
    this.binValues = maps;
    return this;
  }

  transform(probs: MatrixLike, opts: ProbabilityOptions = {}): Tensor {
    const values = requireFitted('HistogramBinning', this.binValues);
    const m = readProbabilities('HistogramBinning.transform', probs, opts);
    checkClasses('HistogramBinning.transform', m, this.numClasses!);
    return applyMaps(m, values.map((v) => ({ predict: (p: Float64Array) => p.map((x) => v[this.binIndex(x)]!) })));
  }

  toJSON(): CalibratorJSON {
    return envelope(HistogramBinning.kind, { nBins: this.nBins, numClasses: this.numClasses, binValues: requireFitted('HistogramBinning', this.binValues) });
  }

  static fromJSON(json: unknown): HistogramBinning {
    const p = openEnvelope(HistogramBinning.kind, json);
    const nBins = p.nBins as number;
    const h = new HistogramBinning({ nBins });
    const n = p.numClasses;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 2) throw new ArgumentError('HistogramBinning.fromJSON: params.numClasses must be an integer ≥ 2');
    const rows = p.binValues;
    if (!Array.isArray(rows) || rows.length !== (n === 2 ? 1 : n)) throw new ArgumentError(`HistogramBinning.fromJSON: params.binValues must hold ${n === 2 ? 1 : n} rows`);
    h.numClasses = n;
    h.binValues = rows.map((r) => numbers(HistogramBinning.kind, { r }, 'r', nBins));
    return h;
  }
}
