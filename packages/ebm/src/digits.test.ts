import { Generator } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { ais, baseRateVisibleBias } from './ais.js';
import { BernoulliRBM } from './bernoulliRbm.js';
import { salakhutdinovMurraySchedule } from './schedules.js';
import { loadBinarizedDigits } from './testing/digits.js';
import { trainRBM } from './train.js';

const digits = loadBinarizedDigits();

// Real data from ../shared/data/digits (sklearn's 8×8 digits, 1797 images): skipped when absent.
describe.skipIf(!digits)('RBM on binarised sklearn digits (needs ../shared/data/digits)', () => {
  it('PCD-1 training raises the exact test log-likelihood, and AIS agrees with the exact log Z', () => {
    const images = digits!.images;
    const train = images.narrow(0, 0, 1500);
    const test = images.narrow(0, 1500, 297);
    const rbm = new BernoulliRBM(64, 10, { generator: new Generator(0) }).initVisibleBiasFromData(train);
    const before = rbm.averageLogLikelihood(test, rbm.exactLogZ()); // independent-pixel base rates
    trainRBM(rbm, train, { method: 'pcd', k: 1, epochs: 3, lr: 0.1, momentum: 0.5, batchSize: 25, generator: new Generator(1) });
    const exact = rbm.exactLogZ().item();
    const after = rbm.averageLogLikelihood(test, exact);
    expect(before).toBeLessThan(-20);
    expect(after).toBeGreaterThan(before + 1);
    const est = ais(rbm, { numRuns: 32, betas: salakhutdinovMurraySchedule(0.02), baseVisibleBias: baseRateVisibleBias(train), generator: new Generator(2) });
    expect(est.logZLow).toBeLessThanOrEqual(exact);
    expect(est.logZHigh).toBeGreaterThanOrEqual(exact);
  });
});
