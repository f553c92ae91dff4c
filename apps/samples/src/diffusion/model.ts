import { Generator } from '@likelihood/core';
import { MLPDenoiser, NoiseSchedule, type ScheduleKind, unetDenoiser } from '@likelihood/diffusion';
import type { Tensor } from '@likelihood/core';
import type { Module } from '@likelihood/nn';

/** A denoiser module: forward(x, t) → ε̂. */
export type DenoiserModule = Module & { forward(x: Tensor, t: Tensor): Tensor };

/** The architecture and schedule of a run: stored in the checkpoint so `sample` can rebuild it. */
export interface DiffusionModelConfig {
  data: string;
  schedule: ScheduleKind;
  numTimesteps: number;
  /** MLP denoiser (2-D) */
  hidden: number;
  layers: number;
  /** U-Net denoiser (images) */
  baseChannels: number;
  channelMults: number[];
  attentionLevels: number[];
  /** fold p×p patches into channels before the U-Net */
  patchSize: number;
}

/**
 * 2-D: the bench's 3×128 MLP, cosine T = 100. MNIST: DDPM's linear T = 1000 and a small U-Net on
 * 2×2 patches (4 channels at 14×14, 32·[1, 2] channels, attention in the 7×7 middle block):
 * the size a shared 2-core CPU can train in an hour.
 */
export function defaultModelConfig(data: string): DiffusionModelConfig {
  return data === 'mnist'
    ? { data, schedule: 'linear', numTimesteps: 1000, hidden: 128, layers: 3, channelMults: [1, 2], attentionLevels: [], patchSize: 2, baseChannels: 32 }
    : { data, schedule: 'cosine', numTimesteps: 100, hidden: 128, layers: 3, baseChannels: 32, channelMults: [1, 2], attentionLevels: [], patchSize: 2 };
}

export function buildModel(cfg: DiffusionModelConfig, seed: number): { model: DenoiserModule; schedule: NoiseSchedule } {
  const generator = new Generator(seed);
  const schedule = NoiseSchedule.create({ kind: cfg.schedule, numTimesteps: cfg.numTimesteps });
  const model: DenoiserModule =
    cfg.data === 'mnist'
      ? unetDenoiser({ inChannels: 1, baseChannels: cfg.baseChannels, channelMults: cfg.channelMults, attentionLevels: cfg.attentionLevels, patchSize: cfg.patchSize, generator })
      : new MLPDenoiser({ hidden: cfg.hidden, layers: cfg.layers, generator });
  return { model, schedule };
}
