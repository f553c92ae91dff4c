import { Generator, type Tensor, rand, randn, tensor } from '@likelihood/core';
import { Adam } from '@likelihood/nn';
import { describe, expect, it } from 'vitest';
import { EBMTrainer, EnergyMLP, ReplayBuffer } from './deepEbm.js';
import { exactNll2d } from './grid2d.js';

describe('replay buffer', () => {
  it('returns fresh noise while empty, stored samples afterwards (except a reinitProb fraction), and wraps around', () => {
    const init = (n: number, g?: Generator) => rand([n, 2], { generator: g }).add(100); // fresh rows are ≥ 100
    const buf = new ReplayBuffer(3, { init, reinitProb: 0.25 });
    const first = buf.sample(4, new Generator(1));
    expect(Math.min(...(first.storage as Float32Array))).toBeGreaterThanOrEqual(100);
    buf.push(tensor([[0, 0], [1, 1], [2, 2], [3, 3]])); // capacity 3: [3, 3] overwrites [0, 0]
    expect(buf.size).toBe(3);
    const s = buf.sample(4000, new Generator(2)).toArray() as number[][];
    const fresh = s.filter((r) => r[0]! >= 100).length;
    expect(Math.abs(fresh / 4000 - 0.25)).toBeLessThan(0.03); // binomial sd 0.007
    const stored = new Set(s.filter((r) => r[0]! < 100).map((r) => r[0]));
    expect([...stored].sort()).toEqual([1, 2, 3]);
    expect(() => new ReplayBuffer(3, { init, reinitProb: 2 })).toThrow(/reinitProb must be in \[0, 1\], found 2/);
  });
});

describe('deep EBM trained by contrastive divergence with SGLD', () => {
  it('lowers the exact (grid-integrated) NLL of held-out data from a two-blob mixture', () => {
    const gen = new Generator(0);
    // Data: equal mixture of N((±1.5, 0), 0.5² I).
    const blobs = (n: number, g: Generator): Tensor => {
      const sign = rand([n, 1], { generator: g }).lt(0.5).to('float32').mul(3).sub(1.5);
      return randn([n, 2], { generator: g }).mul(0.5).add(sign.mul(tensor([[1, 0]])));
    };
    const test = blobs(1000, new Generator(99));
    const box = { low: [-4, -4] as [number, number], high: [4, 4] as [number, number], size: 80, dtype: 'float32' as const };
    const model = new EnergyMLP(2, [32, 32], { generator: gen });
    const before = exactNll2d((x) => model.forward(x), test, box).nll;
    const optimizer = new Adam(model.parameters(), { lr: 5e-3, betas: [0, 0.999] });
    const buffer = new ReplayBuffer(2000, { init: (n, g) => rand([n, 2], { generator: g }).mul(8).sub(4) });
    const trainer = new EBMTrainer(model, optimizer, buffer, { langevinSteps: 8, stepSize: 0.05, noiseScale: Math.sqrt(0.1), alpha: 0.01, clamp: [-4, 4], generator: gen });
    for (let it = 0; it < 50; it++) trainer.step(blobs(64, gen));
    const after = exactNll2d((x) => model.forward(x), test, box).nll;
    // −E[log p] under the true mixture ≈ 2.14 nats; a uniform density on the box is log 64 = 4.16.
    // This short run (50 updates) reaches about 2.75.
    expect(before).toBeGreaterThan(3.9);
    expect(after).toBeLessThan(3);
  });
});
