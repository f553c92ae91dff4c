import { ArgumentError, Generator, ShapeError, type Tensor, randn, tensor } from '@likelihood/core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { HDR_LEVELS, QUANTILE_LEVELS, highestDensityCoverage, sampleQuantileCoverage } from './coverage.js';
import { coverageScene } from './render/coverageScene.js';
import { renderCoveragePng } from './render/png.js';
import { renderCoverageSvg } from './render/svg.js';

const M = 20_000; // model samples
const N = 4000; // held-out points
const g = new Generator(11);
const model = randn([M, 2], { generator: g, dtype: 'float64' }); // N(0, I)
const test = randn([N, 2], { generator: g, dtype: 'float64' }); // N(0, I)

/** Exact log N(x; 0, σ² I) of the rows of a [n, 2] tensor. */
const logNormal2 = (x: Tensor, sigma: number): Float64Array =>
  x.square().sum(1).div(-2 * sigma * sigma).sub(Math.log(2 * Math.PI * sigma * sigma)).storage as Float64Array;
/** Φ(z), through core's float64 erf. */
const Phi = (z: number) => tensor([z / Math.SQRT2], { dtype: 'float64' }).erf().add(1).mul(0.5).item();
const PhiInv = (p: number) => Math.SQRT2 * tensor([2 * p - 1], { dtype: 'float64' }).erfinv().item();

/**
 * Binomial tolerance of an observed coverage at level a: 4 standard deviations of a fraction over N
 * held-out points, plus as much again for the threshold estimated from M model samples.
 */
const tol = (a: number) => 4 * Math.sqrt(a * (1 - a) * (1 / N + 1 / M));

describe('highestDensityCoverage', () => {
  it('a model equal to the data density covers α of the data at every level', () => {
    const c = highestDensityCoverage(logNormal2(model, 1), logNormal2(test, 1));
    expect(c.expected).toEqual(HDR_LEVELS);
    expect(c.n).toBe(N);
    c.expected.forEach((a, i) => expect(Math.abs(c.observed[i]! - a)).toBeLessThanOrEqual(tol(a)));
    expect(c.calibrationError).toBeLessThan(0.01);
  });

  // The α-HDR of N(0, σ² I) in 2-D is |x|² ≤ −2σ² ln(1 − α); N(0, I) data fall in it with probability 1 − (1 − α)^(σ²).
  it.each([
    [2, 'over-dispersed: covers more than α'],
    [0.5, 'under-dispersed: covers less than α'],
  ])('a model N(0, %f² I) on N(0, I) data (%s) follows 1 − (1 − α)^σ²', (sigma) => {
    const samples = model.mul(sigma);
    const c = highestDensityCoverage(logNormal2(samples, sigma), logNormal2(test, sigma));
    c.expected.forEach((a, i) => {
      const truth = 1 - (1 - a) ** (sigma * sigma);
      expect(Math.abs(c.observed[i]! - truth)).toBeLessThanOrEqual(tol(truth) + 4 * Math.sqrt(a * (1 - a) / M));
    });
    const mid = c.expected.indexOf(0.5);
    if (sigma > 1) {
      expect(c.observed[mid]!).toBeGreaterThan(0.9); // truth 1 − 0.5⁴ = 0.9375
      for (const l of [0.3, 0.5, 0.7]) expect(c.observed[c.expected.indexOf(l)]! - l).toBeGreaterThan(0.15);
    } else {
      expect(c.observed[mid]!).toBeLessThan(0.2); // truth 1 − 0.5^¼ = 0.159
      for (const l of [0.3, 0.5, 0.7]) expect(l - c.observed[c.expected.indexOf(l)]!).toBeGreaterThan(0.15);
    }
    expect(c.calibrationError).toBeGreaterThan(0.2);
  });

  it('τ_α is the (1 − α)-quantile by linear interpolation (numpy default), test points ≥ τ count as covered', () => {
    // sorted model log-densities 1..5; α = 0.2 → p = 0.8, h = 3.2, τ = 4.2; α = 0.5 → τ = 3; α = 0.75 → τ = 2
    const c = highestDensityCoverage([5, 1, 4, 2, 3], new Float64Array([2.9, 3, 3.1, 10]), { levels: [0.5, 0.2, 0.75] });
    expect(c.expected).toEqual([0.2, 0.5, 0.75]);
    expect(c.observed).toEqual([0.25, 0.75, 1]);
    expect(c.calibrationError).toBeCloseTo((0.05 + 0.25 + 0.25) / 3, 15);
    expect(highestDensityCoverage([1, 2, 3], [2], { levels: 4 }).expected).toEqual([0.2, 0.4, 0.6, 0.8]);
  });

  it('names the argument in typed errors', () => {
    expect(() => highestDensityCoverage([], [1])).toThrow(ArgumentError);
    expect(() => highestDensityCoverage([], [1])).toThrow(/modelLogProb is empty/);
    expect(() => highestDensityCoverage([1], [])).toThrow(/testLogProb is empty/);
    expect(() => highestDensityCoverage([1, Number.NaN], [1])).toThrow(/modelLogProb must be finite, found NaN at flat position 1/);
    expect(() => highestDensityCoverage([1], [-Infinity])).toThrow(/testLogProb must be finite, found -Infinity/);
    expect(() => highestDensityCoverage([1], [1], { levels: [0.5, 1] })).toThrow(/levels\[1\] = 1 must be in \(0, 1\)/);
    expect(() => highestDensityCoverage([1], [1], { levels: [0] })).toThrow(ArgumentError);
    expect(() => highestDensityCoverage([1], [1], { levels: 0 })).toThrow(/levels must be a positive integer count/);
    expect(() => highestDensityCoverage([1], [1], { levels: [] })).toThrow(/non-empty array/);
    expect(() => highestDensityCoverage(model, [1])).toThrow(ShapeError);
    expect(() => highestDensityCoverage(model, [1])).toThrow(/modelLogProb must be a 1-D tensor, found shape \[20000, 2\]/);
  });
});

describe('sampleQuantileCoverage', () => {
  it('samples from the data distribution put a fraction p of the data below their p-quantiles', () => {
    const c = sampleQuantileCoverage(model, test);
    expect(c.expected).toEqual(QUANTILE_LEVELS);
    // averaged over 2 coordinates: at least N pairs, so the N-point tolerance is conservative
    c.expected.forEach((p, i) => expect(Math.abs(c.observed[i]! - p)).toBeLessThanOrEqual(tol(p)));
    expect(c.calibrationError).toBeLessThan(0.01);
  });

  it('over-dispersed samples N(0, 4) give Φ(2 Φ⁻¹(p)): too few below low quantiles, too many below high ones', () => {
    const c = sampleQuantileCoverage(model.mul(2), test);
    c.expected.forEach((p, i) => {
      const truth = Phi(2 * PhiInv(p));
      expect(Math.abs(c.observed[i]! - truth)).toBeLessThanOrEqual(tol(truth) + 4 * Math.sqrt(p * (1 - p) / M));
    });
    expect(c.observed[c.expected.indexOf(0.1)]!).toBeLessThan(0.03); // truth Φ(−2.563) = 0.0052
    expect(c.observed[c.expected.indexOf(0.9)]!).toBeGreaterThan(0.97);
    // samples shifted by +1: every quantile is too high, so more than p of the data fall below it
    const shifted = sampleQuantileCoverage(model.add(1), test);
    for (const p of [0.3, 0.5, 0.7]) expect(shifted.observed[shifted.expected.indexOf(p)]! - p).toBeGreaterThan(0.2);
  });

  it('q_{d,p} per coordinate by linear interpolation, pairs with x_d ≤ q_{d,p} count', () => {
    const samples = [[0, 10], [4, 50], [2, 30], [1, 20], [3, 40]];
    const points = [[1.5, 35], [5, 5]];
    // p = 0.25: q = (1, 20) → only 5 ≤ 20; p = 0.6: h = 2.4, q = (2.4, 34) → 1.5 and 5 (of 35 and 5); p = 0.75: q = (3, 40) → 3 of 4
    const c = sampleQuantileCoverage(samples, points, { levels: [0.25, 0.6, 0.75] });
    expect(c.observed).toEqual([0.25, 0.5, 0.75]);
    expect(c.calibrationError).toBeCloseTo(0.1 / 3, 15);
    expect(c.n).toBe(2);
    // a 1-D input is one coordinate
    expect(sampleQuantileCoverage([0, 1, 2, 3, 4], [1.5, 5], { levels: [0.5] }).observed).toEqual([0.5]);
  });

  it('names the argument in typed errors', () => {
    expect(() => sampleQuantileCoverage([], [[1, 2]])).toThrow(/modelSamples is empty/);
    expect(() => sampleQuantileCoverage([[1, 2]], [])).toThrow(/testPoints is empty/);
    expect(() => sampleQuantileCoverage([[1, 2]], [[1, 2, 3]])).toThrow(ShapeError);
    expect(() => sampleQuantileCoverage([[1, 2]], [[1, 2, 3]])).toThrow(/modelSamples has 2 coordinates but testPoints has 3/);
    expect(() => sampleQuantileCoverage([[1, Number.NaN]], [[1, 2]])).toThrow(/modelSamples must be finite/);
    expect(() => sampleQuantileCoverage([[1, 2]], [[1, Infinity]])).toThrow(/testPoints must be finite/);
    expect(() => sampleQuantileCoverage([[1, 2]], [[1, 2]], { levels: [1.5] })).toThrow(/levels\[0\] = 1.5 must be in \(0, 1\)/);
  });
});

describe('renderCoverageSvg', () => {
  it('draws the title with the error and one marker per level', () => {
    const c = highestDensityCoverage(logNormal2(model.mul(2), 2), logNormal2(test, 2));
    const svg = renderCoverageSvg(c, { title: 'HDR <flow>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain(`HDR &lt;flow&gt; · error = ${(100 * c.calibrationError).toFixed(2)}%`);
    expect(svg.match(/<rect [^>]*fill="#3b6fb6"/g)!.length).toBe(c.expected.length);
    expect(svg.match(/stroke-dasharray="5 4"/g)!.length).toBe(1); // the diagonal
    expect(svg).toContain('N = 4000');
  });
});

describe('renderCoveragePng', () => {
  it('rasterises the same scene: the scene size times the scale, markers in the curve colour', () => {
    const c = sampleQuantileCoverage(model.mul(2), test);
    const scene = coverageScene(c);
    const png = PNG.sync.read(renderCoveragePng(c, { scale: 1 }));
    expect([png.width, png.height]).toEqual([scene.width, scene.height]);
    // the centre of the p = 0.5 marker (observed 0.49) is the curve colour #3b6fb6
    const m = scene.shapes.filter((s) => s.type === 'rect' && s.fill === '#3b6fb6')[c.expected.indexOf(0.5)]!;
    if (m.type !== 'rect') throw new Error('not a marker');
    const [x, y] = [Math.round(m.x + m.w / 2), Math.round(m.y + m.h / 2)];
    expect(Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3))).toEqual([0x3b, 0x6f, 0xb6]);
  });
});
