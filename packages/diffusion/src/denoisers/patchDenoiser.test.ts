import { Generator, ShapeError, type Tensor, arange, randn, tensor } from '@likelihood/core';
import { Module } from '@likelihood/nn';
import { describe, expect, it } from 'vitest';
import { PatchDenoiser } from './patchDenoiser.js';
import { unetDenoiser } from './unetDenoiser.js';

class Recorder extends Module {
  seen: Tensor | null = null;
  forward(x: Tensor, _t: Tensor): Tensor {
    this.seen = x;
    return x;
  }
}

describe('PatchDenoiser', () => {
  it("folds patches into channels in torch's pixel_unshuffle order and unfolds the output exactly", () => {
    const inner = new Recorder();
    const net = new PatchDenoiser(inner, 2);
    const x = arange(0, 2 * 3 * 4 * 6).reshape([2, 3, 4, 6]);
    expect(Array.from(net.forward(x, tensor([0, 1])).data())).toEqual(Array.from(x.data()));
    // F.pixel_unshuffle(arange(16).reshape(1, 1, 4, 4), 2)[0, c] for c = 0..3
    const y = new PatchDenoiser(inner, 2).forward(arange(0, 16).reshape([1, 1, 4, 4]), tensor([0]));
    expect(inner.seen!.shape).toEqual([1, 4, 2, 2]);
    expect(inner.seen!.toArray()).toEqual([[[[0, 2], [8, 10]], [[1, 3], [9, 11]], [[4, 6], [12, 14]], [[5, 7], [13, 15]]]]);
    expect(y.shape).toEqual([1, 1, 4, 4]);
  });

  it('wraps the U-Net with C·p² channels, doubled for a learned variance', () => {
    const net = unetDenoiser({ inChannels: 1, baseChannels: 8, channelMults: [1, 2], attentionLevels: [], patchSize: 2, learnedVariance: true, generator: new Generator(0) });
    expect(net).toBeInstanceOf(PatchDenoiser);
    expect((net as PatchDenoiser).inner.forward(randn([1, 4, 4, 4]), tensor([3])).shape).toEqual([1, 8, 4, 4]);
    expect(net.forward(randn([2, 1, 8, 8]), tensor([1, 2])).shape).toEqual([2, 2, 8, 8]);
  });

  it('names the shapes on bad input', () => {
    const net = new PatchDenoiser(new Recorder(), 2);
    expect(() => net.forward(randn([1, 1, 5, 4]), tensor([0]))).toThrow(/divisible by patchSize 2, found \[1, 1, 5, 4\]/);
    expect(() => net.forward(randn([1, 4, 4]), tensor([0]))).toThrow(ShapeError);
    expect(() => new PatchDenoiser(new Recorder(), 0)).toThrow(/patchSize must be a positive integer, found 0/);
  });
});
