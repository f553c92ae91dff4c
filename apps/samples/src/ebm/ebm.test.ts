import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { highestDensityCoverage } from '@likelihood/calibration';
import { Generator, type Tensor, randn } from '@likelihood/core';
import { gridLogZ2d } from '@likelihood/ebm';
import { describe, expect, it } from 'vitest';
import { sampleGrid } from './calibration.js';
import { DEEP2D_DEFAULTS, trainDeep2d } from './deep2d.js';
import { ebmDemo } from './demo.js';
import { loadBinarizedMnist } from './mnist.js';
import { RBM_DEFAULTS, trainRbmMnist } from './rbm.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const isPng = (path: string) => existsSync(path) && PNG_SIGNATURE.every((b, i) => readFileSync(path)[i] === b);
const mnistThere = loadBinarizedMnist(1, 1) !== null;

describe('samples ebm (plumbing)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'ebm-samples-'));

  it('deep 2-D EBM: NCE lowers its loss, the exact grid NLL is a proper held-out NLL, and the two PNGs are written', () => {
    const r = trainDeep2d({ ...DEEP2D_DEFAULTS, steps: 40, sampleSteps: 5, gridSize: 80, outDir, progress: false }, () => {});
    expect(r.curve).toHaveLength(40);
    const mean = (a: { loss: number }[]) => a.reduce((s, p) => s + p.loss, 0) / a.length;
    expect(mean(r.curve.slice(-10))).toBeLessThan(mean(r.curve.slice(0, 10)));
    expect(r.trueNll).toBeCloseTo(2.819, 2); // −mean log p of the 2,000 held-out points under the true mixture
    expect(r.nll).toBeGreaterThan(r.trueNll - 0.1); // no density beats the truth on 2,000 points by more than noise
    expect(r.nll).toBeLessThan(10);
    expect(r.images.map((i) => isPng(i.path))).toEqual([true, true]);
    // highest-density coverage of the 2,000 held-out points
    expect(r.calibration.svg).toContain('<svg');
    expect(r.calibration.caption).toContain('2000 held-out 8gaussians points');
    expect(Number.isFinite(r.calibration.ece)).toBe(true);
    expect(r.calibration.ece).toBeGreaterThanOrEqual(0);
    expect(r.calibration.ece).toBeLessThanOrEqual(1);
  });

  it('sampleGrid draws from the normalised grid: for E = |x|²/2 the samples are N(0, I) and cover α of N(0, I) data', () => {
    const energy = (x: Tensor) => x.square().sum(1).mul(0.5);
    const grid = gridLogZ2d(energy, { low: [-4.5, -4.5], high: [4.5, 4.5], size: 90 });
    expect(grid.logZ).toBeCloseTo(Math.log(2 * Math.PI), 2);
    const s = sampleGrid(grid, 4000, new Generator(5)); // [4000, 2]
    const mean = s.mean(0).storage;
    const variance = s.square().mean(0).storage;
    // 4000 draws: the standard error of a mean is 0.016, of a second moment 0.022
    for (const d of [0, 1]) {
      expect(Math.abs(mean[d]!)).toBeLessThan(0.07);
      expect(Math.abs(variance[d]! - 1)).toBeLessThan(0.09);
    }
    const logp = (x: Tensor) => energy(x).neg().sub(grid.logZ);
    const c = highestDensityCoverage(logp(s), logp(randn([4000, 2], { generator: new Generator(6), dtype: 'float64' })));
    // |obs − α| ≤ 4·sqrt(α(1 − α)(1/4000 + 1/4000)) at every level
    c.expected.forEach((a, i) => expect(Math.abs(c.observed[i]! - a)).toBeLessThanOrEqual(4 * Math.sqrt((a * (1 - a) * 2) / 4000)));
  });

  it.skipIf(!mnistThere)('RBM on binarised MNIST: trains, writes filters and samples, AIS gives a test log-likelihood', () => {
    const r = trainRbmMnist({ ...RBM_DEFAULTS, hidden: 16, epochs: 1, trainLimit: 300, testLimit: 50, gibbsSteps: 3, aisRuns: 4, aisScale: 0.002, outDir, progress: false }, () => {});
    expect(r.curve).toHaveLength(3);
    expect(r.images.map((i) => isPng(i.path))).toEqual([true, true]);
    // Independent pixels at the base rate score about −206 nats here; a 16-hidden RBM after 3 updates is close to that and far above −784 log 2.
    expect(r.ais!.testLL).toBeLessThan(-100);
    expect(r.ais!.testLL).toBeGreaterThan(-784 * Math.LN2);
  });

  it('the demo returns a FamilyReport: an exact 2-D NLL with its reference, a loss curve and PNGs', () => {
    const rep = ebmDemo({ seconds: 2, outDir, progress: false });
    expect(rep.family).toBe('ebm');
    expect(rep.likelihood[0]!.kind).toBe('exact');
    expect(rep.likelihood[0]!.reference).toMatch(/true density: 2\.819 nats/);
    expect(Number.isFinite(rep.likelihood[0]!.nats)).toBe(true);
    if (mnistThere) {
      expect(rep.likelihood[1]!.kind).toBe('estimate');
      expect(rep.likelihood[1]!.stderr).toBeGreaterThanOrEqual(0);
    }
    expect(rep.lossCurve.length).toBeGreaterThanOrEqual(1); // the budget may stop training early on a loaded machine
    expect(rep.images.every((i) => isPng(i.path))).toBe(true);
    expect(rep.calibration!.svg).toContain('EBM: highest-density coverage');
    expect(rep.calibration!.ece).toBeGreaterThanOrEqual(0);
    expect(rep.calibration!.ece).toBeLessThanOrEqual(1);
  });
});
