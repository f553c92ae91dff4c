import { Generator, noGrad, randint } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { bitsPerDim, uniformDequantize } from './evaluation.js';
import { evaluateBitsPerDim, imageMafFlow } from './images.js';

describe('image MAF and bits/dim evaluation', () => {
  it('evaluateBitsPerDim is the mean of bitsPerDim over one dequantisation draw per image', () => {
    const flow = imageMafFlow(6, { layers: 2, hidden: [8], generator: new Generator(1) });
    const x = randint(0, 256, [7, 6], { generator: new Generator(2) });
    const got = evaluateBitsPerDim(flow, x, { batchSize: 3, generator: new Generator(3) });
    const g = new Generator(3);
    // same draws in the same batch order: [0..3), [3..6), [6..7)
    const ys = [x.narrow(0, 0, 3), x.narrow(0, 3, 3), x.narrow(0, 6, 1)].map((b) => uniformDequantize(b, { generator: g }));
    const want = noGrad(() => ys.reduce((s, y) => s + bitsPerDim(flow.logProb(y), 6).sum().item(), 0) / 7);
    expect(got).toBeCloseTo(want, 5);
  });
  it('an untrained flow (identity MAFs) scores the logit-space standard normal: above 8 bits/dim', () => {
    const flow = imageMafFlow(4, { layers: 1, hidden: [8], batchNorm: false, alpha: 0.05 });
    const x = randint(0, 256, [50, 4], { generator: new Generator(4) });
    expect(evaluateBitsPerDim(flow, x, { generator: new Generator(5) })).toBeGreaterThan(8);
  });
});
