// `ebm train deep`: an MLP energy on a 2-D toy density, trained by NCE against a Gaussian KDE of
// training points (or by contrastive divergence with SGLD and a replay buffer); its exact NLL by
// grid integration, an energy-landscape heatmap and MALA samples.
import { join } from 'node:path';
import { Generator, type Tensor, noGrad, rand } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { EBMTrainer, EnergyMLP, GaussianKDENoise, NCETrainer, ReplayBuffer, exactNll2d, gridLogZ2d, mala } from '@likelihood/ebm';
import { Adam, CosineAnnealingLR } from '@likelihood/nn';
import { heatmapPng, scatterPng, writePng } from '../images/png.js';
import type { CalibrationFigure, LossPoint } from '../report/types.js';
import { deepEbmCoverage } from './calibration.js';
import { trainingProgress } from '../cli/progress.js';

export interface Deep2dOptions {
  density: string;
  method: 'nce' | 'cd';
  steps: number;
  batchSize: number;
  width: number;
  lr: number;
  /** NCE: noise points per data point, the KDE's centre count (training points) and bandwidth, and the weight of the uniform part on the box. */
  numNoise: number;
  centers: number;
  bandwidth: number;
  uniformWeight: number;
  /** CD: SGLD steps per update. */
  langevinSteps: number;
  /** MALA steps for the sample plot. */
  sampleSteps: number;
  /** Grid cells per axis for the exact NLL. */
  gridSize: number;
  outDir: string;
  seed: number;
  progress: boolean;
  /** Stop after this many seconds (the demo's budget). */
  maxSeconds?: number;
}

export const DEEP2D_DEFAULTS: Omit<Deep2dOptions, 'outDir'> = {
  density: '8gaussians', method: 'nce', steps: 2000, batchSize: 128, width: 64, lr: 3e-3, numNoise: 8, centers: 64, bandwidth: 0.3, uniformWeight: 0.5, langevinSteps: 20, sampleSteps: 300, gridSize: 200, seed: 0, progress: true,
};

/** The square every toy lives in, and the grid the exact NLL integrates over. */
export const BOX = { low: [-4.5, -4.5] as [number, number], high: [4.5, 4.5] as [number, number] };

export interface Deep2dResult {
  model: EnergyMLP;
  nll: number;
  trueNll: number;
  curve: LossPoint[];
  images: { caption: string; path: string }[];
  /** highest-density coverage of the held-out points */
  calibration: CalibrationFigure;
  stepsDone: number;
  seconds: number;
}

export function trainDeep2d(o: Deep2dOptions, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Deep2dResult {
  const toy = toy2d(o.density);
  const gen = new Generator(o.seed);
  const model = new EnergyMLP(2, [o.width, o.width], { generator: gen, dtype: 'float32' });
  const energy = (x: Tensor) => model.forward(x);
  const box = { ...BOX, size: o.gridSize, dtype: 'float32' as const };
  const test = toy.sample(2000, new Generator(12345));
  const trueNll = toy.logProb ? -toy.logProb(test).mean().item() : Number.NaN;
  let step: (x: Tensor) => number;
  let schedule: CosineAnnealingLR | null = null;
  if (o.method === 'nce') {
    const optimizer = new Adam(model.parameters(), { lr: o.lr });
    schedule = new CosineAnnealingLR(optimizer, { tMax: o.steps, etaMin: o.lr / 300 });
    const trainer = new NCETrainer(energy, optimizer, new GaussianKDENoise(toy.sample(o.centers, new Generator(777)), o.bandwidth, o.uniformWeight > 0 ? { uniform: { low: BOX.low, high: BOX.high, weight: o.uniformWeight } } : {}), { numNoise: o.numNoise, generator: gen });
    step = (x) => trainer.step(x).loss;
  } else {
    const optimizer = new Adam(model.parameters(), { lr: o.lr, betas: [0, 0.999] });
    schedule = new CosineAnnealingLR(optimizer, { tMax: o.steps, etaMin: o.lr / 300 });
    const buffer = new ReplayBuffer(10000, { init: (n, g) => rand([n, 2], { generator: g }).mul(9).sub(4.5) });
    const trainer = new EBMTrainer(model, optimizer, buffer, { langevinSteps: o.langevinSteps, stepSize: 0.02, noiseScale: Math.sqrt(0.04), alpha: 0.01, clamp: [-4.5, 4.5], generator: gen });
    step = (x) => trainer.step(x).loss;
  }
  log(`ebm deep: MLP energy 2-${o.width}-${o.width}-1 on '${o.density}', ${o.method === 'nce' ? `NCE (ν = ${o.numNoise}, noise: KDE of ${o.centers} points, h = ${o.bandwidth} + ${o.uniformWeight} uniform)` : `CD with ${o.langevinSteps} SGLD steps and a replay buffer`}, Adam lr ${o.lr} (cosine), batch ${o.batchSize}`);
  const bar = o.progress ? trainingProgress('ebm', o.steps, ['loss {loss}', 'test NLL {nll}']) : null;
  bar?.start(0);
  const curve: LossPoint[] = [];
  const evalEvery = Math.max(1, Math.floor(o.steps / 10));
  const t0 = Date.now();
  let done = 0;
  let nllShown = '-';
  for (let it = 1; it <= o.steps; it++) {
    const loss = step(toy.sample(o.batchSize, gen));
    schedule?.step();
    done = it;
    const point: LossPoint = { step: it, loss };
    if (it % evalEvery === 0) {
      point.val = exactNll2d(energy, test, box).nll;
      nllShown = point.val.toFixed(3);
    }
    curve.push(point);
    bar?.update(it, { loss: loss.toFixed(4), nll: nllShown }, it % evalEvery === 0);
    if (o.maxSeconds !== undefined && (Date.now() - t0) / 1000 > o.maxSeconds) break;
  }
  bar?.stop();
  const seconds = (Date.now() - t0) / 1000;
  const grid = gridLogZ2d(energy, box);
  const nll = exactNll2d(energy, test, box).nll;
  log(`ebm deep: ${done} steps in ${seconds.toFixed(1)} s; exact test NLL ${nll.toFixed(4)} nats (grid ${o.gridSize}², log Z ${grid.logZ.toFixed(4)}); true density ${trueNll.toFixed(4)} nats`);

  // Samples: 500 MALA chains started at uniform noise on the box.
  const samples = noGrad(() => rand([500, 2], { generator: gen, dtype: 'float32' }).mul(9).sub(4.5));
  const m = mala(energy, samples, { stepSize: 0.01, numSteps: o.sampleSteps, generator: gen });
  const images = [
    {
      caption: `${o.density}: learned log-density −E(x) − log Z on the ${o.gridSize}² grid (viridis, clipped 12 nats below the peak)`,
      path: writePng(join(o.outDir, `ebm-${o.density}-density.png`), heatmapPng(clipBelowPeak(grid.logDensity.storage, 12), { rows: o.gridSize, cols: o.gridSize, scale: 2 })),
    },
    {
      caption: `${o.density}: 500 MALA samples of the model (blue, ${o.sampleSteps} steps, acceptance ${(m.acceptanceRate * 100).toFixed(0)} %) over 500 data points (grey)`,
      path: writePng(
        join(o.outDir, `ebm-${o.density}-samples.png`),
        scatterPng([{ points: test.narrow(0, 0, 500).storage, color: [170, 170, 170] }, { points: m.x.storage, color: [30, 90, 200], radius: 1 }], { range: [-4.5, 4.5] }),
      ),
    },
  ];
  // 2000 grid samples: one more energy pass over 4000 points, negligible beside the grid
  const calibration = deepEbmCoverage(energy, grid, test, { density: o.density, gridSize: o.gridSize, generator: new Generator(o.seed + 31) });
  return { model, nll, trueNll, curve, images, calibration, stepsDone: done, seconds };
}

function clipBelowPeak(values: ArrayLike<number>, nats: number): Float64Array {
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) hi = Math.max(hi, values[i]!);
  return Float64Array.from(values, (v) => Math.max(v, hi - nats));
}
