import { Generator, type Tensor, rand, randn, tensor } from '@likelihood/core';
import { maxAbsDiff } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { BernoulliRBM } from './bernoulliRbm.js';
import { GaussianBernoulliRBM } from './gaussianBernoulliRbm.js';
import { RBMTrainer, trainRBM } from './train.js';

/** Noisy copies of 4 binary prototypes of 16 pixels (5% of bits flipped): a small dataset CI always has. */
export function prototypeData(n: number, gen: Generator): Tensor {
  const protos = [
    [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1],
    [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0],
    [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1],
  ];
  const rows = Array.from({ length: n }, () => {
    const p = protos[Math.floor(gen.random() * 4)]!;
    return p.map((b) => (gen.random() < 0.05 ? 1 - b : b));
  });
  return tensor(rows, { dtype: 'float64' });
}

describe('RBM training', () => {
  const gen = new Generator(0);
  const train = prototypeData(400, gen);
  const test = prototypeData(200, gen);
  // The data's own entropy: log 4 + 16·H(0.05) ≈ 4.56 nats, so the best test log-likelihood is about −4.6.

  for (const [method, k] of [['pcd', 1], ['cd', 1], ['cd', 5]] as const) {
    it(`${method.toUpperCase()}-${k} raises the exact test log-likelihood from −16 log 2 to near the data entropy`, () => {
      const rbm = new BernoulliRBM(16, 8, { generator: new Generator(1) });
      const before = rbm.averageLogLikelihood(test, rbm.exactLogZ());
      expect(before).toBeCloseTo(-16 * Math.LN2, 1);
      trainRBM(rbm, train, { method, k, epochs: 15, lr: 0.1, momentum: 0.5, batchSize: 20, generator: new Generator(2) });
      const after = rbm.averageLogLikelihood(test, rbm.exactLogZ());
      expect(after).toBeGreaterThan(-6.5);
      expect(after).toBeLessThan(-4.2); // cannot beat the data's entropy by much on held-out data
    });
  }

  it('a Gaussian–Bernoulli RBM trained with CD-1 on a two-blob mixture beats the best single Gaussian (exact log Z)', () => {
    // Data: equal mixture of N((±1.5, ±1.5), 0.5² I) along the diagonal; σ = 0.5 fixed.
    const g = new Generator(7);
    const blobs = (n: number) => {
      const sign = rand([n, 1], { generator: g, dtype: 'float64' }).lt(0.5).to('float64').mul(3).sub(1.5);
      return randn([n, 2], { generator: g, dtype: 'float64' }).mul(0.5).add(sign);
    };
    const trainX = blobs(400);
    const testX = blobs(400);
    const rbm = new GaussianBernoulliRBM(2, 6, { sigma: 0.5, generator: new Generator(8) });
    const before = rbm.averageLogLikelihood(testX, rbm.exactLogZ());
    trainRBM(rbm, trainX, { method: 'cd', k: 1, epochs: 15, lr: 0.02, momentum: 0.5, batchSize: 20, generator: new Generator(9) });
    const after = rbm.averageLogLikelihood(testX, rbm.exactLogZ());
    // A single full-covariance Gaussian fitted to this data: −½ log det(2πeΣ) with Σ = [[2.5, 2.25], [2.25, 2.5]] ≈ −3.44 nats.
    // The true mixture (well separated) gives about −log(2πe·0.25) − log 2 ≈ −2.14; this run reaches ≈ −2.36.
    expect(before).toBeLessThan(-8);
    expect(after).toBeGreaterThan(-2.8);
  });

  it('one update is the classic CD rule: ΔW = lr·(⟨v h⟩_data − ⟨v h⟩_model − λW), with momentum on the second step', () => {
    const rbm = new BernoulliRBM(16, 4, { initStd: 0.5, generator: new Generator(3) });
    const ref = rbm.withDType('float64'); // a copy we update by hand
    const [lr, m, decay] = [0.1, 0.9, 0.05];
    const trainer = new RBMTrainer(rbm, { method: 'cd', k: 1, lr, momentum: m, weightDecay: decay, generator: new Generator(4) });
    const replay = new Generator(4); // the same stream the trainer draws its Gibbs samples from
    const batch = train.narrow(0, 0, 10);
    let bufW: Tensor | null = null;
    let bufB: Tensor | null = null;
    let bufC: Tensor | null = null;
    for (let step = 0; step < 2; step++) {
      const neg = ref.gibbs(batch, { k: 1, generator: replay }).v;
      const stat = (v: Tensor) => v.transpose(0, 1).matmul(ref.hiddenLogits(v).sigmoid()).div(v.shape[0]!); // ⟨v hᵀ⟩ with p(h | v)
      const gW = stat(neg).sub(stat(batch)).add(ref.weight.detach().mul(decay)); // gradient of the loss
      const gB = neg.mean(0).sub(batch.mean(0));
      const gC = ref.hiddenLogits(neg).sigmoid().mean(0).sub(ref.hiddenLogits(batch).sigmoid().mean(0));
      bufW = bufW ? bufW.mul(m).add(gW) : gW;
      bufB = bufB ? bufB.mul(m).add(gB) : gB;
      bufC = bufC ? bufC.mul(m).add(gC) : gC;
      ref.weight.assign_(ref.weight.detach().sub(bufW.mul(lr)));
      ref.visibleBias.assign_(ref.visibleBias.detach().sub(bufB.mul(lr)));
      ref.hiddenBias.assign_(ref.hiddenBias.detach().sub(bufC.mul(lr)));
      trainer.step(batch);
      expect(maxAbsDiff(rbm.weight, ref.weight)).toBeLessThan(1e-12);
      expect(maxAbsDiff(rbm.visibleBias, ref.visibleBias)).toBeLessThan(1e-12);
      expect(maxAbsDiff(rbm.hiddenBias, ref.hiddenBias)).toBeLessThan(1e-12);
    }
  });

  it('the closed-form contrastive gradients equal autograd of mean F(v⁺) − mean F(v⁻), for both RBM kinds', () => {
    const gen = new Generator(8);
    const models = [
      { rbm: new BernoulliRBM(16, 5, { initStd: 0.5, generator: gen }), pos: prototypeData(7, gen), neg: prototypeData(4, gen) },
      { rbm: new GaussianBernoulliRBM(6, 4, { initStd: 0.5, sigma: [0.5, 1, 2, 0.7, 1.3, 0.9], generator: gen }), pos: randn([7, 6], { generator: gen, dtype: 'float64' }), neg: randn([4, 6], { generator: gen, dtype: 'float64' }) },
    ];
    for (const { rbm, pos, neg } of models) {
      rbm.visibleBias.assign_(randn([rbm.nVisible], { generator: gen, dtype: 'float64' }).mul(0.3));
      rbm.hiddenBias.assign_(randn([rbm.nHidden], { generator: gen, dtype: 'float64' }).mul(0.3));
      const g = rbm.contrastiveGrads(pos, neg);
      for (const p of [rbm.weight, rbm.visibleBias, rbm.hiddenBias]) p.grad = null;
      const fp = rbm.freeEnergy(pos).mean();
      const fn = rbm.freeEnergy(neg).mean();
      fp.sub(fn).backward();
      expect(maxAbsDiff(g.weight, rbm.weight.grad!)).toBeLessThan(1e-12);
      expect(maxAbsDiff(g.visibleBias, rbm.visibleBias.grad!)).toBeLessThan(1e-12);
      expect(maxAbsDiff(g.hiddenBias, rbm.hiddenBias.grad!)).toBeLessThan(1e-12);
      expect(g.freeEnergyPos).toBeCloseTo(fp.item(), 12);
      expect(g.freeEnergyNeg).toBeCloseTo(fn.item(), 12);
      expect(Number.isNaN(rbm.contrastiveGrads(pos, neg, false).freeEnergyPos)).toBe(true);
    }
  });

  it('PCD keeps its chains between updates; bad arguments are named', () => {
    const rbm = new BernoulliRBM(16, 4, { generator: new Generator(3) });
    const trainer = new RBMTrainer(rbm, { method: 'pcd', numChains: 7, generator: new Generator(4) });
    trainer.step(train.narrow(0, 0, 5));
    const first = trainer.chains!;
    expect(first.shape).toEqual([7, 16]);
    trainer.step(train.narrow(0, 5, 5));
    expect(trainer.chains).not.toBe(first);
    expect(() => trainer.step(tensor([[0, 1]]))).toThrow(/shape \[N, 16\], found \[1, 2\]/);
    expect(() => trainer.step(train.narrow(0, 0, 2).mul(0.5))).toThrow(/binary/);
    expect(() => new RBMTrainer(rbm, { method: 'xx' as 'cd' })).toThrow(/method must be 'cd' or 'pcd'/);
    expect(() => new RBMTrainer(rbm, { lr: -1 })).toThrow(/lr must be a finite number > 0, found -1/);
  });
});
