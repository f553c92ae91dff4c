// An RBM on binarised 8×8 digits: PCD training, then the test log-likelihood in nats with log Z
// computed exactly (enumerating the hidden units) and by AIS.
// Run: npx tsx --conditions=source packages/ebm/examples/rbmDigits.ts [hidden] [epochs]
import { Generator } from '@likelihood/core';
import { BernoulliRBM, ais, baseRateVisibleBias, salakhutdinovMurraySchedule, trainRBM } from '../src/index.js';
import { loadBinarizedDigits } from '../src/testing/digits.js';

export function rbmDigits(hidden = 16, epochs = 20, log: (s: string) => void = console.log) {
  const digits = loadBinarizedDigits();
  if (!digits) throw new Error('rbmDigits: ../shared/data/digits not found');
  const train = digits.images.narrow(0, 0, 1500);
  const test = digits.images.narrow(0, 1500, 297);
  const rbm = new BernoulliRBM(64, hidden, { generator: new Generator(0) }).initVisibleBiasFromData(train);
  log(`independent-pixel baseline: test LL ${rbm.averageLogLikelihood(test, rbm.exactLogZ()).toFixed(3)} nats`);
  const t0 = Date.now();
  trainRBM(rbm, train, {
    method: 'pcd', k: 1, epochs, lr: 0.05, momentum: 0.5, weightDecay: 1e-4, batchSize: 25, generator: new Generator(1),
    onEpoch: (e, s) => { if ((e + 1) % 5 === 0) log(`epoch ${e + 1}: reconstruction error ${s.reconstructionError.toFixed(4)}`); },
  });
  const trainSeconds = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const exact = rbm.exactLogZ().item();
  const exactSeconds = (Date.now() - t1) / 1000;
  const t2 = Date.now();
  const est = ais(rbm, { numRuns: 100, betas: salakhutdinovMurraySchedule(0.1), baseVisibleBias: baseRateVisibleBias(train), generator: new Generator(2) });
  const aisSeconds = (Date.now() - t2) / 1000;
  const result = {
    hidden, epochs, trainSeconds,
    logZExact: exact, logZAIS: est.logZ, logZAISStdErr: est.logZStdErr, logZAISLow: est.logZLow, logZAISHigh: est.logZHigh,
    testLLExact: rbm.averageLogLikelihood(test, exact), testLLAIS: rbm.averageLogLikelihood(test, est.logZ),
    trainLLExact: rbm.averageLogLikelihood(train, exact), exactSeconds, aisSeconds,
  };
  log(`PCD-1, ${hidden} hidden, ${epochs} epochs (${trainSeconds.toFixed(1)} s)`);
  log(`log Z: exact ${exact.toFixed(4)} (${exactSeconds.toFixed(1)} s); AIS ${est.logZ.toFixed(4)} ± ${est.logZStdErr.toFixed(4)}, ±3se interval [${est.logZLow.toFixed(4)}, ${est.logZHigh.toFixed(4)}] (100 runs, ${salakhutdinovMurraySchedule(0.1).length - 1} temperatures, ${aisSeconds.toFixed(1)} s)`);
  log(`test log-likelihood: exact ${result.testLLExact.toFixed(3)} nats, AIS ${result.testLLAIS.toFixed(3)} nats; train (exact) ${result.trainLLExact.toFixed(3)}`);
  return { rbm, ...result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  rbmDigits(process.argv[2] ? Number(process.argv[2]) : undefined, process.argv[3] ? Number(process.argv[3]) : undefined);
}
