import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { trainingProgress } from '../cli/progress.js';
import { withResidentOutputs } from '../cli/resident.js';
import { dirname } from 'node:path';
import { Generator, type Tensor, releaseResidentOutputs } from '@likelihood/core';
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
  /**
   * trainDiffusionAsync only: core's resident kernel outputs, in MiB (0 = off; see
   * setResidentBytes). LIKELIHOOD_RESIDENT_MB, when set, wins.
   */
  residentMb?: number;
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
  residentMb: 512,
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
  const run = new DiffusionRun(o);
  while (run.more()) run.step();
  return run.finish();
}

/**
 * `trainDiffusion` with the event loop turning after every step, so that core's resident kernel
 * outputs (`residentMb`, 512 MiB by default) are recycled: the same steps and numbers, faster
 * steps (docs/benchmarks.md, suite `diffusion`), more memory.
 */
export function trainDiffusionAsync(o: DiffusionTrainOptions): Promise<DiffusionTrainResult> {
  return withResidentOutputs(o.residentMb, async () => {
    const run = new DiffusionRun(o);
    while (run.more()) {
      run.step();
      await releaseResidentOutputs();
    }
    return run.finish();
  });
}

/** One training run: set-up (and resume) in the constructor, then `step()` while `more()`, then `finish()`. */
class DiffusionRun {
  private readonly config: DiffusionModelConfig;
  private readonly data: DiffusionData;
  private readonly model: DenoiserModule;
  private readonly schedule: NoiseSchedule;
  private readonly gen: Generator;
  private readonly optimizer: Adam;
  private readonly ema: EMA;
  private readonly curve: LossPoint[] = [];
  private readonly progress: ReturnType<typeof trainingProgress> | null;
  private stepIndex = 0;
  private readonly startStep: number;
  private readonly t0: number;
  private readonly cpu0: NodeJS.CpuUsage;

  constructor(private readonly o: DiffusionTrainOptions) {
    this.config = { ...defaultModelConfig(o.data), ...o.model, data: o.data };
    this.data = loadDiffusionData(o.data, { mnistDir: o.mnistDir });
    ({ model: this.model, schedule: this.schedule } = buildModel(this.config, o.seed));
    this.gen = new Generator(o.seed + 1);
    this.optimizer = new Adam(this.model.parameters(), { lr: o.lr });
    // EMA warm-up (diffusers' default): with a fixed decay, a short run's average would still hold
    // decay^steps of the random initialisation (0.995^400 ≈ 14 %).
    this.ema = new EMA(this.model, { decay: o.emaDecay, warmup: 'numUpdates' });
    log(`diffusion train: ${this.data.source}; ${this.model.numParameters().toLocaleString('en')} parameters; ${this.config.schedule} schedule, T = ${this.config.numTimesteps}`);
    mkdirSync(dirname(o.out), { recursive: true });
    if (o.resume && existsSync(o.out)) {
      const info = loadCheckpoint(o.out, { model: this.model, optimizer: this.optimizer, generator: this.gen });
      const extra = info.extra as { ema: Tensor[]; emaUpdates: number; curve: [number, number][] };
      this.ema.shadow = extra.ema;
      this.ema.numUpdates = extra.emaUpdates;
      this.curve.push(...extra.curve.map(([s, loss]) => ({ step: s, loss })));
      this.stepIndex = info.step;
      log(`resumed from ${o.out} at step ${this.stepIndex}`);
    }
    this.progress = o.progress === false ? null : trainingProgress('diffusion', o.steps, ['loss {loss}', '{sps} steps/s']);
    this.progress?.start(this.stepIndex);
    this.startStep = this.stepIndex;
    this.t0 = performance.now();
    this.cpu0 = process.cpuUsage();
  }

  /** Whether another step is due (steps left, and the time budget not used up). */
  more(): boolean {
    const { steps, maxSeconds } = this.o;
    return this.stepIndex < steps && (maxSeconds === undefined || (performance.now() - this.t0) / 1000 <= maxSeconds);
  }

  step(): void {
    const { o, optimizer, model } = this;
    for (const g of optimizer.paramGroups) g.lr = o.lr * Math.min(1, (this.stepIndex + 1) / Math.max(1, o.warmup));
    const { loss } = denoisingLoss(model, this.schedule, this.data.batch(o.batchSize, this.gen), { generator: this.gen });
    optimizer.zeroGrad();
    loss.backward();
    if (o.gradClip > 0) clipGradNorm_(model.parameters(), o.gradClip);
    optimizer.step();
    this.ema.update();
    this.stepIndex += 1;
    this.curve.push({ step: this.stepIndex, loss: loss.item() });
    if (this.stepIndex % o.checkpointInterval === 0) this.save();
    if (this.progress) {
      const sps = (this.stepIndex - this.startStep) / ((performance.now() - this.t0) / 1000);
      this.progress.update(this.stepIndex, { loss: this.curve.at(-1)!.loss.toFixed(4), sps: sps.toFixed(2) });
    }
  }

  finish(): DiffusionTrainResult {
    const { o, stepIndex: step } = this;
    this.progress?.stop();
    if (step % o.checkpointInterval !== 0) this.save();
    const cpu = process.cpuUsage(this.cpu0);
    const seconds = (performance.now() - this.t0) / 1000;
    if (o.curve) {
      mkdirSync(dirname(o.curve), { recursive: true });
      writeFileSync(o.curve, `step,loss\n${this.curve.map((p) => `${p.step},${p.loss}`).join('\n')}\n`);
    }
    log(`diffusion train: ${step - this.startStep} steps in ${seconds.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); checkpoint ${o.out}`);
    const { model, ema, schedule, data, config, curve } = this;
    return { model, ema, schedule, data, config, curve, steps: step, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }

  private save(): void {
    const { ema } = this;
    saveCheckpoint(this.o.out, {
      model: this.model,
      optimizer: this.optimizer,
      step: this.stepIndex,
      rng: this.gen,
      config: this.config,
      extra: { ema: ema.shadow, emaUpdates: ema.numUpdates, curve: this.curve.map((p) => [p.step, p.loss]) },
    });
  }
}

const log = (s: string) => process.stderr.write(`${s}\n`);
