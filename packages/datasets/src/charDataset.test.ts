import { Generator } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { CharDataset } from './charDataset.js';
import { findSharedData } from './shared.js';
import { loadText } from './text.js';

describe('CharDataset', () => {
  const text = 'hello world, hello likelihood! '.repeat(20);
  const ds = new CharDataset(text);

  it('has a sorted vocabulary, encode/decode round trip and a 90/10 split', () => {
    expect(ds.vocab).toEqual([...new Set(text)].sort());
    expect(ds.decode(ds.encode('hello'))).toBe('hello');
    expect(ds.train.length).toBe(Math.floor(text.length * 0.9));
    expect(ds.train.length + ds.val.length).toBe(text.length);
    expect(ds.decode(ds.train) + ds.decode(ds.val)).toBe(text);
    expect(() => ds.encode('Z')).toThrow(/character "Z" is not in the vocabulary/);
    expect(() => ds.decode([99])).toThrow(/id 99 at position 0 is outside/);
  });

  it('sorts by code point and keeps astral characters whole', () => {
    const d = new CharDataset('b😀aé');
    expect(d.vocab).toEqual(['a', 'b', 'é', '😀']);
    expect(d.decode(d.encode('😀é'))).toBe('😀é');
  });

  it('getBatch: y is x shifted by one, blocks are contiguous text, seeded', () => {
    const { x, y } = ds.getBatch('train', 4, 8, new Generator(3));
    expect(x.shape).toEqual([4, 8]);
    expect(x.dtype).toBe('int32');
    const trainText = ds.decode(ds.train);
    for (let b = 0; b < 4; b++) {
      const xs = ds.decode(x.storage.subarray(b * 8, b * 8 + 8));
      const ys = ds.decode(y.storage.subarray(b * 8, b * 8 + 8));
      expect(xs.slice(1)).toBe(ys.slice(0, 7));
      expect(trainText.includes(xs + ys.slice(7))).toBe(true);
    }
    const again = ds.getBatch('train', 4, 8, new Generator(3));
    expect(again.x.storage).toEqual(x.storage);
    expect(ds.getBatch('train', 4, 8, new Generator(4)).x.storage).not.toEqual(x.storage);
  });

  it('every start offset in [0, len − T) is reachable (last target is the split\'s last char)', () => {
    const d = new CharDataset('abcdefghij', { trainFraction: 1 }); // train = 10 ids, T = 3: starts 0..6
    const g = new Generator(0);
    const starts = new Set<number>();
    for (let i = 0; i < 100; i++) starts.add(d.getBatch('train', 1, 3, g).x.storage[0]!);
    expect([...starts].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('errors', () => {
    expect(() => ds.getBatch('val', 2, ds.val.length)).toThrow(/blockSize must be < the val split's length/);
    expect(() => ds.getBatch('test' as never, 2, 2)).toThrow(/split must be 'train' or 'val'/);
    expect(() => new CharDataset('')).toThrow(/non-empty string/);
  });

  const shakespeare = findSharedData('tinyshakespeare/input.txt');
  it.skipIf(!shakespeare)(`tiny Shakespeare: 65 chars, nanoGPT's 1003854 / 111540 split${shakespeare ? '' : ' (SKIPPED: ../shared/data/tinyshakespeare is absent)'}`, () => {
    const d = new CharDataset(loadText(shakespeare!));
    expect(d.vocabSize).toBe(65);
    expect(d.decode(d.vocab.map((_, i) => i))).toBe("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    expect(d.train.length).toBe(1003854);
    expect(d.val.length).toBe(111540);
  });
});
