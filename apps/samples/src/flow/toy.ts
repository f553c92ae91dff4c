/**
 * `flow train <toy density>`: fit a 2-D flow by maximum likelihood, then draw what it learned —
 * the data, a heatmap of exp(log p) on a grid, and samples — and report the held-out NLL beside
 * the true density's entropy.
 */
import { join } from 'node:path';
import { Generator } from '@likelihood/core';
import { type ToyFlowKind, type TrainToyResult, densityGrid, toyEntropy, trainToyFlow } from '@likelihood/flow';
import { trainingProgress } from '../cli/progress.js';
import { heatmapPng, scatterPng, writePng } from '../images/png.js';
import type { LossPoint, ReportImage } from '../report/types.js';

export interface ToyTrainOptions {
  density: string;
  model: ToyFlowKind;
  steps: number;
  batchSize: number;
  lr: number;
  /** Coupling / autoregressive layers (default: the model's own, 8 RealNVP, 4 spline, 5 MAF). */
  layers?: number;
  hidden: number[];
  seed: number;
  testSize: number;
  outDir: string;
  /** Show a progress bar (default true). */
  progress?: boolean;
  /** Monte-Carlo samples for the true entropy (default 100 000; moons costs ~70 µs per sample). */
  entropySamples?: number;
  /** Held-out evaluations during training, each over all `testSize` points (default 5). */
  evals?: number;
}

export const TOY_DEFAULTS = { density: '8gaussians', model: 'spline' as ToyFlowKind, steps: 1000, batchSize: 256, lr: 3e-3, hidden: [64, 64], seed: 0, testSize: 20_000 };

/** The square window drawn for every toy density: all of them live inside [−4.5, 4.5]². */
export const TOY_WINDOW: readonly [number, number] = [-4.5, 4.5];

export interface ToyTrainReport {
  result: TrainToyResult;
  entropy: { entropy: number; stderr: number; samples: number } | null;
  curve: LossPoint[];
  images: ReportImage[];
  seconds: number;
}

export function trainToy(o: ToyTrainOptions): ToyTrainReport {
  const t0 = performance.now();
  const progress = o.progress === false ? null : trainingProgress(`flow ${o.model} on ${o.density}`, o.steps, ['NLL {loss} nats']);
  progress?.start(0);
  const curve: LossPoint[] = [];
  const every = Math.max(1, Math.floor(o.steps / 100));
  const result = trainToyFlow(o.density, {
    kind: o.model,
    steps: o.steps,
    batchSize: o.batchSize,
    lr: o.lr,
    schedule: 'cosine',
    warmupSteps: Math.min(50, Math.floor(o.steps / 10)),
    layers: o.layers,
    hidden: o.hidden,
    tailBound: 4,
    seed: o.seed,
    testSize: o.testSize,
    logEvery: every,
    onLog: (step, loss) => {
      curve.push({ step, loss });
      progress?.update(step, { loss: loss.toFixed(3) });
    },
    evalEvery: Math.max(1, Math.floor(o.steps / (o.evals ?? 5))),
    onEval: (step, val) => {
      const p = curve.find((c) => c.step === step);
      if (p) p.val = val;
      else curve.push({ step, loss: Number.NaN, val });
    },
  });
  progress?.stop();
  const entropy = result.trueEntropy === null ? null : toyEntropy(o.density, { samples: o.entropySamples ?? 100_000 });
  const images = drawToy(o, result);
  return { result, entropy, curve, images, seconds: (performance.now() - t0) / 1000 };
}

/** Data, learned density (exp log p, viridis) and model samples, as three PNGs of the same window. */
function drawToy(o: ToyTrainOptions, r: TrainToyResult): ReportImage[] {
  const [lo, hi] = TOY_WINDOW;
  const n = 120;
  const data = r.testData.narrow(0, 0, Math.min(3000, r.testData.shape[0]!)).storage;
  const samples = r.flow.sample([3000], new Generator(o.seed + 99)).storage;
  const grid = densityGrid(r.flow, { min: lo, max: hi, n });
  const density = Float64Array.from(grid.logProb, Math.exp);
  const base = `flow-${o.density}-${o.model}`;
  const blue = [31, 119, 180] as const;
  const orange = [214, 39, 40] as const;
  return [
    { caption: `${o.density}: 3000 held-out data points`, path: writePng(join(o.outDir, `${base}-data.png`), scatterPng([{ points: data, color: blue }], { range: TOY_WINDOW })) },
    { caption: `${o.model} flow: learned density exp(log p) on [${lo}, ${hi}]²`, path: writePng(join(o.outDir, `${base}-density.png`), heatmapPng(density, { rows: n, cols: n, scale: 3 })) },
    { caption: `${o.model} flow: 3000 samples`, path: writePng(join(o.outDir, `${base}-samples.png`), scatterPng([{ points: samples, color: orange }], { range: TOY_WINDOW })) },
  ];
}
