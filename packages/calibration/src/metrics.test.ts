import { tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { calibrationCurve } from './curve.js';
import {
  accuracy, ace, brierScore, calibrationReport, classwiseEce, confidenceHistogram, ece, mce, nllScore, reliabilityBins, topLabelEce,
} from './metrics.js';

interface MetricSet {
  nBins: number;
  ece: number;
  eceEqualMass: number;
  mce: number;
  ace: number;
  classwiseEce: number;
  topLabelEce: number;
  brier: number;
  nll: number;
  accuracy: number;
  binCount: number[];
  binConfidence: (number | null)[];
  binAccuracy: (number | null)[];
  histogram: number[];
}
interface Fixture {
  multiclass: { probs: number[][]; labels: number[]; metrics: MetricSet[] };
  binary: { probs: number[]; labels: number[]; curves: { strategy: 'uniform' | 'quantile'; nBins: number; probTrue: number[]; probPred: number[] }[] };
}
const fx = loadFixture<Fixture>(new URL('../fixtures/calibration.json', import.meta.url));

describe('a hand-computed case', () => {
  // Five samples, 2 classes, 5 bins of width 0.2 on the top-label confidence:
  //   conf 0.9 right, 0.9 wrong    → bin (0.8, 1]:   conf 0.9, acc 0.5, gap 0.4
  //   conf 0.7 right               → bin (0.6, 0.8]: conf 0.7, acc 1, gap 0.3
  //   conf 0.6 wrong (on the edge), 0.5 wrong (tie: arg-max picks class 0)
  //                                → bin (0.4, 0.6]: conf 0.55, acc 0, gap 0.55
  // ECE = (2·0.4 + 0.3 + 2·0.55) / 5 = 0.44, MCE = 0.55.
  const probs = [[0.9, 0.1], [0.1, 0.9], [0.3, 0.7], [0.4, 0.6], [0.5, 0.5]];
  const labels = [0, 0, 1, 0, 1];
  it('bins, ECE and MCE', () => {
    const bins = reliabilityBins(probs, labels, { nBins: 5 });
    expect(bins.map((b) => b.count)).toEqual([0, 0, 2, 1, 2]);
    expectClose(bins[4]!.confidence, 0.9);
    expectClose(bins[4]!.accuracy, 0.5);
    expectClose(bins[2]!.confidence, 0.55);
    expect(Number.isNaN(bins[0]!.confidence)).toBe(true); // empty bins carry NaN, and are skipped
    expectClose(ece(probs, labels, { nBins: 5 }), 0.44, { atol: 1e-12 });
    expectClose(mce(probs, labels, { nBins: 5 }), 0.55, { atol: 1e-12 });
  });
  it('Brier, NLL and accuracy', () => {
    // Brier: (0.01+0.01) + (0.81+0.81) + (0.09+0.09) + (0.36+0.36) + (0.25+0.25) = 3.04 → /5
    expectClose(brierScore(probs, labels), 3.04 / 5, { atol: 1e-12 });
    expectClose(nllScore(probs, labels), -(Math.log(0.9) + Math.log(0.1) + Math.log(0.7) + Math.log(0.4) + Math.log(0.5)) / 5, { atol: 1e-12 });
    expect(accuracy(probs, labels)).toBe(0.4);
  });
  it('equal-mass bins of three and two samples', () => {
    // sorted conf 0.5(w) 0.6(w) 0.7(r) | 0.9 0.9 (one right): (3·|1/3 − 0.6| + 2·|0.5 − 0.9|) / 5
    expectClose(ece(probs, labels, { nBins: 2, strategy: 'quantile' }), 0.32, { atol: 1e-12 });
  });
});

describe('against the numpy reference implementations', () => {
  const { probs, labels } = fx.multiclass;
  const P = tensor(probs, { dtype: 'float64' });
  const y = tensor(labels, { dtype: 'int32' });
  for (const ref of fx.multiclass.metrics) {
    it(`${ref.nBins} bins`, () => {
      const o = { nBins: ref.nBins };
      expectClose(ece(P, y, o), ref.ece, { atol: 1e-12 });
      expectClose(ece(P, y, { ...o, strategy: 'quantile' }), ref.eceEqualMass, { atol: 1e-12 });
      expectClose(mce(P, y, o), ref.mce, { atol: 1e-12 });
      expectClose(ace(P, y, o), ref.ace, { atol: 1e-12 });
      expectClose(classwiseEce(P, y, o), ref.classwiseEce, { atol: 1e-12 });
      expectClose(topLabelEce(P, y, o), ref.topLabelEce, { atol: 1e-12 });
      expectClose(brierScore(P, y), ref.brier, { atol: 1e-12 });
      expectClose(nllScore(P, y), ref.nll, { atol: 1e-12 });
      expectClose(accuracy(P, y), ref.accuracy, { atol: 0 });
      const bins = reliabilityBins(probs, labels, o);
      expect(bins.map((b) => b.count)).toEqual(ref.binCount);
      bins.forEach((b, i) => {
        if (ref.binConfidence[i] === null) expect(b.count).toBe(0);
        else {
          expectClose(b.confidence, ref.binConfidence[i]!, { atol: 1e-12 });
          expectClose(b.accuracy, ref.binAccuracy[i]!, { atol: 1e-12 });
        }
      });
      expect(confidenceHistogram(P, y, o).counts).toEqual(ref.histogram);
      const report = calibrationReport(P, y, o);
      expectClose(report.ece, ref.ece, { atol: 1e-12 });
      expectClose(report.topLabelEce, ref.topLabelEce, { atol: 1e-12 });
    });
  }
  it('float32 softmax rows pass the sum check', () => {
    expect(() => ece(tensor(probs, { dtype: 'float32' }), y)).not.toThrow();
  });
});

describe('calibrationCurve against sklearn.calibration.calibration_curve', () => {
  const { probs, labels, curves } = fx.binary;
  for (const c of curves) {
    it(`${c.strategy}, ${c.nBins} bins (probabilities on bin edges included)`, () => {
      const got = calibrationCurve(labels, probs, { nBins: c.nBins, strategy: c.strategy });
      expectClose(got.probTrue, c.probTrue, { atol: 1e-12 });
      expectClose(got.probPred, c.probPred, { atol: 1e-12 });
    });
  }
  it('agrees with the equal-width reliability bins of [1 − p, p] on the positive class', () => {
    const got = calibrationCurve(labels, probs, { nBins: 10 });
    expect(got.counts.reduce((a, b) => a + b, 0)).toBe(probs.length);
  });
});
