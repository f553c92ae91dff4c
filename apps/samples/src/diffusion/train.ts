import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { trainingProgress } from '../cli/progress.js';
import { dirname } from 'node:path';
import { Generator, type Tensor } from '@likelihood/core';
import { type NoiseSchedule, denoisingLoss } from '@likelihood/diffusion';
import { Adam, EMA, clipGradNorm_ } from '@likelihood/nn';
import { loadCheckpoint, saveCheckpoint } from '@likelihood/nn/node';
import type { LossPoint } from '../report/types.js';
import { type DiffusionData, loadDiffusionData } from './data.js';
import { type DenoiserModule, type DiffusionModelConfig, buildModel, defaultModelConfig } from './model.js';

export interface DiffusionTrainOptions {
  /** '8gaussians', 'moons', 'checkerboard', … or 'mnist' */
  data: string;
  steps: number;
  batchSize: number;
  lr: number;
  /** linear learning-rate warm-up steps */
  warmup: number;
  /** global gradient-norm clip (0 = off) */
  gradClip: number;
  emaDecay: number;
  seed: number;
  /** checkpoint file */
  out: string;
  checkpointInterval: number;
  resume?: boolean;
  progress?: boolean;
  /** stop after this many seconds of training even if `steps` is not reached */
  maxSeconds?: number;
  /** write the loss curve (step,loss) here as CSV */
  curve?: string;
  mnistDir?: string;
  /** architecture and schedule (default: `defaultModelConfig(data)`) */
  model?: Partial<DiffusionModelConfig>;
}

export const TRAIN_DEFAULTS: DiffusionTrainOptions = {
  data: '8gaussians',
  steps: 2000,
  batchSize: 512,
  lr: 2e-3,
  warmup: 100,
  gradClip: 1,
  emaDecay: 0.995,
  seed: 0,
  out: 'out/diffusion.safetensors',
  checkpointInterval: 500,
};

export interface DiffusionTrainResult {
  model: DenoiserModule;
  ema: EMA;
  schedule: NoiseSchedule;
  data: DiffusionData;
  config: DiffusionModelConfig;
  /** training loss (L_simple) at every step, including steps before a resume */
  curve: LossPoint[];
  steps: number;
  /** wall and CPU seconds of this process's training (not counting before a resume) */
  seconds: number;
  cpuSeconds: number;
}

/**
 * Trains an ε-prediction denoiser (L_simple) with Adam, linear warm-up, gradient clipping and
 * an EMA of the weights, writing resumable checkpoints (model, optimizer, EMA, generator, loss
 * curve) every `checkpointInterval` steps and at the end.
 */
export function trainDiffusion(o: DiffusionTrainOptions): DiffusionTrainResult {
  const config = { ...defaultModelConfig(o.data), ...o.model, data: o.data };
  const data = loadDiffusionData(o.data, { mnistDir: o.mnistDir });
  const { model, schedule } = buildModel(config, o.seed);
  const gen = new Generator(o.seed + 1);
  const optimizer = new Adam(model.parameters(), { lr: o.lr });
  // EMA warm-up (diffusers' default): with a fixed decay, a short run's average would still hold
  // decay^steps of the random initialisation (0.995^400 ≈ 14 %).
  const ema = new EMA(model, { decay: o.emaDecay, warmup: 'numUpdates' });
  const curve: LossPoint[] = [];
  let step = 0;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`diffusion train: ${data.source}; ${model.numParameters().toLocaleString('en')} parameters; ${config.schedule} schedule, T = ${config.numTimesteps}`);
  mkdirSync(dirname(o.out), { recursive: true });
  if (o.resume && existsSync(o.out)) {
    const info = loadCheckpoint(o.out, { model, optimizer, generator: gen });
    const extra = info.extra as { ema: Tensor[]; emaUpdates: number; curve: [number, number][] };
    ema.shadow = extra.ema;
    ema.numUpdates = extra.emaUpdates;
    curve.push(...extra.curve.map(([s, loss]) => ({ step: s, loss })));
    step = info.step;
    log(`resumed from ${o.out} at step ${step}`);
  }
  const save = () =>
    saveCheckpoint(o.out, {
      model,
      optimizer,
      step,
      rng: gen,
      config,
      extra: { ema: ema.shadow, emaUpdates: ema.numUpdates, curve: curve.map((p) => [p.step, p.loss]) },
    });

  const progress = o.progress === false ? null : trainingProgress('diffusion', o.steps, ['loss {loss}', '{sps} steps/s']);
  progress?.start(step);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const startStep = step;
  while (step < o.steps) {
    if (o.maxSeconds !== undefined && (performance.now() - t0) / 1000 > o.maxSeconds) break;
    for (const g of optimizer.paramGroups) g.lr = o.lr * Math.min(1, (step + 1) / Math.max(1, o.warmup));
    const { loss } = denoisingLoss(model, schedule, data.batch(o.batchSize, gen), { generator: gen });
    optimizer.zeroGrad();
    loss.backward();
    if (o.gradClip > 0) clipGradNorm_(model.parameters(), o.gradClip);
    optimizer.step();
    ema.update();
    step += 1;
    curve.push({ step, loss: loss.item() });
    if (step % o.checkpointInterval === 0) save();
    if (progress) {
      const sps = (step - startStep) / ((performance.now() - t0) / 1000);
      progress.update(step, { loss: curve.at(-1)!.loss.toFixed(4), sps: sps.toFixed(2) });
    }
  }
  progress?.stop();
  if (step % o.checkpointInterval !== 0) save();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  if (o.curve) {
    mkdirSync(dirname(o.curve), { recursive: true });
    writeFileSync(o.curve, `step,loss\n${curve.map((p) => `${p.step},${p.loss}`).join('\n')}\n`);
  }
  log(`diffusion train: ${step - startStep} steps in ${seconds.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); checkpoint ${o.out}`);
  return { model, ema, schedule, data, config, curve, steps: step, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
