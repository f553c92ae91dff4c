import { join } from 'node:path';
import { Generator, type Tensor, cat } from '@likelihood/core';
import type { VAE } from '@likelihood/vae';
import { imageGridPng, writePng } from '../images/png.js';
import type { ReportImage } from '../report/types.js';

const grid = (images: Tensor, cols: number) =>
  imageGridPng(images.data(), { count: images.shape[0]!, height: 28, width: 28, cols, scale: 2 });

/**
 * The three pictures of a trained MNIST VAE, written under `dir` with file names starting with
 * `prefix`: 64 prior samples (Bernoulli means), 16 test digits above their reconstructions, and
 * 6 latent interpolations of 10 steps between pairs of test digits.
 */
export function writeVaePictures(vae: VAE, test: Tensor, dir: string, prefix = 'vae'): ReportImage[] {
  const g = new Generator(7);
  const samples = vae.sample(64, { generator: g }); // (64, 1, 28, 28)
  const originals = test.narrow(0, 0, 16);
  const recon = cat([originals, vae.reconstruct(originals)], 0); // (32, 1, 28, 28): originals row, then reconstructions
  const rows = Array.from({ length: 6 }, (_, i) => vae.interpolate(test.narrow(0, 2 * i + 16, 1), test.narrow(0, 2 * i + 17, 1), 10));
  const paths = {
    samples: writePng(join(dir, `${prefix}-samples.png`), grid(samples, 8)),
    recon: writePng(join(dir, `${prefix}-reconstructions.png`), grid(recon, 16)),
    interp: writePng(join(dir, `${prefix}-interpolations.png`), grid(cat(rows, 0), 10)),
  };
  return [
    { caption: '64 samples from the prior (Bernoulli means p(x | z), z ~ N(0, I))', path: paths.samples },
    { caption: '16 test digits (top row) and their reconstructions through the posterior mean (bottom row)', path: paths.recon },
    { caption: 'latent interpolations between pairs of test digits (10 steps from μ(a) to μ(b))', path: paths.interp },
  ];
}
