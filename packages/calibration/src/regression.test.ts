import { Generator, randn } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { gaussianNllScore, picp, regressionCalibrationCurve } from './regression.js';

describe('regression calibration', () => {
  const g = new Generator(3);
  const n = 20000;
  const mean = randn([n], { generator: g, dtype: 'float64' });
  const sigma = 0.5;
  const target = mean.add(randn([n], { generator: g, dtype: 'float64' }).mul(sigma));
  const variance = new Float64Array(n).fill(sigma ** 2);

  it('Gaussian NLL by hand', () => {
    // ½ log(2π·4) + (3 − 1)² / 8 = ½ log(8π) + 0.5
    expectClose(gaussianNllScore([1], [4], [3]), 0.5 * Math.log(8 * Math.PI) + 0.5, { atol: 1e-12 });
  });
  it('PICP of calibrated predictions is the level (fixed seed, 3 standard errors)', () => {
    for (const level of [0.5, 0.9, 0.95]) {
      const se = Math.sqrt((level * (1 - level)) / n);
      expect(Math.abs(picp(mean, variance, target, level) - level)).toBeLessThan(3 * se);
    }
    // Variance 4× too small: the 95% interval μ ± 1.96·σ/2 covers P(|Z| ≤ 0.98) ≈ 0.673.
    expect(Math.abs(picp(mean, variance.map((v) => v / 4), target, 0.95) - 0.6729)).toBeLessThan(0.01);
  });
  it('calibration curve is the diagonal for calibrated predictions and not for over-confident ones', () => {
    const good = regressionCalibrationCurve(mean, variance, target);
    expect(good.expected.map((p) => Number(p.toFixed(10)))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    good.observed.forEach((o, i) => expect(Math.abs(o - good.expected[i]!)).toBeLessThan(0.012));
    const bad = regressionCalibrationCurve(mean, variance.map((v) => v / 4), target);
    expect(Math.abs(bad.observed[0]! - 0.2608)).toBeLessThan(0.01); // P(Φ(2Z) ≤ 0.1) = Φ(Φ⁻¹(0.1) / 2) = Φ(−0.6408) ≈ 0.261
    expect(bad.calibrationError).toBeGreaterThan(20 * good.calibrationError);
  });
  it('errors name the argument', () => {
    expect(() => picp([0], [0], [0])).toThrow(/variance\[0\] = 0 must be positive/);
    expect(() => picp([0, 1], [1], [0])).toThrow(/same length, found 2, 1 and 1/);
    expect(() => picp([0], [1], [0], 1)).toThrow(/level must be in \(0, 1\)/);
  });
});
