// AIS against exact enumeration on RBMs with 10–20 hidden units trained on binarised digits.
// Run: npx tsx --conditions=source packages/ebm/examples/aisVsExact.ts [epochs]
import { Generator } from '@likelihood/core';
import { BernoulliRBM, ais, baseRateVisibleBias, salakhutdinovMurraySchedule, trainRBM } from '../src/index.js';
import { loadBinarizedDigits } from '../src/testing/digits.js';

export function aisVsExact(hiddenSizes = [10, 15, 20], epochs = 5, log: (s: string) => void = console.log) {
  const digits = loadBinarizedDigits();
  if (!digits) throw new Error('aisVsExact: ../shared/data/digits not found');
  const train = digits.images.narrow(0, 0, 1500);
  const test = digits.images.narrow(0, 1500, 297);
  const rows = [];
  for (const h of hiddenSizes) {
    const rbm = new BernoulliRBM(64, h, { generator: new Generator(h) }).initVisibleBiasFromData(train);
    trainRBM(rbm, train, { method: 'pcd', k: 1, epochs, lr: 0.05, momentum: 0.5, batchSize: 25, generator: new Generator(1) });
    let t = Date.now();
    const exact = rbm.exactLogZ().item();
    const exactS = (Date.now() - t) / 1000;
    t = Date.now();
    const est = ais(rbm, { numRuns: 100, betas: salakhutdinovMurraySchedule(0.1), baseVisibleBias: baseRateVisibleBias(train), generator: new Generator(2) });
    const aisS = (Date.now() - t) / 1000;
    const inside = est.logZLow <= exact && exact <= est.logZHigh;
    const row = { hidden: h, exact, ais: est.logZ, se: est.logZStdErr, low: est.logZLow, high: est.logZHigh, inside, testLL: rbm.averageLogLikelihood(test, exact), exactS, aisS };
    rows.push(row);
    log(`H=${h}: log Z exact ${exact.toFixed(4)} (${exactS.toFixed(1)} s), AIS ${est.logZ.toFixed(4)} ± ${est.logZStdErr.toFixed(4)} [${est.logZLow.toFixed(4)}, ${est.logZHigh.toFixed(4)}] (${aisS.toFixed(1)} s) inside ±3se: ${inside}; test LL ${row.testLL.toFixed(3)} nats`);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) aisVsExact(undefined, process.argv[2] ? Number(process.argv[2]) : undefined);
