import { full, Generator, noGrad, randn, type Tensor } from '@likelihood/core';
import { DDIMScheduler, NoiseSchedule, sample, unetDenoiser } from '@likelihood/diffusion';
import { applyCheckpoint } from '@likelihood/nn';
import { lazyCompile } from '../ortWeb.js';
import { DIFFUSION_CONFIG } from './diffusionConfig.js';
import { loadOnce } from './loadOnce.js';
import type { Demo } from './types.js';

const N = 9;

const loadModel = loadOnce((bytes) => {
  const model = unetDenoiser({ ...DIFFUSION_CONFIG.unet, channelMults: [...DIFFUSION_CONFIG.unet.channelMults] });
  applyCheckpoint(bytes, { model }, 'load diffusion-mnist.safetensors');
  model.eval();
  // (x_t [9, 1, 28, 28], t [9]) → ε̂: one graph, run once per DDIM step.
  const denoiser = lazyCompile((x: Tensor, t: Tensor) => model.forward(x, t));
  return { model, denoiser };
});

/** A small U-Net DDPM on MNIST: 9 digits by DDIM (η = 0) from Gaussian noise, in the page. */
export const diffusionMnist: Demo = {
  id: 'diffusion-mnist',
  label: 'Diffusion: MNIST digits',
  weights: 'diffusion-mnist.safetensors',
  load: loadModel,
  // The temperature setting does not apply: DDIM with η = 0 is deterministic given x_T.
  async sample(bytes, opts, out) {
    const { model, denoiser } = loadModel(bytes);
    const ddim = new DDIMScheduler(NoiseSchedule.create({ kind: 'linear', numTimesteps: DIFFUSION_CONFIG.numTimesteps }));
    ddim.setTimesteps(DIFFUSION_CONFIG.sampleSteps);
    const generator = new Generator(opts.seed);
    const shape = [N, 1, 28, 28];
    let x: Tensor; // [9, 1, 28, 28] in ≈[−1, 1]
    const before = denoiser.graphs;
    if (opts.engine === 'core') x = sample(model, ddim, shape, { generator }).sample;
    else {
      // diffusion's `sample` loop (same noise, same scheduler steps) with the denoiser awaited on onnxruntime-web.
      x = randn(shape, { generator });
      for (const t of ddim.timesteps) {
        const eps = (await denoiser.run(x, full([N], t))) as Tensor;
        x = noGrad(() => ddim.step(eps, t, x, generator).prevSample);
      }
    }
    out.images(Float32Array.from(x.data(), (v) => (v + 1) / 2), N, 28, 28);
    return { count: N, unit: 'image', compiledGraphs: denoiser.graphs - before };
  },
};
