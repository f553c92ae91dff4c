import { Generator, arange } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { DataLoader, trainValSplit } from './loader.js';

const x = arange(0, 20, 1, { dtype: 'float32' }).reshape(10, 2); // row i = [2i, 2i+1]
const y = arange(0, 10, 1, { dtype: 'int32' });

const firstCol = (t: { storage: ArrayLike<number> }) => Array.from(t.storage as ArrayLike<number>).filter((_, i) => i % 2 === 0).map((v) => v / 2);

describe('DataLoader', () => {
  it('batches in order without shuffle; dropLast', () => {
    const dl = new DataLoader([x, y], { batchSize: 4 });
    const batches = [...dl];
    expect(dl.length).toBe(3);
    expect(batches.map(([, yb]) => yb.toArray())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[2]![0].shape).toEqual([2, 2]);
    expect(batches[1]![0].toArray()).toEqual([[8, 9], [10, 11], [12, 13], [14, 15]]);
    const dropped = new DataLoader([x, y], { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].length).toBe(2);
  });

  it('shuffles with the generator: each epoch a permutation, rows stay aligned, same seed same batches', () => {
    const run = (seed: number) => {
      const dl = new DataLoader([x, y], { batchSize: 3, shuffle: true, generator: new Generator(seed) });
      return [...dl.epochs(3)].map(({ epoch, step, batch: [xb, yb] }) => {
        expect(firstCol(xb)).toEqual(Array.from(yb.storage)); // x and y rows move together
        return { epoch, step, ids: Array.from(yb.storage) };
      });
    };
    const a = run(7);
    expect(a).toEqual(run(7));
    expect(a).not.toEqual(run(8));
    for (let e = 0; e < 3; e++) {
      const ids = a.filter((b) => b.epoch === e).flatMap((b) => b.ids);
      expect(ids.slice().sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(a.filter((b) => b.epoch === 0).flatMap((b) => b.ids)).not.toEqual(a.filter((b) => b.epoch === 1).flatMap((b) => b.ids));
    expect(a.map((b) => b.step)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('errors', () => {
    expect(() => new DataLoader([x, arange(0, 3)])).toThrow(/share their first dim, found shapes \[10, 2\], \[3\]/);
    expect(() => new DataLoader([x], { batchSize: 0 })).toThrow(/batchSize must be a positive integer, found 0/);
    expect(() => new DataLoader([] as never)).toThrow(/non-empty array of Tensors/);
  });
});

describe('trainValSplit', () => {
  it('partitions 0..n−1, ⌊f·n⌋ train, seeded', () => {
    const { train, val } = trainValSplit(10, 0.7, new Generator(1));
    expect(train.shape).toEqual([7]);
    expect(val.shape).toEqual([3]);
    expect([...train.storage, ...val.storage].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(trainValSplit(10, 0.7, new Generator(1)).train.storage).toEqual(train.storage);
    expect(() => trainValSplit(10, 1.5)).toThrow(/trainFraction must be in \[0, 1\], found 1.5/);
  });
});
