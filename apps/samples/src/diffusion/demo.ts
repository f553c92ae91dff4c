import { join } from 'node:path';
import { Generator } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { sampleQuantileCoverage } from '@likelihood/calibration';
import { energyDistance, energyDistanceNull, quantile } from '@likelihood/diffusion';
import { coverageFigure } from '../report/coverage.js';
import type { DemoOptions, FamilyReport } from '../report/types.js';
import { heldOutBound } from './bound.js';
import { toyPictures } from './pictures.js';
import { TRAIN_DEFAULTS, trainDiffusion } from './train.js';

export interface DiffusionDemoOptions extends DemoOptions {
  /** 2-D density (default 8gaussians: its exact log-density is the reference) */
  data?: string;
  /** samples drawn for the pictures and the energy distance (default 2000) */
  samples?: number;
  /** held-out points for the bound (default 1000) */
  boundExamples?: number;
  progress?: boolean;
}

/**
 * The default run: the 3×128 MLP denoiser learns a 2-D toy density for about 60 % of
 * `seconds`, then draws samples (DDPM, EMA weights), scores them by energy distance against the
 * data-vs-data spread, bounds −log p on held-out points, and writes the data, samples and
 * sampling-trajectory PNGs.
 */
export function diffusionDemo(o: DiffusionDemoOptions): FamilyReport {
  const name = o.data ?? '8gaussians';
  const n = o.samples ?? 2000;
  process.stderr.write(`\n== diffusion: an MLP denoiser on '${name}' (~${o.seconds} s)\n`);
  const run = trainDiffusion({
    ...TRAIN_DEFAULTS,
    data: name,
    steps: 5000,
    batchSize: 256,
    out: join(o.outDir, `diffusion-${name}.safetensors`),
    checkpointInterval: 5000,
    maxSeconds: 0.6 * o.seconds,
    progress: o.progress,
  });
  const { model, ema, schedule, data } = run;
  const pics = toyPictures(model, ema, schedule, data, o.outDir, n);
  const nullValues = energyDistanceNull((m, g) => data.heldOut(m, g), n, { repeats: 20, generator: new Generator(9) });
  const ed = energyDistance(pics.samples, pics.data);
  const heldOut = data.heldOut(o.boundExamples ?? 1000, new Generator(21));
  const bound = heldOutBound(model, ema, schedule, heldOut, { image: false });
  const density = toy2d(name);
  const trueNll = density.logProb ? -density.logProb(heldOut).mean().item() : undefined;
  console.log(
    `diffusion: ${run.steps} steps in ${run.seconds.toFixed(1)} s; held-out bound ${bound.nats.toFixed(3)} ± ${(bound.standardError * 2 * Math.LN2).toFixed(3)} nats` +
      `${trueNll !== undefined ? ` (true NLL ${trueNll.toFixed(3)})` : ''}; energy distance to data ${ed.toFixed(4)} (data vs data: 95th pct ${quantile(nullValues, 0.95).toFixed(4)})`,
  );
  return {
    family: 'diffusion',
    title: `DDPM with a 3×128 MLP denoiser (cosine schedule, T = ${schedule.numTimesteps}) on 2-D '${name}'`,
    likelihood: [
      {
        label: `held-out ${bound.examples} points, variational bound (Gaussian decoder, all ${bound.timesteps} terms)`,
        nats: bound.nats,
        bitsPerDim: bound.bitsPerDim,
        kind: 'bound',
        stderr: bound.standardError * 2 * Math.LN2,
        reference: trueNll !== undefined ? `true density: ${trueNll.toFixed(3)} nats` : undefined,
      },
    ],
    lossCurve: run.curve,
    images: pics.images,
    // the model has no density: per-coordinate quantiles of its samples, against the held-out points of the pictures
    calibration: coverageFigure(sampleQuantileCoverage(pics.samples.to('float64'), pics.data.to('float64')), {
      title: 'diffusion: sample-quantile coverage',
      xLabel: "Level p of the samples' per-coordinate quantile",
      caption: `share of (held-out point, coordinate) pairs of ${pics.data.shape[0]} held-out '${name}' points below the p-quantile of that coordinate over ${pics.samples.shape[0]} model samples (marginals only; Kuleshov et al. 2018 from samples)`,
    }),
    seconds: run.seconds,
  };
}
