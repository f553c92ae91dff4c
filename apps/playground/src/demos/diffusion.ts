import { Generator } from '@likelihood/core';
import { DDIMScheduler, NoiseSchedule, sample, unetDenoiser } from '@likelihood/diffusion';
import { applyCheckpoint } from '@likelihood/nn';
import { DIFFUSION_CONFIG } from './diffusionConfig.js';
import { loadOnce } from './loadOnce.js';
import type { Demo } from './types.js';

const loadModel = loadOnce((bytes) => {
  const model = unetDenoiser({ ...DIFFUSION_CONFIG.unet, channelMults: [...DIFFUSION_CONFIG.unet.channelMults] });
  applyCheckpoint(bytes, { model }, 'load diffusion-mnist.safetensors');
  return model.eval();
});

/** A small U-Net DDPM on MNIST: 9 digits by DDIM (η = 0) from Gaussian noise, in the page. */
export const diffusionMnist: Demo = {
  id: 'diffusion-mnist',
  label: 'Diffusion: MNIST digits',
  weights: 'diffusion-mnist.safetensors',
  // The temperature setting does not apply: DDIM with η = 0 is deterministic given x_T.
  async sample(bytes, opts, out) {
    const model = loadModel(bytes);
    const ddim = new DDIMScheduler(NoiseSchedule.create({ kind: 'linear', numTimesteps: DIFFUSION_CONFIG.numTimesteps }));
    ddim.setTimesteps(DIFFUSION_CONFIG.sampleSteps);
    const { sample: x } = sample(model, ddim, [9, 1, 28, 28], { generator: new Generator(opts.seed) }); // [9, 1, 28, 28] in ≈[−1, 1]
    out.images(Float32Array.from(x.data(), (v) => (v + 1) / 2), 9, 28, 28);
  },
};
