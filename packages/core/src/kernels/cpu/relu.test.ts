// The fused ReLU loop against torch's semantics and against the composite that trace records.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, autogradGrad, interpret, randn, relu, tensor, trace } from '../../index.js';

describe('fused relu', () => {
  it('keeps positives and NaN, zeroes the rest (torch.relu), in every dtype', () => {
    const y = relu(tensor([-2, -0, 0, 1e-30, 3, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY], { dtype: 'float64' }));
    expect(Array.from(y.storage)).toEqual([0, 0, 0, 1e-30, 3, Number.NaN, 0, Number.POSITIVE_INFINITY]);
    expect(Object.is(y.storage[1], 0)).toBe(true); // −0 → +0, as torch
    expect(y.dtype).toBe('float64');
    expect(Array.from(relu(tensor([-3, 0, 4], { dtype: 'int32' })).storage)).toEqual([0, 0, 4]);
    const f32 = relu(tensor([[-1.5, 2.5]], { dtype: 'float32' }));
    expect(f32.dtype).toBe('float32');
    expect(f32.shape).toEqual([1, 2]);
  });

  it('gradient is g where x > 0 and 0 elsewhere (0 at 0, as torch); createGraph gives the same first derivative', () => {
    const x = tensor([-1, 0, 2, -0.5, 7], { dtype: 'float32', requiresGrad: true });
    const g = tensor([10, 20, 30, 40, 50], { dtype: 'float32' });
    const [dx] = autogradGrad([relu(x)], [x], { gradOutputs: [g] });
    expect(Array.from(dx!.storage)).toEqual([0, 0, 30, 0, 50]);
    const [dx2] = autogradGrad([relu(x)], [x], { gradOutputs: [g], createGraph: true });
    expect(Array.from(dx2!.storage)).toEqual([0, 0, 30, 0, 50]);
  });

  it('equals the traced composite (what trace records and interprets) on random shapes, values and gradients', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const x0 = randn([n], { generator: new Generator(seed) });
        const eager = (x: ReturnType<typeof randn>) => {
          const xg = x.detach();
          xg.requiresGrad = true;
          const y = relu(xg);
          const [dx] = autogradGrad([y.mul(y).sum()], [xg]);
          return [y, dx!];
        };
        const [y, dx] = eager(x0);
        const { graph } = trace((x) => eager(x), [x0]);
        const [yt, dxt] = interpret(graph, [x0]) as ReturnType<typeof randn>[];
        expect(Array.from(yt!.storage)).toEqual(Array.from(y!.storage));
        expect(Array.from(dxt!.storage)).toEqual(Array.from(dx!.storage));
      }),
      { numRuns: 30, seed: 7 },
    );
  });
});
