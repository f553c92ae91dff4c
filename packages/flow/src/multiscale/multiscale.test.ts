import { ArgumentError, Generator, ShapeError, randn } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { checkBijectorInvariants, randomizeParameters } from '../invariants.test-util.js';
import { Flow, standardNormal } from '../flow.js';
import { LogitPreprocess } from '../elementwise.js';
import { glowSteps, realNVPSteps } from './glowSteps.js';
import { MultiScaleFlow } from './multiScale.js';
import { Squeeze, squeeze2x2, unsqueeze2x2 } from './squeeze.js';

const f64 = { dtype: 'float64' as const };

describe('squeeze', () => {
  it('stacks each 2×2 patch into channels in nflows order and inverts exactly', () => {
    const x = randn([2, 1, 4, 4], { generator: new Generator(1), ...f64 });
    const s = squeeze2x2(x);
    expect(s.shape).toEqual([2, 4, 2, 2]);
    // channel 2·i + j of output pixel (a, b) is input pixel (2a + i, 2b + j)
    const xs = x.storage;
    const ss = s.storage;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
      expect(ss[((2 * i + j) * 2 + a) * 2 + b]).toBe(xs[(2 * a + i) * 4 + (2 * b + j)]);
    }
    expect(Array.from(unsqueeze2x2(s).storage)).toEqual(Array.from(xs));
    checkBijectorInvariants(new Squeeze(), s);
    expect(() => squeeze2x2(randn([1, 1, 3, 4]))).toThrow(ShapeError);
  });
});

describe('multi-scale architecture', () => {
  for (const [name, steps] of [['Glow steps', glowSteps], ['RealNVP steps', realNVPSteps]] as const) {
    it(`${name}: 2 levels on [1, 4, 4] satisfy the shared invariants (noise [16] ↔ image)`, () => {
      const m = new MultiScaleFlow([1, 4, 4], { levels: 2, steps: (shape) => steps(shape, { depth: 2, hidden: 4, dtype: 'float64', generator: new Generator(2) }) });
      randomizeParameters(m, 3, 0.2);
      m.eval();
      const z = randn([2, 16], { generator: new Generator(4), ...f64 });
      checkBijectorInvariants(m, z, { atol: 1e-7 });
      expect(m.forward(z).y.shape).toEqual([2, 1, 4, 4]);
      expect(m.levelShapes).toEqual([[4, 2, 2], [8, 1, 1]]);
    });
  }
  it('factors out half of the channels at each level but the last', () => {
    // identity steps: the latent is the squeezed image, first half of level 1, then the squeezed rest
    const m = new MultiScaleFlow([1, 4, 4], { levels: 2, steps: () => [] });
    const x = randn([1, 1, 4, 4], { generator: new Generator(5), ...f64 });
    const s1 = squeeze2x2(x);
    const expected = [...Array.from(s1.narrow(1, 0, 2).storage), ...Array.from(squeeze2x2(s1.narrow(1, 2, 2)).storage)];
    expectClose(m.inverse(x).x, [expected], { atol: 0 });
  });
  it('inside a Flow: base N(0, I) over C·H·W, event shape [C, H, W], samples scored consistently', () => {
    const m = new MultiScaleFlow([1, 4, 4], { levels: 2, steps: (shape) => glowSteps(shape, { depth: 1, hidden: 4, dtype: 'float64', generator: new Generator(6) }) });
    randomizeParameters(m, 7, 0.2);
    const flow = new Flow(standardNormal([16], 'float64'), [m, new LogitPreprocess({ eventDim: 3 })]);
    flow.eval();
    expect(flow.eventShape).toEqual([1, 4, 4]);
    const { samples, logProb } = flow.sampleAndLogProb([3], { generator: new Generator(8) });
    expect(samples.shape).toEqual([3, 1, 4, 4]);
    expectClose(logProb, flow.logProb(samples), { atol: 1e-8 });
  });
  it('bad shapes', () => {
    expect(() => new MultiScaleFlow([1, 6, 6], { levels: 2, steps: () => [] })).toThrow(/divisible by 2\^levels = 4/);
    expect(() => new MultiScaleFlow([4, 4], { levels: 1, steps: () => [] })).toThrow(ArgumentError);
    expect(() => new MultiScaleFlow([1, 4, 4], { levels: 1, steps: () => [] }).forward(randn([2, 15]))).toThrow(ShapeError);
  });
});
