import { join } from 'node:path';
import { Generator, type Tensor } from '@likelihood/core';
import { DDIMScheduler, DDPMScheduler, type NoiseSchedule, sample, withEmaWeights } from '@likelihood/diffusion';
import type { EMA } from '@likelihood/nn';
import { imageGridPng, scatterPng, writePng } from '../images/png.js';
import type { ReportImage } from '../report/types.js';
import type { DiffusionData } from './data.js';
import type { DenoiserModule } from './model.js';

const GRAY = [170, 170, 170] as const;
const BLUE = [31, 119, 180] as const;
const ORANGE = [255, 127, 14] as const;

export interface ToySamples {
  samples: Tensor;
  data: Tensor;
  images: ReportImage[];
}

/** Interleaved [x0, y0, x1, y1, …] of an [n, 2] tensor. */
const xy = (x: Tensor) => x.data() as Float32Array;

/**
 * 2-D pictures: the data, the model's samples (all T ancestral DDPM steps, EMA weights) in the
 * same square, and the sampling trajectories of a few points from x_T (gray) to x_0 (blue).
 */
export function toyPictures(model: DenoiserModule, ema: EMA, schedule: NoiseSchedule, data: DiffusionData, outDir: string, n = 2000): ToySamples {
  const ddpm = new DDPMScheduler(schedule);
  const { sample: samples, trajectory } = withEmaWeights(ema, model, () => sample(model, ddpm, [n, 2], { generator: new Generator(7), returnTrajectory: true }));
  const reference = data.heldOut(n, new Generator(8));
  const ref = xy(reference);
  let extent = 0;
  for (let i = 0; i < ref.length; i++) extent = Math.max(extent, Math.abs(ref[i]!));
  const range = [-1.15 * extent, 1.15 * extent] as const;
  const name = data.name;
  const dataPng = writePng(join(outDir, `diffusion-${name}-data.png`), scatterPng([{ points: ref, color: GRAY }], { range }));
  const samplesPng = writePng(join(outDir, `diffusion-${name}-samples.png`), scatterPng([{ points: xy(samples), color: BLUE }], { range }));
  // 48 paths: every step's position of the first 48 points, drawn from noise (gray) to data (blue).
  const paths = 48;
  const steps = trajectory!.length;
  const along = trajectory!.map((x, k) => ({
    points: xy(x).subarray(0, 2 * paths),
    color: k === 0 ? GRAY : k === steps - 1 ? BLUE : ORANGE,
    radius: k === 0 || k === steps - 1 ? 2 : 0,
  }));
  const trajPng = writePng(join(outDir, `diffusion-${name}-trajectory.png`), scatterPng([{ points: ref, color: [225, 225, 225] }, ...along], { range }));
  return {
    samples,
    data: reference,
    images: [
      { caption: `${name}: ${n} data points`, path: dataPng },
      { caption: `${name}: ${n} samples (DDPM, ${schedule.numTimesteps} steps, EMA weights)`, path: samplesPng },
      { caption: `${name}: ${paths} sampling trajectories, x_T (gray) → x_0 (blue)`, path: trajPng },
    ],
  };
}

/** [-1, 1] pixels → [0, 1] for the PNG grid. */
const toUnit = (x: Tensor) => Float32Array.from(x.data() as Float32Array, (v) => (v + 1) / 2);

/**
 * MNIST pictures: a grid of samples (DDIM, EMA weights) and a denoising strip, one row per
 * sample, showing x_t at evenly spaced steps from pure noise to the final image.
 */
export function imagePictures(
  model: DenoiserModule,
  ema: EMA,
  schedule: NoiseSchedule,
  outDir: string,
  opts: {
    count?: number;
    /** DDIM steps (the DDPM sampler always takes all T) */
    steps?: number;
    /** 'ddim' (η = 0, default) or 'ddpm' (ancestral, all T steps, fixed-small variances) */
    sampler?: 'ddim' | 'ddpm';
    stripRows?: number;
    stripCols?: number;
    prefix?: string;
    onStep?: (i: number, n: number) => void;
  } = {},
): { samples: Tensor; images: ReportImage[] } {
  const { count = 36, steps = 50, sampler = 'ddim', stripRows = 4, stripCols = 10, prefix = 'diffusion-mnist' } = opts;
  // x̂_0 clipped to the data's range [−1, 1], as DDPM's image sampler (diffusers' default)
  const scheduler = sampler === 'ddpm' ? new DDPMScheduler(schedule, { clipSample: true }) : new DDIMScheduler(schedule, { clipSample: true });
  if (sampler === 'ddim') scheduler.setTimesteps(steps);
  const { sample: samples, trajectory } = withEmaWeights(ema, model, () =>
    sample(model, scheduler, [count, 1, 28, 28], { generator: new Generator(11), returnTrajectory: true, onStep: opts.onStep }),
  );
  const grid = writePng(join(outDir, `${prefix}-samples.png`), imageGridPng(toUnit(samples), { count, height: 28, width: 28 }));
  const rows = Math.min(stripRows, count);
  const picks = Array.from({ length: stripCols }, (_, j) => Math.round((j * (trajectory!.length - 1)) / (stripCols - 1)));
  const strip = new Float32Array(rows * stripCols * 784);
  for (let r = 0; r < rows; r++) {
    picks.forEach((k, j) => strip.set(toUnit(trajectory![k]!.narrow(0, r, 1)), (r * stripCols + j) * 784));
  }
  const stripPng = writePng(join(outDir, `${prefix}-denoising.png`), imageGridPng(strip, { count: rows * stripCols, height: 28, width: 28, cols: stripCols }));
  return {
    samples,
    images: [
      {
        caption: `MNIST: ${count} samples (${sampler === 'ddpm' ? `DDPM ancestral, all ${schedule.numTimesteps} steps` : `DDIM, ${steps} steps`}, x̂_0 clipped to [−1, 1], EMA weights)`,
        path: grid,
      },
      { caption: `MNIST: denoising sequence, x_t from noise (left) to x_0 (right), ${rows} samples`, path: stripPng },
    ],
  };
}
