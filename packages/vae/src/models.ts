import type { FloatDType, Generator } from '@likelihood/core';
import type { ActivationName } from '@likelihood/nn';
import { MLPDecoder } from './decoders.js';
import { MLPEncoder } from './encoders.js';
import { bernoulliLikelihood } from './likelihoods/bernoulli.js';
import { VAE } from './vae.js';

export interface MnistVaeOptions {
  /** Latent dimensions (default 50, Burda et al.). */
  latentDim?: number;
  /** Hidden sizes of encoder and decoder (default [200, 200], Burda et al.'s one-stochastic-layer model). */
  hidden?: readonly number[];
  /** Hidden activation (default 'tanh', Burda et al.). */
  activation?: ActivationName;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Burda et al. (2016)'s one-stochastic-layer MNIST model: x (1, 28, 28) → 200 → 200 → 50
 * (tanh) → q(z | x) diagonal Normal; z → 200 → 200 → 784 Bernoulli logits; p(z) = N(0, I).
 */
export function mnistVae(opts: MnistVaeOptions = {}): VAE {
  const latent = opts.latentDim ?? 50;
  const hidden = opts.hidden ?? [200, 200];
  const shape = [1, 28, 28];
  const common = { hidden, activation: opts.activation ?? 'tanh', dtype: opts.dtype, generator: opts.generator };
  return new VAE(new MLPEncoder(shape, latent, common), new MLPDecoder(latent, shape, bernoulliLikelihood(), common));
}
