import { ArgumentError, type Generator, type Tensor, defaultGenerator, releaseResidentOutputs } from '@likelihood/core';
import { type AdamW, type LRScheduler, type OptimizerStateDict, type SchedulerStateDict, type StatefulOptimizer, clipGradNorm_, warmupCosine } from '@likelihood/nn';
import { getBatch } from './data.js';
import { estimateLoss } from './metrics.js';
import type { GPT } from './model.js';
import { configureOptimizer } from './optimizer.js';

export interface TrainOptions {
  /** Token streams; `val` is optional (evaluation then reports train only). */
  data: { train: Int32Array; val?: Int32Array };
  batchSize: number;
  /** Context length of the training windows (default the model's blockSize). */
  blockSize?: number;
  /** Optimizer steps in total; also the end of the cosine decay. */
  maxIters: number;
  /** Peak learning rate (default 1e-3). */
  lr?: number;
  /** Floor of the cosine decay (default lr / 10). */
  minLr?: number;
  /** Linear warmup steps (default min(100, maxIters / 10)). */
  warmupIters?: number;
  weightDecay?: number;
  betas?: [number, number];
  /** Clip the global gradient norm to this (default 1; 0 turns clipping off). */
  gradClip?: number;
  /** Micro-batches whose gradients are summed per step (default 1); the loss is their mean. */
  gradAccumSteps?: number;
  /** Evaluate every this many steps and at the end (default 0: never). */
  evalInterval?: number;
  evalIters?: number;
  /** Draws the batches (default the global generator). Pass the model's generator too for bit-identical resume with dropout. */
  generator?: Generator;
  onProgress?: (e: ProgressEvent) => void;
  /** Called every `interval` steps and at the end, e.g. `(t) => saveTrainingCheckpoint(path, t)` from '@likelihood/gpt/node'. */
  checkpoint?: { interval: number; save: (trainer: Trainer) => void };
}

export interface ProgressEvent {
  /** Steps done so far. */
  iter: number;
  maxIters: number;
  /** Mean loss of this step's micro-batches (nats/token). */
  loss: number;
  lr: number;
  /** Tokens processed per second in this step. */
  tokensPerSec: number;
  /** Set on evaluation steps. */
  eval?: { train: number; val?: number };
}

/**
 * Does the work of one optimizer step on batches the trainer drew: forward, backward, clipping
 * and the update of the parameters and of `trainer.optimizer`'s state (at the learning rate in
 * its param groups), returning the mean loss of the micro-batches. `Trainer.runAsync` takes one,
 * e.g. a training step compiled for ONNX Runtime by @likelihood/onnx's `compileTrainStep`.
 */
export type StepRunner = (batches: readonly { x: Tensor; y: Tensor }[]) => Promise<number>;

export interface TrainResult {
  iter: number;
  lastLoss: number;
  evals: { iter: number; train: number; val?: number }[];
  seconds: number;
}

/**
 * The nanoGPT training loop, in pieces: AdamW without decay on biases/LayerNorm/embeddings,
 * linear warmup + cosine decay, gradient accumulation and clipping, periodic evaluation and
 * checkpoint hooks. `step()` takes one optimizer step; `run()` goes on until `maxIters`
 * (from wherever a resumed checkpoint left it).
 */
export class Trainer {
  readonly model: GPT;
  readonly optimizer: AdamW;
  readonly scheduler: LRScheduler;
  readonly generator: Generator;
  readonly opts: Readonly<TrainOptions>;
  /** Optimizer steps taken. */
  iter = 0;

  constructor(model: GPT, opts: TrainOptions) {
    const { maxIters, batchSize } = opts;
    if (!Number.isInteger(maxIters) || maxIters < 1) throw new ArgumentError(`Trainer: maxIters must be a positive integer, found ${maxIters}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`Trainer: batchSize must be a positive integer, found ${batchSize}`);
    const accum = opts.gradAccumSteps ?? 1;
    if (!Number.isInteger(accum) || accum < 1) throw new ArgumentError(`Trainer: gradAccumSteps must be a positive integer, found ${accum}`);
    const T = opts.blockSize ?? model.config.blockSize;
    if (T > model.config.blockSize) throw new ArgumentError(`Trainer: blockSize ${T} exceeds the model's blockSize ${model.config.blockSize}`);
    const V = model.config.vocabSize;
    for (const [name, d] of Object.entries(opts.data) as [string, Int32Array | undefined][]) {
      if (!d) continue;
      for (let i = 0; i < d.length; i++) {
        if (!(d[i]! >= 0 && d[i]! < V)) throw new ArgumentError(`Trainer: data.${name} holds token ${d[i]} at ${i}, outside the model's vocabulary [0, ${V - 1}]`);
      }
    }
    this.model = model;
    this.opts = opts;
    this.generator = opts.generator ?? defaultGenerator();
    const lr = opts.lr ?? 1e-3;
    this.optimizer = configureOptimizer(model, { lr, weightDecay: opts.weightDecay, betas: opts.betas });
    const warmup = Math.min(opts.warmupIters ?? Math.min(100, Math.floor(maxIters / 10)), maxIters - 1);
    this.scheduler = warmupCosine(this.optimizer, { warmupSteps: warmup, totalSteps: maxIters, minLr: opts.minLr ?? lr / 10 });
  }

  /** The optimizer and LR schedule as one stateful object, for checkpoints. */
  get optimState(): StatefulOptimizer {
    return {
      stateDict: () => ({ optimizer: this.optimizer.stateDict(), scheduler: this.scheduler.stateDict() }),
      loadStateDict: (sd: unknown) => {
        const s = sd as { optimizer?: OptimizerStateDict; scheduler?: SchedulerStateDict };
        if (!s?.optimizer || !s.scheduler) throw new ArgumentError('Trainer: the checkpoint has no {optimizer, scheduler} state');
        this.optimizer.loadStateDict(s.optimizer);
        this.scheduler.loadStateDict(s.scheduler);
      },
    };
  }

  /**
   * One optimizer step whose work is done by `runner` (e.g. a compiled step): draws the
   * micro-batches from the trainer's generator as `step()` does, then advances the LR schedule.
   * All batches are drawn before the runner runs, so with dropout and gradAccumSteps > 1 the
   * generator is consumed in a different order than by `step()` (same distribution).
   */
  async stepWith(runner: StepRunner): Promise<number> {
    const { batchSize, data } = this.opts;
    const T = this.opts.blockSize ?? this.model.config.blockSize;
    const batches = Array.from({ length: this.opts.gradAccumSteps ?? 1 }, () => getBatch(data.train, batchSize, T, this.generator));
    this.model.train();
    const loss = await runner(batches);
    this.scheduler.step();
    this.iter++;
    return loss;
  }

  /** One optimizer step over `gradAccumSteps` micro-batches; returns their mean loss. */
  step(): number {
    const { batchSize, data } = this.opts;
    const T = this.opts.blockSize ?? this.model.config.blockSize;
    const accum = this.opts.gradAccumSteps ?? 1;
    const clip = this.opts.gradClip ?? 1;
    this.model.train();
    let total = 0;
    for (let k = 0; k < accum; k++) {
      const { x, y } = getBatch(data.train, batchSize, T, this.generator);
      const loss = this.model.forward(x, { targets: y }).loss!;
      total += loss.item();
      (accum > 1 ? loss.div(accum) : loss).backward(); // grads add up across micro-batches
    }
    if (clip > 0) clipGradNorm_(this.model.parameters(), clip);
    this.optimizer.step();
    this.optimizer.zeroGrad();
    this.scheduler.step();
    this.iter++;
    return total / accum;
  }

  /** Mean loss over `evalIters` batches of train and (if given) val. */
  evaluate(): { train: number; val?: number } {
    const { data, batchSize } = this.opts;
    const splits: Record<string, Int32Array> = data.val ? { train: data.train, val: data.val } : { train: data.train };
    return estimateLoss(this.model, splits, { batchSize, blockSize: this.opts.blockSize, evalIters: this.opts.evalIters, generator: this.generator }) as { train: number; val?: number };
  }

  /** Steps until `maxIters`, evaluating and checkpointing on schedule. */
  run(): TrainResult {
    const loop = this.loop();
    while (loop.more()) loop.after(this.step());
    return loop.result();
  }

  /**
   * `run()` with each step's work done by `runner` (see `stepWith`): same schedule, evaluation,
   * checkpoints and progress. Without a runner it takes eager `step()`s and lets the event loop
   * turn after each, so core's resident kernel outputs (setResidentBytes) are recycled and timers
   * (progress bars) fire.
   */
  async runAsync(runner?: StepRunner): Promise<TrainResult> {
    const loop = this.loop();
    while (loop.more()) {
      if (runner) loop.after(await this.stepWith(runner));
      else {
        loop.after(this.step());
        await releaseResidentOutputs();
      }
    }
    return loop.result();
  }

  /** The bookkeeping around each step of `run` / `runAsync`: timing, evaluation, checkpoints, progress. */
  private loop() {
    const { maxIters, evalInterval = 0, checkpoint, onProgress, batchSize } = this.opts;
    const T = this.opts.blockSize ?? this.model.config.blockSize;
    const tokensPerStep = batchSize * T * (this.opts.gradAccumSteps ?? 1);
    const evals: TrainResult['evals'] = [];
    const t0 = performance.now();
    let lastLoss = Number.NaN;
    let lr = 0;
    let s0 = 0;
    return {
      more: () => {
        if (this.iter >= maxIters) return false;
        lr = this.optimizer.paramGroups[0]!.lr;
        s0 = performance.now();
        return true;
      },
      after: (loss: number) => {
        lastLoss = loss;
        const dt = (performance.now() - s0) / 1000;
        const last = this.iter === maxIters;
        let ev: { train: number; val?: number } | undefined;
        if (evalInterval > 0 && (this.iter % evalInterval === 0 || last)) {
          ev = this.evaluate();
          evals.push({ iter: this.iter, ...ev });
        }
        if (checkpoint && (this.iter % checkpoint.interval === 0 || last)) checkpoint.save(this);
        onProgress?.({ iter: this.iter, maxIters, loss: lastLoss, lr, tokensPerSec: tokensPerStep / dt, eval: ev });
      },
      result: (): TrainResult => ({ iter: this.iter, lastLoss, evals, seconds: (performance.now() - t0) / 1000 }),
    };
  }
}
