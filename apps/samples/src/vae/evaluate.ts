import { Generator } from '@likelihood/core';
import { Module } from '@likelihood/nn';
import { loadCheckpoint } from '@likelihood/nn/node';
import { type VAE, mnistVae } from '@likelihood/vae';
import { binariseOnce, loadDigits } from './data.js';
import { meanElbo } from './train.js';

export interface VaeEvalOptions {
  checkpoint: string;
  /** importance samples per digit */
  k: number;
  /** first N test digits */
  limit: number;
  /** digits per logLikelihood call (progress is printed after each) */
  chunk: number;
  data?: string;
}

export interface VaeEvalResult {
  digits: number;
  k: number;
  /** mean importance-sampled log p(x) (nats) and its standard error over the digits */
  logLikelihood: number;
  stderr: number;
  bitsPerDim: number;
  /** mean ELBO of the same digits */
  elbo: number;
  seconds: number;
}

/** Rebuilds the model a `vae train` checkpoint describes and loads its weights. */
export function loadVae(path: string): { vae: VAE; epoch: number; step: number } {
  // Read the config first through a module with no parameters, then load into the model it describes.
  const probe = loadCheckpoint(path, { model: new (class ConfigOnly extends Module {
    forward(): void {}
  })(), strict: false });
  const c = probe.config as { hidden: number[]; latent: number; activation: 'tanh' | 'relu' };
  const vae = mnistVae({ hidden: c.hidden, latentDim: c.latent, activation: c.activation });
  const info = loadCheckpoint(path, { model: vae });
  vae.eval();
  return { vae, epoch: (info.extra as { epoch: number }).epoch, step: info.step };
}

/**
 * The test log-likelihood of a trained VAE: the importance-sampled estimate with k samples from
 * q(z | x) (the IWAE bound L_k, a stochastic lower bound whose expectation approaches log p(x)),
 * on the first `limit` test digits binarised once with seed 1234, as in training.
 */
export function evaluateVae(vae: VAE, o: Omit<VaeEvalOptions, 'checkpoint'>, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): VaeEvalResult {
  const test = binariseOnce(loadDigits('test', { limit: o.limit, dir: o.data }).images);
  const n = test.shape[0]!;
  const g = new Generator(6);
  const t0 = performance.now();
  const values: number[] = [];
  for (let i = 0; i < n; i += o.chunk) {
    const x = test.narrow(0, i, Math.min(o.chunk, n - i));
    const r = vae.logLikelihood(x, { samples: o.k, generator: g });
    values.push(...(r.nats.data()));
    const sofar = meanAndStderr(values);
    // A long evaluation can be stopped at any time: each line is the result on the digits so far.
    log(`  ${values.length}/${n} digits: mean log p̂(x) ${sofar.mean.toFixed(3)} ± ${sofar.stderr.toFixed(3)} nats (k = ${o.k}), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const { mean, stderr } = meanAndStderr(values);
  return {
    digits: n, k: o.k, logLikelihood: mean, stderr, bitsPerDim: -mean / (784 * Math.LN2), elbo: meanElbo(vae, test),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Mean and its standard error (sample sd / √n) over the digits. */
export function meanAndStderr(values: readonly number[]): { mean: number; stderr: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  return { mean, stderr: sd / Math.sqrt(n) };
}
