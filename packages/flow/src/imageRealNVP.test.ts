import { ArgumentError, Generator, ShapeError, noGrad, randint } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { bitsPerDim, uniformDequantize } from './evaluation.js';
import { imageRealNVPFlow } from './imageRealNVP.js';
import { evaluateBitsPerDim } from './images.js';
import { randomizeParameters } from './invariants.test-util.js';

const f64 = 'float64' as const;

describe('imageRealNVPFlow (logit + multi-scale conv flow on [C, H, W])', () => {
  for (const steps of ['realnvp', 'glow'] as const) {
    it(`${steps}: [1, 4, 4] images, finite log p, inverse∘forward = id, samples of the event shape`, () => {
      const flow = imageRealNVPFlow([1, 4, 4], { depth: 2, hidden: 4, steps, dtype: f64, generator: new Generator(1) });
      randomizeParameters(flow, 2, 0.1);
      flow.eval();
      expect(flow.eventShape).toEqual([1, 4, 4]);
      const y = uniformDequantize(randint(0, 256, [3, 1, 4, 4], { generator: new Generator(3) }).to(f64), { generator: new Generator(4) }); // [3, 1, 4, 4]
      const lp = flow.logProb(y);
      expect(lp.shape).toEqual([3]);
      for (const v of lp.storage) expect(Number.isFinite(v)).toBe(true);
      // data → noise → data
      const { x: z, logAbsDet: inv } = flow.transform.inverse(y);
      expect(z.shape).toEqual([3, 16]);
      const { y: back, logAbsDet: fwd } = flow.transform.forward(z);
      expectClose(back, y, { atol: 1e-9 });
      expectClose(inv.add(fwd), inv.mul(0), { atol: 1e-6 }); // log-dets of tens of nats cancel to ~1e-8 (the 1×1 conv's slogdet)
      // samples come out as images and are scored consistently
      const { samples, logProb } = flow.sampleAndLogProb([5], { generator: new Generator(5) });
      expect(samples.shape).toEqual([5, 1, 4, 4]);
      expectClose(logProb, flow.logProb(samples), { atol: 1e-8 });
    });
  }
  it('untrained (identity couplings, ActNorm not yet initialised): the logit-space standard normal, over 8 bits/dim', () => {
    const flow = imageRealNVPFlow([1, 4, 4], { depth: 1, hidden: 4, generator: new Generator(6) });
    const x = randint(0, 256, [40, 1, 4, 4], { generator: new Generator(7) });
    expect(evaluateBitsPerDim(flow, x, { generator: new Generator(8) })).toBeGreaterThan(8);
  });
  it('plugs into evaluateBitsPerDim with [N, C, H, W] or flattened [N, C·H·W] integer images', () => {
    const flow = imageRealNVPFlow([1, 4, 4], { depth: 2, hidden: 4, steps: 'glow', generator: new Generator(9) });
    randomizeParameters(flow, 10, 0.1);
    const x = randint(0, 256, [7, 1, 4, 4], { generator: new Generator(11) });
    const got = evaluateBitsPerDim(flow, x, { batchSize: 3, generator: new Generator(12) });
    // same draws in the same batch order: [0..3), [3..6), [6..7)
    const g = new Generator(12);
    const ys = [x.narrow(0, 0, 3), x.narrow(0, 3, 3), x.narrow(0, 6, 1)].map((b) => uniformDequantize(b, { generator: g }));
    const want = noGrad(() => ys.reduce((s, y) => s + bitsPerDim(flow.logProb(y), 16).sum().item(), 0) / 7);
    expect(got).toBeCloseTo(want, 4);
    expect(evaluateBitsPerDim(flow, x.reshape([7, 16]), { batchSize: 3, generator: new Generator(12) })).toBeCloseTo(got, 6);
    expect(() => evaluateBitsPerDim(flow, randint(0, 256, [2, 15]))).toThrow(ShapeError);
  });
  it('bad arguments name themselves', () => {
    expect(() => imageRealNVPFlow([28, 28])).toThrow(ArgumentError);
    expect(() => imageRealNVPFlow([1, 6, 6])).toThrow(/divisible by 2\^levels = 4/);
    expect(() => imageRealNVPFlow([1, 4, 4], { depth: 0 })).toThrow(/depth must be a positive integer/);
    expect(() => imageRealNVPFlow([1, 4, 4], { steps: 'maf' as never })).toThrow(/steps must be 'realnvp' or 'glow'/);
  });
});
