import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  });
});
