import { Generator } from '@likelihood/core';
import { applyCheckpoint } from '@likelihood/nn';
import { type VAE, mnistVae } from '@likelihood/vae';
import { loadOnce } from './loadOnce.js';
import type { Demo } from './types.js';
import { VAE_CONFIG } from './vaeConfig.js';

const loadVae = loadOnce((bytes): VAE => {
  const vae = mnistVae({ ...VAE_CONFIG, hidden: [...VAE_CONFIG.hidden] });
  applyCheckpoint(bytes, { model: vae }, 'load vae-mnist.safetensors');
  return vae.eval();
});

/** An MLP VAE on binarised MNIST: 16 digits decoded from prior samples (Bernoulli means). */
export const vaeMnist: Demo = {
  id: 'vae-mnist',
  label: 'VAE: MNIST digits',
  weights: 'vae-mnist.safetensors',
  // The temperature setting does not apply: images are the decoder's means for z ~ p(z).
  async sample(bytes, opts, out) {
    const vae = loadVae(bytes);
    const g = new Generator(opts.seed);
    const images = vae.sample(16, { generator: g, mean: true }); // [16, 1, 28, 28]
    out.images(images.data(), 16, 28, 28);
  },
};
