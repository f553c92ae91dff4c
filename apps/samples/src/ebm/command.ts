import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { DEEP2D_DEFAULTS, type Deep2dOptions, trainDeep2d } from './deep2d.js';
import { ebmDemo } from './demo.js';
import { RBM_DEFAULTS, type RbmTrainOptions, trainRbmMnist } from './rbm.js';
import { int, num } from '../cli/parse.js';

const OUT = resolve(import.meta.dirname, '../../out');

/** `samples ebm train rbm | train deep | demo`. */
export function ebmCommand(): Command {
  const ebm = new Command('ebm').description('energy-based models: an RBM on binarised MNIST (AIS), a deep EBM on 2-D toys (exact NLL by grid)');
  const train = ebm.command('train').description('train an RBM on MNIST or a deep EBM on a 2-D toy, writing PNGs');
  const r = RBM_DEFAULTS;
  train
    .command('rbm')
    .description('Bernoulli RBM on binarised MNIST: PNG grids of filters and Gibbs samples, test log-likelihood by AIS')
    .option('--hidden <n>', 'hidden units', int('--hidden'), r.hidden)
    .option('--epochs <n>', 'passes over the training set', int('--epochs'), r.epochs)
    .addOption(new Option('--method <m>', 'pcd or cd').choices(['pcd', 'cd']).default(r.method))
    .option('--k <n>', 'Gibbs sweeps per update', int('--k'), r.k)
    .option('--lr <x>', 'initial learning rate (linear decay to 1 %)', num('--lr'), r.lr)
    .option('--momentum <x>', 'momentum after the first 2 epochs (0.5 before)', num('--momentum'), r.momentum)
    .option('--weight-decay <x>', 'L2 weight decay on W', num('--weight-decay'), r.weightDecay)
    .option('--batch-size <n>', 'images per update', int('--batch-size'), r.batchSize)
    .option('--train-limit <n>', 'use the first n training images', int('--train-limit'))
    .option('--test-limit <n>', 'use the first n test images', int('--test-limit'))
    .option('--gibbs-steps <n>', 'Gibbs sweeps for the sample grid', int('--gibbs-steps'), r.gibbsSteps)
    .option('--ais-runs <n>', 'AIS runs (0 = skip)', int('--ais-runs'), r.aisRuns)
    .option('--ais-scale <x>', 'AIS temperatures = 14,500 × scale', num('--ais-scale'), r.aisScale)
    .option('--seed <n>', 'random seed', int('--seed'), r.seed)
    .option('--out-dir <dir>', 'directory for the PNGs', OUT)
    .option('--no-progress', 'no progress bar')
    .action((o: RbmTrainOptions) => void trainRbmMnist(o));
  const d = DEEP2D_DEFAULTS;
  train
    .command('deep')
    .description('MLP energy on a 2-D toy (NCE or SGLD contrastive divergence): exact NLL by grid, density heatmap, MALA samples')
    .addOption(new Option('--density <name>', 'toy density').choices(['8gaussians', 'circles', 'rings', 'checkerboard', 'moons', 'pinwheel', 'swissroll']).default(d.density))
    .addOption(new Option('--method <m>', 'nce or cd (SGLD + replay buffer)').choices(['nce', 'cd']).default(d.method))
    .option('--steps <n>', 'optimizer steps', int('--steps'), d.steps)
    .option('--batch-size <n>', 'data points per step', int('--batch-size'), d.batchSize)
    .option('--width <n>', 'hidden width of the 2-hidden-layer MLP', int('--width'), d.width)
    .option('--lr <x>', 'Adam learning rate (cosine decay)', num('--lr'), d.lr)
    .option('--num-noise <n>', 'NCE: noise points per data point', int('--num-noise'), d.numNoise)
    .option('--centers <n>', 'NCE: training points in the KDE noise (circles needs 256)', int('--centers'), d.centers)
    .option('--bandwidth <x>', 'NCE: KDE noise bandwidth', num('--bandwidth'), d.bandwidth)
    .option('--uniform-weight <x>', 'NCE: weight of the uniform part of the noise on the box', num('--uniform-weight'), d.uniformWeight)
    .option('--langevin-steps <n>', 'CD: SGLD steps per update', int('--langevin-steps'), d.langevinSteps)
    .option('--grid-size <n>', 'grid cells per axis for the exact NLL', int('--grid-size'), d.gridSize)
    .option('--seed <n>', 'random seed', int('--seed'), d.seed)
    .option('--out-dir <dir>', 'directory for the PNGs', OUT)
    .option('--no-progress', 'no progress bar')
    .action((o: Deep2dOptions) => void trainDeep2d(o));
  ebm
    .command('demo', { isDefault: true })
    .description('the default run: a deep EBM on 8 Gaussians (exact NLL) and a small RBM on MNIST (AIS) in about --seconds')
    .option('--seconds <s>', 'time budget', num('--seconds'), 90)
    .option('--out-dir <dir>', 'directory for the PNGs', OUT)
    .action((o: { seconds: number; outDir: string }) => void ebmDemo(o));
  return ebm;
}
