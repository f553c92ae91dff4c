import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, Tensor, noGrad } from '@likelihood/core';
import { StateDictError } from '../errors.js';
import { Module } from '../module.js';
import { type EncodedTensor, decodeTensor, encodeTensor, lerp } from './optimizer.js';

export interface EMAStateDict {
  decay: number;
  numUpdates: number;
  shadow: EncodedTensor[];
}

function checkWarmup(w: EMAWarmup): EMAWarmup {
  if (w === 'none' || w === 'numUpdates') return w;
  if (typeof w !== 'object' || w === null) throw new ArgumentError(`EMA: warmup: expected 'none', 'numUpdates' or {invGamma, power}, found ${JSON.stringify(w)}`);
  for (const key of ['invGamma', 'power'] as const) {
    const v = w[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ArgumentError(`EMA: warmup.${key}: expected a positive number, found ${JSON.stringify(v)}`);
  }
  return { ...w };
}

function paramsOf(src: Module | Iterable<Tensor>, op: string): Tensor[] {
  const list = src instanceof Module ? src.parameters() : [...src];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ArgumentError(`${op}: params[${i}]: expected a Tensor, found ${typeof p}`);
  });
  return list;
}

/**
 * How the decay ramps up over the first updates, n = updates before this one (the first, n = 0,
 * copies the parameters in every mode):
 * - 'none': `decay` from the second update on (torch's AveragedModel);
 * - 'numUpdates': min(decay, (1 + n)/(10 + n)) (tf.train.ExponentialMovingAverage's num_updates,
 *   diffusers' EMAModel default), so a short run is not an average dominated by the random init;
 * - { invGamma, power }: min(decay, 1 − (1 + n/invGamma)^(−power)) (diffusers' `use_ema_warmup`;
 *   invGamma 1 and power 2/3 by default, power 3/4 for long runs).
 */
export type EMAWarmup = 'none' | 'numUpdates' | { invGamma?: number; power?: number };

export interface EMAOptions {
  /** The decay once warmed up (default 0.999). */
  decay?: number;
  /** Default 'none'. */
  warmup?: EMAWarmup;
}

/**
 * Exponential moving average of parameters, as torch.optim.swa_utils.AveragedModel with
 * `get_ema_multi_avg_fn(decay)`: the first `update()` copies the parameters, each later one sets
 * `avg ← avg + (1 − d)·(p − avg)` with d = `currentDecay()` (`decay`, or less during a warm-up).
 * The averages are separate tensors; `copyTo` writes them into a module's parameters (e.g. an
 * eval copy) with `assign_`.
 */
export class EMA {
  decay: number;
  readonly warmup: EMAWarmup;
  numUpdates = 0;
  /** The tracked parameters. */
  readonly params: Tensor[];
  /** The averages, one per tracked parameter (detached). */
  shadow: Tensor[];

  constructor(source: Module | Iterable<Tensor>, opts: EMAOptions = {}) {
    const decay = opts.decay ?? 0.999;
    if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1)) throw new ArgumentError(`EMA: decay: expected a number in [0, 1], found ${JSON.stringify(decay)}`);
    this.decay = decay;
    this.warmup = checkWarmup(opts.warmup ?? 'none');
    this.params = paramsOf(source, 'EMA');
    this.shadow = this.params.map((p) => p.detach());
  }

  /** The decay the next `update()` uses (0 for the first, which copies). */
  currentDecay(): number {
    const n = this.numUpdates;
    if (n === 0) return 0;
    const w = this.warmup;
    if (w === 'none') return this.decay;
    if (w === 'numUpdates') return Math.min(this.decay, (1 + n) / (10 + n));
    return Math.min(this.decay, 1 - (1 + n / (w.invGamma ?? 1)) ** -(w.power ?? 2 / 3));
  }

  /** Folds the parameters' current values into the averages. */
  update(): void {
    const d = this.currentDecay();
    noGrad(() => {
      this.shadow = this.params.map((p, i) => (this.numUpdates === 0 ? p.detach() : lerp(this.shadow[i]!, p.detach(), 1 - d)));
    });
    this.numUpdates += 1;
  }

  /** Writes the averages into `target`'s parameters (default: the tracked ones), in order. */
  copyTo(target?: Module | Iterable<Tensor>): void {
    const dst = target === undefined ? this.params : paramsOf(target, 'EMA.copyTo');
    if (dst.length !== this.shadow.length) throw new ArgumentError(`EMA.copyTo: target: expected ${this.shadow.length} parameters, found ${dst.length}`);
    dst.forEach((p, i) => {
      const s = this.shadow[i]!;
      if (p.shape.join() !== s.shape.join()) throw new ArgumentError(`EMA.copyTo: parameter ${i}: expected shape ${fmt(s.shape)}, found ${fmt(p.shape)}`);
    });
    noGrad(() => dst.forEach((p, i) => p.assign_(this.shadow[i]!.to(p.dtype))));
  }

  stateDict(): EMAStateDict {
    return { decay: this.decay, numUpdates: this.numUpdates, shadow: this.shadow.map(encodeTensor) };
  }

  /** Checks count, shapes and numbers before restoring anything. */
  loadStateDict(sd: EMAStateDict): void {
    if (typeof sd !== 'object' || sd === null || !Array.isArray(sd.shadow)) throw new StateDictError('EMA.loadStateDict: expected {decay, numUpdates, shadow}');
    if (sd.shadow.length !== this.params.length) throw new StateDictError(`EMA.loadStateDict: shadow: ${sd.shadow.length} tensors in the state dict, ${this.params.length} parameters tracked`);
    if (typeof sd.decay !== 'number' || !(sd.decay >= 0 && sd.decay <= 1)) throw new StateDictError(`EMA.loadStateDict: decay: expected a number in [0, 1], found ${JSON.stringify(sd.decay)}`);
    if (!Number.isInteger(sd.numUpdates) || sd.numUpdates < 0) throw new StateDictError(`EMA.loadStateDict: numUpdates: expected an integer >= 0, found ${JSON.stringify(sd.numUpdates)}`);
    const shadow = sd.shadow.map((e, i) => {
      const t = decodeTensor(e, `EMA.loadStateDict: shadow[${i}]`);
      const p = this.params[i]!;
      if (t.shape.join() !== p.shape.join()) throw new StateDictError(`EMA.loadStateDict: shadow[${i}]: shape ${fmt(t.shape)} in the state dict, ${fmt(p.shape)} for the parameter`);
      return t.to(p.dtype);
    });
    this.decay = sd.decay;
    this.numUpdates = sd.numUpdates;
    this.shadow = shadow;
  }
}
