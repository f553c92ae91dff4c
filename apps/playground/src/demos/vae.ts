import { Generator, noGrad, type Tensor } from '@likelihood/core';
import { applyCheckpoint } from '@likelihood/nn';
import { decode, mnistVae, type VAE } from '@likelihood/vae';
import { lazyCompile } from '../ortWeb.js';
import { loadOnce } from './loadOnce.js';
import type { Demo } from './types.js';
import { VAE_CONFIG } from './vaeConfig.js';

const N = 16;

const loadVae = loadOnce((bytes) => {
  const vae: VAE = mnistVae({ ...VAE_CONFIG, hidden: [...VAE_CONFIG.hidden] });
  applyCheckpoint(bytes, { model: vae }, 'load vae-mnist.safetensors');
  vae.eval();
  // z [N, latentDim] → the Bernoulli means [N, 1, 28, 28], as VAE.sample decodes them.
  const decoder = lazyCompile((z: Tensor) => vae.decoder.likelihood.meanImage(decode(vae.decoder, z)));
  return { vae, decoder };
});

/** An MLP VAE on binarised MNIST: 16 digits decoded from prior samples (Bernoulli means). */
export const vaeMnist: Demo = {
  id: 'vae-mnist',
  label: 'VAE: MNIST digits',
  weights: 'vae-mnist.safetensors',
  load: loadVae,
  // The temperature setting does not apply: images are the decoder's means for z ~ p(z).
  async sample(bytes, opts, out) {
    const { vae, decoder } = loadVae(bytes);
    const g = new Generator(opts.seed);
    if (opts.engine === 'core') {
      out.images(vae.sample(N, { generator: g, mean: true }).data(), N, 28, 28); // [16, 1, 28, 28]
      return { count: N, unit: 'image', compiledGraphs: 0 };
    }
    // VAE.sample's draw (z ~ p(z) from the same generator), decoded on onnxruntime-web.
    const z = noGrad(() => vae.prior.forward().sample([N], g)); // [16, latentDim]
    const before = decoder.graphs;
    const images = (await decoder.run(z)) as Tensor; // [16, 1, 28, 28]
    out.images(images.data(), N, 28, 28);
    return { count: N, unit: 'image', compiledGraphs: decoder.graphs - before };
  },
};
