import { resolve } from 'node:path';
import type { ToyFlowKind } from '@likelihood/flow';
import { Command, InvalidArgumentError, Option } from 'commander';
import { flowDemo } from './demo.js';
import { MNIST_CONV_DEFAULTS, MNIST_DEFAULTS, MNIST_MODELS, type MnistFlowKind, trainMnist } from './mnist.js';
import { TOY_DEFAULTS, trainToy } from './toy.js';
import { int as integer, intList, positiveInt as int, positiveNum as num } from '../cli/parse.js';

const ints = (name: string) => intList(name, int);

const TOYS = ['moons', '8gaussians', 'checkerboard', 'circles', 'rings', 'pinwheel', 'swissroll'];
const outDir = resolve(import.meta.dirname, '../../out');

/** `samples flow train <data> | demo`. */
export function flowCommand(): Command {
  const flow = new Command('flow').description('normalizing flows with exact likelihood: 2-D toy densities and MNIST');
  flow
    .command('train')
    .description('train a flow on a 2-D toy density (PNGs of the data, the learned density and samples) or on dequantised MNIST (MAF, or multi-scale RealNVP/Glow; sample grid)')
    .argument('<data>', `${TOYS.join(', ')} or mnist`)
    .addOption(
      new Option('--model <kind>', `toy flows: realnvp, spline or maf (default ${TOY_DEFAULTS.model}); MNIST: maf (default), realnvp or glow (multi-scale conv flows)`).choices(['realnvp', 'spline', 'maf', 'glow']),
    )
    .option('--steps <n>', `optimizer steps (toy default 1000, MNIST MAF ${MNIST_DEFAULTS.steps}, RealNVP/Glow ${MNIST_CONV_DEFAULTS.steps})`, int('--steps'))
    .option('--batch-size <n>', `examples per step (toy default 256, MNIST MAF ${MNIST_DEFAULTS.batchSize}, RealNVP/Glow ${MNIST_CONV_DEFAULTS.batchSize})`, int('--batch-size'))
    .option('--lr <x>', 'peak learning rate (cosine decay)', num('--lr'))
    .option('--layers <n>', 'coupling / MAF layers; MNIST RealNVP/Glow: steps per level', int('--layers'))
    .option('--hidden <sizes>', 'toy: conditioner hidden sizes, e.g. 64,64; MNIST: MADE width, or conv channels for RealNVP/Glow', ints('--hidden'))
    .option('--seed <n>', 'random seed', integer('--seed'), 0)
    .option('--out-dir <dir>', 'PNGs (and the MNIST checkpoint)', outDir)
    .option('--checkpoint <path>', 'MNIST checkpoint file', resolve(outDir, 'flow-mnist.safetensors'))
    .option('--checkpoint-interval <n>', 'MNIST: save every n steps', int('--checkpoint-interval'), MNIST_DEFAULTS.checkpointInterval)
    .option('--eval-interval <n>', `MNIST: held-out bits/dim every n steps (MAF default ${MNIST_DEFAULTS.evalInterval}, RealNVP/Glow ${MNIST_CONV_DEFAULTS.evalInterval})`, int('--eval-interval'))
    .option('--eval-limit <n>', 'MNIST: test images used by the evaluations during training (default: --test-limit); the final one uses all --test-limit', int('--eval-limit'))
    .option('--train-limit <n>', 'MNIST: training images used', int('--train-limit'), MNIST_DEFAULTS.trainLimit)
    .option('--test-limit <n>', 'MNIST: test images evaluated', int('--test-limit'), MNIST_DEFAULTS.testLimit)
    .option('--samples <n>', 'MNIST: images in the sample grid', int('--samples'), MNIST_DEFAULTS.samples)
    .option('--resume', 'MNIST: continue from --checkpoint if it exists')
    .option('--no-progress', 'no progress bar')
    .action((data: string, o: Record<string, never> & { model?: string; seed: number; outDir: string; progress: boolean }) => {
      const opt = o as Record<string, unknown>;
      if (data === 'mnist') {
        const model = (o.model ?? 'maf') as MnistFlowKind;
        if (!MNIST_MODELS.includes(model)) throw new InvalidArgumentError(`--model for mnist must be one of ${MNIST_MODELS.join(', ')}, found '${model}'`);
        const d = model === 'maf' ? MNIST_DEFAULTS : { ...MNIST_DEFAULTS, ...MNIST_CONV_DEFAULTS };
        const hidden = opt.hidden as number[] | undefined;
        if (hidden && hidden.length !== 1) throw new InvalidArgumentError(`--hidden for mnist is one width (MADE units or conv channels), found ${hidden.join(',')}`);
        const r = trainMnist({
          ...d,
          model,
          steps: (opt.steps as number) ?? d.steps,
          batchSize: (opt.batchSize as number) ?? d.batchSize,
          lr: (opt.lr as number) ?? d.lr,
          layers: (opt.layers as number) ?? d.layers,
          hidden: hidden?.[0] ?? d.hidden,
          seed: o.seed,
          out: opt.checkpoint as string,
          checkpointInterval: opt.checkpointInterval as number,
          evalInterval: (opt.evalInterval as number) ?? d.evalInterval,
          evalLimit: opt.evalLimit as number | undefined,
          trainLimit: opt.trainLimit as number,
          testLimit: opt.testLimit as number,
          samples: opt.samples as number,
          resume: !!opt.resume,
          outDir: o.outDir,
          progress: o.progress,
        });
        console.log(`flow mnist: test ${r.testBitsPerDim.toFixed(3)} bits/dim on ${r.testCount} images after ${r.steps} steps (${r.seconds.toFixed(0)} s); samples ${r.images[0]!.path}`);
        return;
      }
      if (!TOYS.includes(data)) throw new InvalidArgumentError(`data must be one of ${TOYS.join(', ')} or mnist, found '${data}'`);
      const model = (o.model ?? TOY_DEFAULTS.model) as ToyFlowKind;
      if (model === ('glow' as string)) throw new InvalidArgumentError(`--model glow is for mnist only; toy flows are realnvp, spline or maf`);
      const r = trainToy({
        ...TOY_DEFAULTS,
        density: data,
        model,
        steps: (opt.steps as number) ?? TOY_DEFAULTS.steps,
        batchSize: (opt.batchSize as number) ?? TOY_DEFAULTS.batchSize,
        lr: (opt.lr as number) ?? TOY_DEFAULTS.lr,
        layers: opt.layers as number | undefined,
        hidden: (opt.hidden as number[] | undefined) ?? TOY_DEFAULTS.hidden,
        seed: o.seed,
        outDir: o.outDir,
        progress: o.progress,
      });
      const { testNll, testNllStderr, gap, gapStderr } = r.result;
      const ref = r.entropy ? `; true entropy ${r.entropy.entropy.toFixed(3)} ± ${r.entropy.stderr.toFixed(3)}, gap ${gap!.toFixed(3)} ± ${gapStderr!.toFixed(3)}` : ' (no known true density)';
      console.log(`flow ${model} on ${data}: held-out NLL ${testNll.toFixed(3)} ± ${testNllStderr.toFixed(3)} nats${ref}`);
      for (const im of r.images) console.log(`  ${im.caption}: ${im.path}`);
    });
  flow
    .command('demo', { isDefault: true })
    .description('the default run: a spline flow on 8 gaussians for about --seconds, with PNGs and the held-out NLL against the true entropy')
    .option('--seconds <s>', 'training time budget', num('--seconds'), 75)
    .option('--out-dir <dir>', 'directory for the PNGs', outDir)
    .action((o: { seconds: number; outDir: string }) => void flowDemo(o));
  return flow;
}
