import { readFileSync } from 'node:fs';
import type { NoiseSchedule } from '@likelihood/diffusion';
import { EMA, decodeSafetensors } from '@likelihood/nn';
import type { Tensor } from '@likelihood/core';
import { loadCheckpoint } from '@likelihood/nn/node';
import { type DenoiserModule, type DiffusionModelConfig, buildModel } from './model.js';

export interface LoadedDiffusion {
  model: DenoiserModule;
  ema: EMA;
  schedule: NoiseSchedule;
  config: DiffusionModelConfig;
  step: number;
}

/** Rebuilds the model a `diffusion train` checkpoint was written from (config in its metadata) and loads weights and EMA. */
export function loadDiffusionCheckpoint(path: string): LoadedDiffusion {
  const { metadata } = decodeSafetensors(readFileSync(path));
  const config = JSON.parse(metadata.config ?? 'null') as DiffusionModelConfig | null;
  if (!config || typeof config.data !== 'string') throw new Error(`loadDiffusionCheckpoint: '${path}' has no diffusion model config; was it written by 'diffusion train'?`);
  const { model, schedule } = buildModel(config, 0);
  const info = loadCheckpoint(path, { model });
  const extra = info.extra as { ema: Tensor[]; emaUpdates: number };
  const ema = new EMA(model);
  ema.shadow = extra.ema;
  ema.numUpdates = extra.emaUpdates;
  return { model, ema, schedule, config, step: info.step };
}
