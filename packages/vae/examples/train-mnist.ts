// Train a VAE on dynamically binarised MNIST and report its test ELBO and importance-sampled
// log-likelihood in nats and bits/dim. Every number in docs/vae.md comes from this script.
//   npx tsx --conditions=source packages/vae/examples/train-mnist.ts --epochs 1 --train-limit 10000
// Options (defaults in brackets): --epochs [1] --train-limit [60000] --batch [100] --lr [1e-3]
//   --hidden [200,200] --latent [50] --objective [elbo|iwae] --k [5] --test-limit [10000]
//   --eval-limit [500] --eval-k [1000] --seed [0] --checkpoint [none] --json [none]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Generator, bernoulli, noGrad } from '@likelihood/core';
import { loadMnist } from '@likelihood/datasets';
import { saveCheckpoint } from '@likelihood/nn/node';
import { fitVae, mnistVae } from '../src/index.js';

const { values: a } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    'train-limit': { type: 'string', default: '60000' },
    batch: { type: 'string', default: '100' },
    lr: { type: 'string', default: '1e-3' },
    hidden: { type: 'string', default: '200,200' },
    latent: { type: 'string', default: '50' },
    objective: { type: 'string', default: 'elbo' },
    k: { type: 'string', default: '5' },
    'test-limit': { type: 'string', default: '10000' },
    'eval-limit': { type: 'string', default: '500' },
    'eval-k': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    checkpoint: { type: 'string' },
    json: { type: 'string' },
  },
});
const num = (k: keyof typeof a) => Number(a[k]);
const hidden = String(a.hidden).split(',').map(Number);
const objective = a.objective === 'iwae' ? 'iwae' : 'elbo';
const seconds = (t: number) => (performance.now() - t) / 1000;

const train = loadMnist({ split: 'train', limit: num('train-limit') }).images; // (N, 1, 28, 28) in [0, 1]
const testGrey = loadMnist({ split: 'test', limit: num('test-limit') }).images;
// Test digits are binarised once with a fixed seed, so every evaluation scores the same data.
const test = noGrad(() => bernoulli(testGrey, { generator: new Generator(1234) }));

const gen = new Generator(num('seed'));
const vae = mnistVae({ hidden, latentDim: num('latent'), generator: gen });
console.log(`model 784-${hidden.join('-')}-${num('latent')} (tanh), ${vae.numParameters()} parameters; ${objective}${objective === 'iwae' ? ` k=${num('k')}` : ''}; ${train.shape[0]} training digits, dynamic binarisation`);

const t0 = performance.now();
let window = 0;
fitVae(vae, train, {
  epochs: num('epochs'), batchSize: num('batch'), lr: num('lr'), objective, samples: objective === 'iwae' ? num('k') : 1,
  binarize: 'dynamic', generator: gen,
  onStep: (s) => {
    window += s.bound;
    if (s.step % 100 === 0 || s.step === s.totalSteps) {
      console.log(`step ${s.step}/${s.totalSteps} epoch ${s.epoch + 1}: mean train bound over the last steps ${(window / (s.step % 100 || 100)).toFixed(2)} nats, ${seconds(t0).toFixed(0)} s`);
      window = 0;
    }
  },
});
const trainSeconds = seconds(t0);

const t1 = performance.now();
const elbo = noGrad(() => vae.elbo(test, { generator: new Generator(5) }).elbo.mean().item());
const elboSeconds = seconds(t1);
const sub = test.narrow(0, 0, Math.min(num('eval-limit'), test.shape[0]!));
const t2 = performance.now();
const ll = vae.logLikelihood(sub, { samples: num('eval-k'), generator: new Generator(6) });
const llSeconds = seconds(t2);
const elboSub = noGrad(() => vae.elbo(sub, { generator: new Generator(5) }).elbo.mean().item());

const report = {
  model: `784-${hidden.join('-')}-${num('latent')}`, objective, k: objective === 'iwae' ? num('k') : 1, epochs: num('epochs'), trainDigits: train.shape[0],
  trainSeconds: Math.round(trainSeconds),
  testElbo: { digits: test.shape[0], nats: elbo, seconds: Math.round(elboSeconds) },
  testLogLikelihood: { digits: sub.shape[0], samples: num('eval-k'), nats: ll.meanNats, bitsPerDim: ll.meanBitsPerDim, elboOnSameDigits: elboSub, seconds: Math.round(llSeconds) },
};
console.log(JSON.stringify(report, null, 2));
if (a.json) writeFileSync(String(a.json), `${JSON.stringify(report, null, 2)}\n`);
if (a.checkpoint) saveCheckpoint(String(a.checkpoint), { model: vae, step: num('epochs'), config: { hidden, latent: num('latent'), objective } });
