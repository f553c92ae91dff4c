import { ArgumentError } from '@likelihood/core';
import { StateDictError } from '../errors.js';
import type { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

/** JSON-serialisable scheduler state (torch's `scheduler.state_dict()`). */
export interface SchedulerStateDict {
  kind: string;
  lastEpoch: number;
  stepCount: number;
  baseLrs: number[];
  lastLr: number[];
  hyper: Record<string, number>;
  schedulers?: SchedulerStateDict[];
}

const check = (where: string, name: string, v: unknown, ok: (x: number) => boolean, expected: string) => {
  if (typeof v !== 'number' || Number.isNaN(v) || !ok(v)) throw new ArgumentError(`${where}: ${name}: expected ${expected}, found ${JSON.stringify(v)}`);
};
const posInt = (x: number) => Number.isInteger(x) && x >= 1;

/**
 * Base of learning-rate schedulers (torch.optim.lr_scheduler.LRScheduler). Call
 * `optimizer.step()` then `scheduler.step()` once per epoch/iteration. On construction it
 * records each group's `initialLr` (kept if already set, as torch's `setdefault`) and takes
 * step 0, which sets the first learning rate. The formulas are torch's chainable (recursive)
 * ones, so learning rates match torch to rounding.
 *
 * Subclasses set their fields and then call `this.initialStep()` at the end of their constructor.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  lastEpoch: number;
  baseLrs: number[];
  protected lastLr: number[] = [];
  /** @internal Steps taken since construction (torch's `_step_count`). */
  stepCount = 0;
  /** True during the constructor's step (torch's `_is_initial`). */
  protected isInitial = false;

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new ArgumentError(`${this.constructor.name}: lastEpoch: resuming at ${lastEpoch} needs paramGroups[${i}].initialLr, found none (load the optimizer's state first)`);
        }
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** Learning rates for `lastEpoch`, from the groups' current ones (chainable form). */
  protected abstract getLr(): number[];

  /** Learning rates for `lastEpoch` straight from `baseLrs`, when a closed form exists. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Hyperparameters saved in the state dict. */
  protected hyper(): Record<string, number> {
    return {};
  }

  protected setHyper(_h: Record<string, number>): void {}

  /** @internal Takes step 0 (torch's `_initial_step`). */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** Advances one epoch and writes the new learning rates into the optimizer's groups. */
  step(): void {
    this.stepCount += 1;
    this.updateLr();
  }

  /** @internal With `epoch`, jumps there using the closed form (SequentialLR at a milestone). */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last `step()` set, one per param group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    return {
      kind: this.constructor.name,
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: this.baseLrs.slice(),
      lastLr: this.lastLr.slice(),
      hyper: { ...this.hyper() },
    };
  }

  /** Checks the whole state dict (kind, group count, numbers) before restoring any of it. */
  loadStateDict(sd: SchedulerStateDict): void {
    this.validateStateDict(sd, this.constructor.name);
    this.applyStateDict(sd);
  }

  /** @internal */
  validateStateDict(sd: SchedulerStateDict, where: string): void {
    const w = `${where}.loadStateDict`;
    if (typeof sd !== 'object' || sd === null) throw new StateDictError(`${w}: expected an object, found ${typeof sd}`);
    if (sd.kind !== this.constructor.name) throw new StateDictError(`${w}: the state dict is for ${sd.kind}, this scheduler is ${this.constructor.name}`);
    const n = this.optimizer.paramGroups.length;
    for (const k of ['baseLrs', 'lastLr'] as const) {
      const v = sd[k];
      if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number')) {
        throw new StateDictError(`${w}: ${k}: expected ${n} numbers (one per param group), found ${JSON.stringify(v)}`);
      }
    }
    for (const k of ['lastEpoch', 'stepCount'] as const) {
      if (!Number.isInteger(sd[k])) throw new StateDictError(`${w}: ${k}: expected an integer, found ${JSON.stringify(sd[k])}`);
    }
    const own = this.hyper();
    for (const k of Object.keys(own)) {
      if (typeof sd.hyper?.[k] !== 'number') throw new StateDictError(`${w}: hyper.${k}: expected a number, found ${JSON.stringify(sd.hyper?.[k])}`);
    }
  }

  /** @internal */
  applyStateDict(sd: SchedulerStateDict): void {
    this.lastEpoch = sd.lastEpoch;
    this.stepCount = sd.stepCount;
    this.baseLrs = sd.baseLrs.slice();
    this.lastLr = sd.lastLr.slice();
    this.setHyper(sd.hyper);
  }
}

/** Multiplies the learning rate by `gamma` every `stepSize` epochs (torch StepLR). */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: AnyOptimizer, opts: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    check('StepLR', 'stepSize', opts.stepSize, posInt, 'an integer >= 1');
    check('StepLR', 'gamma', opts.gamma ?? 0.1, (x) => x >= 0, 'a number >= 0');
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override hyper() {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  protected override setHyper(h: Record<string, number>): void {
    this.stepSize = h.stepSize!;
    this.gamma = h.gamma!;
  }
}

/** Multiplies the learning rate by `gamma` every epoch (torch ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: AnyOptimizer, opts: { gamma: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    check('ExponentialLR', 'gamma', opts.gamma, (x) => x >= 0, 'a number >= 0');
    this.gamma = opts.gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.isInitial) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override hyper() {
    return { gamma: this.gamma };
  }

  protected override setHyper(h: Record<string, number>): void {
    this.gamma = h.gamma!;
  }
}

/**
 * Scales the learning rate by a factor going linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs, then keeps it (torch LinearLR; defaults 1/3, 1, 5).
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = opts;
    check('LinearLR', 'startFactor', startFactor, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
    check('LinearLR', 'endFactor', endFactor, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
    check('LinearLR', 'totalIters', totalIters, posInt, 'an integer >= 1');
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs().map((lr) => lr * this.startFactor);
    if (this.isInitial || this.lastEpoch > this.totalIters) return this.groupLrs();
    const d = this.endFactor - this.startFactor;
    return this.groupLrs().map((lr) => lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }

  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }

  protected override hyper() {
    return { startFactor: this.startFactor, endFactor: this.endFactor, totalIters: this.totalIters };
  }

  protected override setHyper(h: Record<string, number>): void {
    this.startFactor = h.startFactor!;
    this.endFactor = h.endFactor!;
    this.totalIters = h.totalIters!;
  }
}

/**
 * Cosine annealing from the base learning rate to `etaMin` over `tMax` epochs (torch
 * CosineAnnealingLR, SGDR without restarts: past `tMax` it rises again along the cosine).
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: AnyOptimizer, opts: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    check('CosineAnnealingLR', 'tMax', opts.tMax, posInt, 'an integer >= 1');
    check('CosineAnnealingLR', 'etaMin', opts.etaMin ?? 0, Number.isFinite, 'a finite number');
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { tMax, etaMin, lastEpoch: e } = this;
    if (this.isInitial) return this.groupLrs();
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    }
    if ((((e - 1 - tMax) % (2 * tMax)) + 2 * tMax) % (2 * tMax) === 0) {
      return this.groupLrs().map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return this.groupLrs().map((lr) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }

  protected override hyper() {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  protected override setHyper(h: Record<string, number>): void {
    this.tMax = h.tMax!;
    this.etaMin = h.etaMin!;
  }
}

/**
 * Learning rate = base lr × `lrLambda(epoch)` (torch LambdaLR); one function for all groups or
 * one per group. The functions are not part of the state dict.
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];

  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], opts: { lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new ArgumentError(`LambdaLR: lrLambda: expected ${n} functions (one per param group), found ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else {
      if (typeof lrLambda !== 'function') throw new ArgumentError(`LambdaLR: lrLambda: expected a function, found ${typeof lrLambda}`);
      this.lrLambdas = new Array(n).fill(lrLambda);
    }
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lrLambdas[i]!(this.lastEpoch));
  }
}

function bisectRight(xs: readonly number[], x: number): number {
  let i = 0;
  while (i < xs.length && xs[i]! <= x) i++;
  return i;
}

/**
 * Runs `schedulers` one after another, switching at each of `milestones` (torch SequentialLR).
 * At a milestone the next scheduler starts from epoch 0 of its own schedule, from the groups'
 * `initialLr`. The compose API: e.g. LinearLR warmup then CosineAnnealingLR.
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(optimizer: AnyOptimizer, opts: { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number }) {
    super(optimizer, -1);
    const { schedulers, milestones } = opts;
    if (!Array.isArray(schedulers) || schedulers.length < 1) throw new ArgumentError('SequentialLR: schedulers: expected at least one scheduler, found none');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new ArgumentError(`SequentialLR: schedulers[${i}]: expected a scheduler of the same optimizer, found one of another optimizer`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new ArgumentError(`SequentialLR: milestones: expected ${schedulers.length - 1} milestones (one fewer than schedulers), found ${milestones?.length}`);
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 0 || (i > 0 && m <= milestones[i - 1]!)) {
        throw new ArgumentError(`SequentialLR: milestones[${i}]: expected increasing integers >= 0, found ${JSON.stringify(milestones)}`);
      }
    });
    this.schedulers = schedulers.slice();
    this.milestones = milestones.slice();
    this.lastEpoch = (opts.lastEpoch ?? -1) + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    const undo = (s: LRScheduler) => {
      if (s instanceof SequentialLR) s.schedulers.forEach(undo);
      else s.lastEpoch -= 1;
    };
    this.schedulers.forEach(undo);
    const idx = bisectRight(this.milestones, 0);
    this.schedulers[idx]!.initialStep();
    this.lastLr = this.schedulers[idx]!.getLastLr();
  }

  protected getLr(): number[] {
    return this.lastLr.slice();
  }

  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.updateLr(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override validateStateDict(sd: SchedulerStateDict, where: string): void {
    super.validateStateDict(sd, where);
    if (!Array.isArray(sd.schedulers) || sd.schedulers.length !== this.schedulers.length) {
      throw new StateDictError(`${where}.loadStateDict: schedulers: expected ${this.schedulers.length} scheduler states, found ${Array.isArray(sd.schedulers) ? sd.schedulers.length : 'none'}`);
    }
    this.schedulers.forEach((s, i) => s.validateStateDict(sd.schedulers![i]!, `${where}.schedulers[${i}]`));
  }

  override applyStateDict(sd: SchedulerStateDict): void {
    super.applyStateDict(sd);
    this.schedulers.forEach((s, i) => s.applyStateDict(sd.schedulers![i]!));
  }
}

export interface WarmupCosineOptions {
  /** Steps of linear warmup; the learning rate reaches each group's lr at this step. */
  warmupSteps: number;
  /** Step at which the cosine reaches `minLr`. */
  totalSteps: number;
  /** Final learning rate (absolute, all groups). Default 0. */
  minLr?: number;
  /** Warmup starts at `startFactor × lr`. Default `1 / warmupSteps`. */
  startFactor?: number;
}

/**
 * The nanoGPT schedule: linear warmup for `warmupSteps` then cosine decay to `minLr` at
 * `totalSteps`, built as SequentialLR([LinearLR, CosineAnnealingLR], [warmupSteps]).
 * With `warmupSteps: 0` it is a plain CosineAnnealingLR.
 */
export function warmupCosine(optimizer: AnyOptimizer, opts: WarmupCosineOptions): LRScheduler {
  const { warmupSteps, totalSteps, minLr = 0 } = opts;
  check('warmupCosine', 'warmupSteps', warmupSteps, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0');
  check('warmupCosine', 'totalSteps', totalSteps, (x) => Number.isInteger(x) && x > warmupSteps, `an integer > warmupSteps (${warmupSteps})`);
  if (warmupSteps === 0) return new CosineAnnealingLR(optimizer, { tMax: totalSteps, etaMin: minLr });
  const warmup = new LinearLR(optimizer, { startFactor: opts.startFactor ?? 1 / warmupSteps, endFactor: 1, totalIters: warmupSteps });
  const cosine = new CosineAnnealingLR(optimizer, { tMax: totalSteps - warmupSteps, etaMin: minLr });
  return new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [warmupSteps] });
}
