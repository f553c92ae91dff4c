import { ArgumentError, Generator, type Tensor, bernoulli, noGrad, randperm } from '@likelihood/core';
import { Adam, type Optimizer, clipGradNorm_ } from '@likelihood/nn';
import { checkPositiveInt } from './checks.js';
import type { VAE } from './vae.js';
import { klWarmup } from './warmup.js';

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** Adam learning rate (default 1e-3); ignored when `optimizer` is given. */
  lr?: number;
  /**
   * The optimizer to step (default: a new Adam over vae.parameters() with `lr`). Pass one to keep
   * its state across calls, e.g. to checkpoint and resume a run one epoch at a time.
   */
  optimizer?: Pick<Optimizer, 'zeroGrad' | 'step'>;
  /** Step count the run starts from (KL warm-up and FitStep.step continue from it; default 0). */
  startStep?: number;
  /** 'elbo' (default) or 'iwae' (Burda et al.'s bound with `samples` importance samples). */
  objective?: 'elbo' | 'iwae';
  /** Latent samples per example: for the ELBO the reconstruction average, for IWAE the k of the bound (default 1, or 5 for IWAE). */
  samples?: number;
  /** Final KL weight β (ELBO only, default 1). */
  beta?: number;
  /** KL warm-up steps from weight 0 to β (ELBO only, default 0). */
  warmupSteps?: number;
  /**
   * 'dynamic': each batch is resampled as x ~ Bernoulli(pixel intensity) (Burda et al.'s MNIST
   * setting); 'static': binarised once at 0.5; 'none' (default): the pixels as given.
   */
  binarize?: 'dynamic' | 'static' | 'none';
  /** Clip the gradient norm (default: no clipping). */
  maxGradNorm?: number;
  /** Shuffling, binarisation and latent noise (default: new Generator(0)). */
  generator?: Generator;
  /** Called after every step, e.g. for a progress bar. */
  onStep?: (s: FitStep) => void;
  /** Ends training after the step for which it returns true (e.g. a time budget). */
  stop?: (s: FitStep) => boolean;
}

export interface FitStep {
  step: number;
  epoch: number;
  /** Steps in the whole run. */
  totalSteps: number;
  /** The minimised loss: −mean objective of the batch. */
  loss: number;
  /** The batch's mean ELBO (or IWAE bound) in nats. */
  bound: number;
  klWeight: number;
}

/**
 * Trains `vae` on `images` (N, ...dataShape) in [0, 1] with Adam, maximising the ELBO (with
 * optional β and warm-up) or the IWAE bound. A plain loop: apps wrap it with progress bars and
 * checkpoints through `onStep`. Returns the per-step history.
 */
export function fitVae(vae: VAE, images: Tensor, opts: FitOptions = {}): FitStep[] {
  const epochs = checkPositiveInt('fitVae', 'epochs', opts.epochs ?? 1);
  const batchSize = checkPositiveInt('fitVae', 'batchSize', opts.batchSize ?? 100);
  const objective = opts.objective ?? 'elbo';
  if (objective !== 'elbo' && objective !== 'iwae') throw new ArgumentError(`fitVae: objective must be 'elbo' or 'iwae', found '${String(objective)}'`);
  const samples = checkPositiveInt('fitVae', 'samples', opts.samples ?? (objective === 'iwae' ? 5 : 1));
  const binarize = opts.binarize ?? 'none';
  if (!['dynamic', 'static', 'none'].includes(binarize)) throw new ArgumentError(`fitVae: binarize must be 'dynamic', 'static' or 'none', found '${String(binarize)}'`);
  const generator = opts.generator ?? new Generator(0);
  const opt = opts.optimizer ?? new Adam(vae.parameters(), { lr: opts.lr ?? 1e-3 });
  const data = binarize === 'static' ? noGrad(() => images.gt(0.5).to(images.dtype)) : images;
  const n = data.shape[0]!;
  const perEpoch = Math.ceil(n / batchSize);
  const start = opts.startStep ?? 0;
  if (!Number.isInteger(start) || start < 0) throw new ArgumentError(`fitVae: startStep must be a non-negative integer, found ${String(start)}`);
  const totalSteps = start + epochs * perEpoch;
  const history: FitStep[] = [];
  vae.train();
  let step = start;
  let stopped = false;
  for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
    const order = randperm(n, { generator });
    for (let b = 0; b < perEpoch && !stopped; b++) {
      const idx = order.narrow(0, b * batchSize, Math.min(batchSize, n - b * batchSize));
      let x = data.indexSelect(0, idx); // (B, ...dataShape)
      if (binarize === 'dynamic') x = bernoulli(x, { generator });
      const klWeight = klWarmup(step, { warmupSteps: opts.warmupSteps ?? 0, beta: opts.beta ?? 1 });
      let target: Tensor;
      let bound: number;
      if (objective === 'iwae') {
        target = vae.iwae(x, samples, { generator });
        bound = target.mean().item();
      } else {
        const t = vae.elbo(x, { beta: klWeight, samples, generator });
        target = t.objective;
        bound = t.elbo.mean().item();
      }
      const loss = target.mean().neg();
      opt.zeroGrad();
      loss.backward();
      if (opts.maxGradNorm !== undefined) clipGradNorm_(vae.parameters(), opts.maxGradNorm);
      opt.step();
      step++;
      const s: FitStep = { step, epoch, totalSteps, loss: loss.item(), bound, klWeight };
      history.push(s);
      opts.onStep?.(s);
      stopped = opts.stop?.(s) ?? false;
    }
  }
  vae.eval();
  return history;
}
