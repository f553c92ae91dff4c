// Noise-contrastive estimation (Gutmann & Hyvärinen 2010, 2012): learn an unnormalised model
// log p̃_θ(x) — including its own normalising constant as a parameter — by logistic regression
// between data and ν·N samples from a known noise distribution q. With
//   G(u) = log p̃_θ(u) − log q(u) − log ν,
//   J(θ) = −[ mean_x log σ(G(x)) + ν · mean_y log σ(−G(y)) ],
// the minimiser is the data density, normalised (Gutmann & Hyvärinen 2012, Theorem 2).
import { ArgumentError, type Generator, type Tensor, logSigmoid, noGrad } from '@likelihood/core';
import { checkPositiveInt } from './checks.js';

/** What NCE needs from the noise: samples and exact log-densities (any @likelihood/distributions object fits). */
export interface NoiseDistribution {
  sample(sampleShape: readonly number[], generator?: Generator): Tensor;
  logProb(x: Tensor): Tensor;
}

export interface NCEOptions {
  /** Noise samples per data point ν (default 1). */
  numNoise?: number;
  /** Pre-drawn noise [ν·N, ...]; drawn from `noise` with `generator` when absent. */
  noiseSamples?: Tensor;
  generator?: Generator;
}

export interface NCEResult {
  /** J(θ), a scalar to minimise. */
  loss: Tensor;
  /** Fraction of data and noise points the classifier G > 0 labels correctly. */
  accuracy: number;
}

// log q of a fixed tensor never changes (tensors are immutable), and NCE evaluates it for the same
// data and noise every step: remember it per (noise, tensor) pair.
const logProbCache = new WeakMap<NoiseDistribution, WeakMap<Tensor, Tensor>>();

function noiseLogProb(noise: NoiseDistribution, x: Tensor): Tensor {
  let m = logProbCache.get(noise);
  if (!m) logProbCache.set(noise, (m = new WeakMap()));
  let lq = m.get(x);
  if (!lq) m.set(x, (lq = noGrad(() => noise.logProb(x))));
  return lq;
}

/** The NCE objective for a log-unnormalised density `logModel` (batch → [N]). */
export function nceLoss(logModel: (x: Tensor) => Tensor, x: Tensor, noise: NoiseDistribution, opts: NCEOptions = {}): NCEResult {
  const nu = checkPositiveInt('nceLoss', 'numNoise', opts.numNoise ?? 1);
  const n = x.shape[0];
  if (n === undefined || n === 0) throw new ArgumentError('nceLoss: x must be a non-empty batch [N, ...]');
  const y = opts.noiseSamples ?? noise.sample([nu * n], opts.generator);
  if (y.shape[0] !== nu * n) throw new ArgumentError(`nceLoss: noiseSamples must have ${nu * n} rows (numNoise × N), found ${y.shape[0]}`);
  const logNu = Math.log(nu);
  const gData = logModel(x).sub(noiseLogProb(noise, x)).sub(logNu); // [N]
  const gNoise = logModel(y).sub(noiseLogProb(noise, y)).sub(logNu); // [νN]
  if (gData.ndim !== 1 || gData.shape[0] !== n) throw new ArgumentError(`nceLoss: logModel must return one value per row, shape [${n}], found [${gData.shape.join(', ')}]`);
  const loss = logSigmoid(gData).mean().add(logSigmoid(gNoise.neg()).mean().mul(nu)).neg();
  let correct = 0;
  for (const g of gData.storage) if (g > 0) correct++;
  for (const g of gNoise.storage) if (g <= 0) correct++;
  return { loss, accuracy: correct / (n * (1 + nu)) };
}
