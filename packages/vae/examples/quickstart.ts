// Train a small VAE on binarised 14×14 MNIST digits, then estimate log p(x) and sample. Run:
//   npx tsx --conditions=source packages/vae/examples/quickstart.ts
import { Generator, avgPool2d } from '@likelihood/core';
import { loadMnist } from '@likelihood/datasets';
import { MLPDecoder, MLPEncoder, MixturePrior, VAE, bernoulliLikelihood, fitVae } from '@likelihood/vae';

const small = (x: import('@likelihood/core').Tensor) => avgPool2d(x, 2).gt(0.5).to('float32'); // (N, 1, 14, 14) in {0, 1}
const train = small(loadMnist({ split: 'train', limit: 2000 }).images);
const test = small(loadMnist({ split: 'test', limit: 200 }).images);

const gen = new Generator(0);
const shape = [1, 14, 14];
const vae = new VAE(
  new MLPEncoder(shape, 8, { hidden: [128], generator: gen }), // q(z | x): diagonal Normal
  new MLPDecoder(8, shape, bernoulliLikelihood(), { hidden: [128], generator: gen }), // p(x | z): Bernoulli pixels
  new MixturePrior(8, 10, { generator: gen }), // p(z): learned mixture of 10 Gaussians (Monte-Carlo KL)
);

fitVae(vae, train, {
  epochs: 5, batchSize: 50, lr: 3e-3, warmupSteps: 50, generator: gen,
  onStep: (s) => s.step % 50 === 0 && console.log(`step ${s.step}/${s.totalSteps}: train ELBO ${s.bound.toFixed(1)} nats (KL weight ${s.klWeight.toFixed(2)})`),
});

const { elbo, reconstruction, kl } = vae.elbo(test, { generator: new Generator(1) });
console.log(`test ELBO ${elbo.mean().item().toFixed(2)} nats = reconstruction ${reconstruction.mean().item().toFixed(2)} − KL ${kl.mean().item().toFixed(2)}`);
console.log(`test IWAE bound, k = 50: ${vae.iwae(test, 50, { generator: new Generator(2) }).mean().item().toFixed(2)} nats`);
const ll = vae.logLikelihood(test, { samples: 500, generator: new Generator(3) });
console.log(`test log p(x) ≈ ${ll.meanNats.toFixed(2)} nats = ${ll.meanBitsPerDim.toFixed(4)} bits/dim (importance sampling, k = 500)`);

const samples = vae.sample(2, { generator: new Generator(4) }); // (2, 1, 14, 14) Bernoulli means in [0, 1]
const line = (img: number[][]) => img.map((row) => row.map((p) => (p > 0.5 ? '#' : p > 0.2 ? '+' : '.')).join('')).join('\n');
console.log(`a sample from the prior:\n${line((samples.toArray() as number[][][][])[0]![0]!)}`);
const path = vae.interpolate(test.narrow(0, 0, 1), test.narrow(0, 1, 1), 5); // (5, 1, 14, 14)
console.log(`interpolation between two test digits: ${path.shape.join('×')}`);
