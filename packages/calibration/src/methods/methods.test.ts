import { ArgumentError, Generator, type Tensor, multinomial, rand, randn, tensor } from '@likelihood/core';
import { crossEntropy } from '@likelihood/losses';
import { MLP } from '@likelihood/nn';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { ece, nllScore } from '../metrics.js';
import { BetaCalibration, PlattScaling } from './binary.js';
import { averagePredictive, ensemblePredict, mcDropoutPredict } from './ensembles.js';
import { IsotonicRegression, poolAdjacentViolators } from './isotonic.js';
import { labelSmoothingLoss, smoothLabels } from './labelSmoothing.js';
import { loadCalibrator } from './load.js';
import { HistogramBinning, IsotonicCalibration } from './oneVsRest.js';
import { MatrixScaling, TemperatureScaling, VectorScaling } from './scaling.js';

interface Fixture {
  isotonic: { x: number[]; y: number[]; w: number[]; query: number[]; predUnweighted: number[]; predWeighted: number[]; fitUnweighted: number[] };
  temperature: { logits: number[][]; labels: number[]; T: number; nll: number };
}
const fx = loadFixture<Fixture>(new URL('../../fixtures/calibration.json', import.meta.url));

/** Logits z of a calibrated model, labels drawn from softmax(z), and the over-confident logits T·z. */
function overConfident(n: number, c: number, trueT: number, seed: number) {
  const g = new Generator(seed);
  const z = randn([n, c], { generator: g, dtype: 'float64' }).mul(1.5);
  const y = multinomial(z.softmax(1), 1, { generator: g }).reshape([n]).to('int32');
  return { z, y, logits: z.mul(trueT) };
}

const rows = (t: Tensor) => t.toArray() as number[][];

describe('TemperatureScaling', () => {
  it('finds the same T as torch.optim.LBFGS on the same logits', () => {
    const { logits, labels, T } = fx.temperature;
    const ts = new TemperatureScaling().fit(logits, labels);
    expectClose(ts.temperature!, T, { rtol: 1e-6, atol: 0 });
  });
  it('recovers the true temperature of a synthetic over-confident set within 2%, without changing any arg-max', () => {
    const { y, logits } = overConfident(5000, 10, 2.5, 7);
    const ts = new TemperatureScaling().fit(logits, y);
    expect(Math.abs(ts.temperature! / 2.5 - 1)).toBeLessThan(0.02);
    const before = logits.softmax(1);
    const after = ts.transform(logits);
    expect(Array.from(after.argmax(1).storage)).toEqual(Array.from(before.argmax(1).storage));
    expect(ece(after, y)).toBeLessThan(ece(before, y) / 3);
  });
});

describe('vector and matrix scaling', () => {
  const { y, logits } = overConfident(1500, 4, 2, 3);
  // A class-dependent bias that temperature scaling cannot remove.
  const biased = logits.add(tensor([1.5, 0, -1, 0], { dtype: 'float64' }));
  it('reach a lower NLL than temperature scaling when the miscalibration is per class', () => {
    const t = nllScore(new TemperatureScaling().fit(biased, y).transform(biased), y);
    const v = nllScore(new VectorScaling().fit(biased, y).transform(biased), y);
    const m = nllScore(new MatrixScaling().fit(biased, y).transform(biased), y);
    expect(v).toBeLessThan(t - 0.01);
    expect(m).toBeLessThanOrEqual(v + 1e-9); // matrix scaling contains vector scaling
  });
  it('vector scaling recovers the scale 1/2 and the bias up to a constant', () => {
    const v = new VectorScaling().fit(biased, y);
    for (const w of v.weight!) expect(Math.abs(w - 0.5)).toBeLessThan(0.1);
    const b = v.bias!.map((x, i) => x + 0.5 * [1.5, 0, -1, 0][i]!); // ≈ constant across classes
    expect(Math.max(...b) - Math.min(...b)).toBeLessThan(0.25);
  });
});

describe('Platt and beta calibration', () => {
  it('Platt scaling recovers a and b of data drawn from σ(a·s + b)', () => {
    const g = new Generator(11);
    const s = randn([20000], { generator: g, dtype: 'float64' }).mul(2);
    const p = s.mul(0.6).add(-0.4).sigmoid();
    const y = rand([20000], { generator: g, dtype: 'float64' }).lt(p).to('float64');
    const platt = new PlattScaling().fit(s, y);
    expect(Math.abs(platt.a! - 0.6)).toBeLessThan(0.03);
    expect(Math.abs(platt.b! + 0.4)).toBeLessThan(0.05);
  });
  it('beta calibration recovers a, b and c of data drawn from its own family', () => {
    const g = new Generator(12);
    const p = rand([20000], { generator: g, dtype: 'float64' }).mul(0.98).add(0.01);
    const [a, b, c] = [2, 0.5, 0.3];
    const q = p.log().mul(a).sub(p.neg().add(1).log().mul(b)).add(c).sigmoid();
    const y = rand([20000], { generator: g, dtype: 'float64' }).lt(q).to('float64');
    const beta = new BetaCalibration().fit(p, y);
    expect(Math.abs(beta.a! - a)).toBeLessThan(0.15);
    expect(Math.abs(beta.b! - b)).toBeLessThan(0.1);
    expect(Math.abs(beta.c! - c)).toBeLessThan(0.15);
  });
  it('beta calibration keeps a, b ≥ 0 when the best fit would be decreasing in one feature', () => {
    const p = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.15, 0.85];
    const y = [1, 1, 0, 1, 0, 0, 0, 1, 1, 0];
    const beta = new BetaCalibration().fit(p, y);
    expect(beta.a!).toBeGreaterThanOrEqual(0);
    expect(beta.b!).toBeGreaterThanOrEqual(0);
  });
});

describe('isotonic regression', () => {
  const { x, y, w, query, predUnweighted, predWeighted, fitUnweighted } = fx.isotonic;
  it('matches sklearn IsotonicRegression (ties, clipping, interpolation)', () => {
    expectClose(new IsotonicRegression().fit(x, y).predict(query), predUnweighted, { atol: 1e-12 });
    expectClose(new IsotonicRegression().fit(x, y).predict(x), fitUnweighted, { atol: 1e-12 });
  });
  it('matches sklearn with sample weights', () => {
    expectClose(new IsotonicRegression().fit(x, y, w).predict(query), predWeighted, { atol: 1e-12 });
  });
  it('PAV pools violators into weighted means', () => {
    expectClose(poolAdjacentViolators(Float64Array.from([1, 3, 2, 4]), Float64Array.from([1, 1, 3, 1])), [1, 2.25, 2.25, 4]);
    expectClose(poolAdjacentViolators(Float64Array.from([3, 2, 1]), Float64Array.from([1, 1, 1])), [2, 2, 2]);
  });
  it('IsotonicCalibration lowers the ECE of an over-confident model on held-out data', () => {
    const fit = overConfident(3000, 5, 2.5, 21);
    const test = overConfident(3000, 5, 2.5, 22);
    const iso = new IsotonicCalibration().fit(fit.logits.softmax(1), fit.y);
    const after = iso.transform(test.logits.softmax(1));
    expect(ece(after, test.y)).toBeLessThan(ece(test.logits.softmax(1), test.y) / 3);
    expectClose(after.sum(1), new Array(3000).fill(1), { atol: 1e-12 });
  });
});

describe('histogram binning', () => {
  it('maps each bin to the frequency of the class among its training samples', () => {
    // class 1 probabilities and outcomes; two bins: (0, 0.5] and (0.5, 1]
    const probs = [[0.9, 0.1], [0.7, 0.3], [0.6, 0.4], [0.2, 0.8], [0.1, 0.9], [0.4, 0.6]];
    const labels = [0, 1, 0, 1, 1, 0];
    const h = new HistogramBinning({ nBins: 2 }).fit(probs, labels);
    expectClose(h.binValues![0]!, [1 / 3, 2 / 3]);
    expectClose(h.transform([[0.55, 0.45], [0.3, 0.7]]), [[2 / 3, 1 / 3], [1 / 3, 2 / 3]]);
  });
  it('gives an empty bin its midpoint', () => {
    const h = new HistogramBinning({ nBins: 4 }).fit([[0.9, 0.1], [0.1, 0.9]], [0, 1]);
    expectClose(h.binValues![0]!, [0, 0.375, 0.625, 1]);
  });
});

describe('JSON round trip', () => {
  const { y, logits } = overConfident(600, 3, 2, 5);
  const probs = logits.softmax(1);
  const p1 = rows(probs).map((r) => r[1]!);
  const y1 = Array.from(y.storage).map((v) => (v === 1 ? 1 : 0));
  const cases: Array<[string, { toJSON(): unknown }, (c: any) => Tensor]> = [
    ['TemperatureScaling', new TemperatureScaling().fit(logits, y), (c) => c.transform(logits)],
    ['VectorScaling', new VectorScaling().fit(logits, y), (c) => c.transform(logits)],
    ['MatrixScaling', new MatrixScaling().fit(logits, y), (c) => c.transform(logits)],
    ['PlattScaling', new PlattScaling().fit(p1.map((p) => Math.log(p / (1 - p))), y1), (c) => c.transform([-2, 0, 1.5])],
    ['BetaCalibration', new BetaCalibration().fit(p1, y1), (c) => c.transform([0.1, 0.5, 0.9])],
    ['IsotonicRegression', new IsotonicRegression().fit(p1, y1), (c) => c.predict([0, 0.3, 0.7, 1])],
    ['IsotonicCalibration', new IsotonicCalibration().fit(probs, y), (c) => c.transform(probs)],
    ['HistogramBinning', new HistogramBinning({ nBins: 10 }).fit(probs, y), (c) => c.transform(probs)],
  ];
  for (const [name, fitted, apply] of cases) {
    it(`${name}: loadCalibrator(JSON.stringify(c)) transforms identically`, () => {
      const text = JSON.stringify(fitted);
      const loaded = loadCalibrator(text);
      expect(loaded.constructor.name).toBe(name);
      expect(Array.from(apply(loaded).storage)).toEqual(Array.from(apply(fitted).storage));
    });
  }
  it('rejects another kind, a bad envelope and unknown kinds', () => {
    const json = new TemperatureScaling().fit(logits, y).toJSON();
    expect(() => VectorScaling.fromJSON(json)).toThrow(/holds a 'TemperatureScaling' calibrator/);
    expect(() => TemperatureScaling.fromJSON({ ...json, version: 2 })).toThrow(/unsupported version 2/);
    expect(() => TemperatureScaling.fromJSON({ ...json, params: { temperature: -1 } })).toThrow(/must be positive/);
    expect(() => loadCalibrator({ ...json, kind: 'Magic' })).toThrow(/unknown calibrator kind 'Magic'/);
  });
});

describe('bad input gives typed errors', () => {
  it('probabilities that do not sum to 1, with a tolerance', () => {
    expect(() => ece([[0.5, 0.6], [0.5, 0.5]], [0, 1], { nBins: 2 })).toThrow(ArgumentError);
    expect(() => ece([[0.5, 0.6], [0.5, 0.5]], [0, 1], { nBins: 2 })).toThrow(/row 0 sums to 1.1, expected 1 within 0.0001/);
    expect(() => ece([[0.5, 0.50001], [0.5, 0.5]], [0, 1], { nBins: 2 })).not.toThrow();
    expect(() => ece([[1.5, -0.5], [0.5, 0.5]], [0, 1], { nBins: 2 })).toThrow(/probs\[0\]\[0\] = 1.5 is not a probability/);
  });
  it('labels out of range or not integers', () => {
    expect(() => ece([[0.5, 0.5]], [2], { nBins: 1 })).toThrow(/label 2 at position 0 is out of range: expected an integer class index in \[0, 1\]/);
    expect(() => nllScore([[0.5, 0.5]], [-1])).toThrow(ArgumentError);
    expect(() => new TemperatureScaling().fit([[1, 2]], [0.5])).toThrow(/label 0.5/);
    expect(() => new PlattScaling().fit([0.1, 0.2], [0, 2])).toThrow(/expected a binary label 0 or 1/);
  });
  it('mismatched lengths', () => {
    expect(() => ece([[0.5, 0.5], [0.4, 0.6]], [0], { nBins: 1 })).toThrow(/labels has 1 entries but the predictions have 2 rows/);
    expect(() => new IsotonicRegression().fit([0, 1], [0])).toThrow(/same length, found 2, 1 and 2/);
    expect(() => ece(tensor([0.5, 0.5]), [0])).toThrow(/must be a 2-D \[N, C\] tensor, found shape \[2\]/);
    expect(() => ece([[0.5, 0.5], [1]], [0, 0])).toThrow(/row 1 has length 1, expected 2/);
  });
  it('fewer samples than bins', () => {
    expect(() => ece([[0.5, 0.5], [0.4, 0.6]], [0, 1])).toThrow(/fewer samples \(2\) than bins \(15\)/);
  });
  it('logits instead of probabilities, and non-finite logits', () => {
    expect(() => ece([[2, -1], [0.3, 0.1]], [0, 1], { nBins: 1 })).toThrow(/softmax them first|not a probability/);
    expect(() => new TemperatureScaling().fit([[Number.NaN, 0]], [0])).toThrow(/logits must be finite/);
  });
  it('transform before fit, and the wrong number of classes', () => {
    expect(() => new TemperatureScaling().transform([[1, 2]])).toThrow(/call fit/);
    const h = new HistogramBinning({ nBins: 2 }).fit([[0.9, 0.1], [0.2, 0.8]], [0, 1]);
    expect(() => h.transform([[0.2, 0.3, 0.5]])).toThrow(/3 classes but the calibrator was fitted on 2/);
  });
});

describe('ensembles and MC dropout', () => {
  it('averages the members\' predictive distributions', () => {
    const a = tensor([[2, 0, -1]], { dtype: 'float64' });
    const b = tensor([[-1, 1, 0]], { dtype: 'float64' });
    const pd = averagePredictive([a, b]);
    const mean = rows(a.softmax(1))[0]!.map((v, i) => (v + rows(b.softmax(1))[0]![i]!) / 2);
    expectClose(pd.probs, [mean], { atol: 1e-12 });
    expectClose(pd.logProbs, [mean.map(Math.log)], { atol: 1e-12 });
    const H = -mean.reduce((s, p) => s + p * Math.log(p), 0);
    expectClose(pd.entropy, [H], { atol: 1e-12 });
    expect(pd.mutualInformation.item()).toBeGreaterThan(0);
    expectClose(averagePredictive([a, a]).mutualInformation, [0], { atol: 1e-12 }); // agreeing members: no epistemic uncertainty
  });
  it('ensemblePredict runs each model', () => {
    const x = tensor([[0.5, -1]]);
    const models = [1, 2, 3].map((s) => new MLP(2, [8], 3, { generator: new Generator(s) }));
    const pd = ensemblePredict(models, x);
    expectClose(pd.probs, averagePredictive(models.map((m) => m.forward(x))).probs, { atol: 1e-7 });
  });
  it('MC dropout samples masks, reproduces with the same seed and restores eval mode', () => {
    const x = randn([4, 3], { generator: new Generator(1) });
    const make = () => new MLP(3, [32], 3, { dropout: 0.5, generator: new Generator(9) });
    const m1 = make().eval();
    const p1 = mcDropoutPredict(m1, x, { samples: 30 });
    expect([...m1.modules()].every((m) => !m.training)).toBe(true);
    const p2 = mcDropoutPredict(make().eval(), x, { samples: 30 });
    expect(Array.from(p1.probs.storage)).toEqual(Array.from(p2.probs.storage));
    expect(Math.max(...Array.from(p1.mutualInformation.storage))).toBeGreaterThan(1e-4); // masks differ between passes
    expect(() => mcDropoutPredict(new MLP(3, [4], 2), x)).toThrow(/no Dropout layer/);
  });
});

describe('label smoothing', () => {
  it('smoothLabels mixes the one-hot target with the uniform distribution', () => {
    expectClose(smoothLabels([2, 0], 4, 0.2), [[0.05, 0.05, 0.85, 0.05], [0.85, 0.05, 0.05, 0.05]]);
  });
  it('labelSmoothingLoss is the cross-entropy against the smoothed targets', () => {
    const logits = randn([5, 4], { generator: new Generator(2), dtype: 'float64' });
    const y = tensor([0, 3, 1, 1, 2], { dtype: 'int32' });
    expectClose(labelSmoothingLoss(logits, y, 0.1), crossEntropy(logits, smoothLabels(y, 4, 0.1, 'float64')), { atol: 1e-12 });
    expect(() => smoothLabels([0], 4, 1.5)).toThrow(/epsilon must be in \[0, 1\]/);
  });
});
