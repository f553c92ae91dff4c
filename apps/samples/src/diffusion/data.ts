import { type Generator, Tensor } from '@likelihood/core';
import { findSharedData, loadMnist, toy2d } from '@likelihood/datasets';

/** What a diffusion run trains on: a 2-D toy density or MNIST (pixels scaled to [−1, 1]). */
export interface DiffusionData {
  name: string;
  kind: '2d' | 'image';
  /** One shape per example: [2] or [1, 28, 28]. */
  exampleShape: number[];
  /** A training batch [B, …] drawn with `gen`. */
  batch(size: number, gen: Generator): Tensor;
  /** Held-out examples [n, …] (a fresh draw for 2-D; the first n test images for MNIST). */
  heldOut(n: number, gen?: Generator): Tensor;
  source: string;
}

export const TOY_NAMES = ['8gaussians', 'moons', 'checkerboard', 'circles', 'rings', 'pinwheel', 'swissroll'];

/** Rows `idx` of an [N, …] float32 tensor, as a new [idx.length, …] tensor. */
function rows(x: Tensor, idx: ArrayLike<number>): Tensor {
  const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const src = x.storage as Float32Array;
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i]! * per, (idx[i]! + 1) * per), i * per);
  return new Tensor(out, [idx.length, ...x.shape.slice(1)], 'float32');
}

/** MNIST images as float32 [N, 1, 28, 28] in [−1, 1]: x = 2·(pixel/255) − 1 (Ho et al.'s scaling). */
function mnistSplit(split: 'train' | 'test', dir?: string): { x: Tensor; source: string } {
  const m = loadMnist({ split, dir: dir ?? findSharedData('mnist') ?? undefined });
  const s = m.images.storage as Float32Array;
  const out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = 2 * s[i]! - 1;
  return { x: new Tensor(out, m.images.shape, 'float32'), source: m.source.images };
}

export function loadDiffusionData(name: string, opts: { mnistDir?: string } = {}): DiffusionData {
  if (name === 'mnist') {
    const train = mnistSplit('train', opts.mnistDir);
    let test: Tensor | undefined;
    const N = train.x.shape[0]!;
    return {
      name,
      kind: 'image',
      exampleShape: [1, 28, 28],
      batch: (size, gen) => rows(train.x, Int32Array.from({ length: size }, () => Math.floor(gen.random() * N))),
      heldOut: (n) => {
        test ??= mnistSplit('test', opts.mnistDir).x;
        return test.narrow(0, 0, Math.min(n, test.shape[0]!));
      },
      source: train.source,
    };
  }
  const density = toy2d(name);
  return {
    name,
    kind: '2d',
    exampleShape: [2],
    batch: (size, gen) => density.sample(size, gen),
    heldOut: (n, gen) => density.sample(n, gen),
    source: `@likelihood/datasets toy2d '${name}'`,
  };
}
