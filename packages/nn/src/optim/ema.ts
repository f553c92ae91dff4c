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


function paramsOf(src: Module | Iterable<Tensor>, op: string): Tensor[] {
  const list = src instanceof Module ? src.parameters() : [...src];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ArgumentError(`${op}: params[${i}]: expected a Tensor, found ${typeof p}`);
  });
  return list;
}

/**
 * Exponential moving average of parameters, as torch.optim.swa_utils.AveragedModel with
 * `get_ema_multi_avg_fn(decay)`: the first `update()` copies the parameters, each later one sets
 * `avg ← avg + (1 − decay)·(p − avg)`. The averages are separate tensors; `copyTo` writes them
 * into a module's parameters (e.g. an eval copy) with `assign_`.
 */
export class EMA {
  decay: number;
  numUpdates = 0;
  /** The tracked parameters. */
  readonly params: Tensor[];
  /** The averages, one per tracked parameter (detached). */
  shadow: Tensor[];

  constructor(source: Module | Iterable<Tensor>, opts: { decay?: number } = {}) {
    const decay = opts.decay ?? 0.999;
    if (typeof decay !== 'number' || !(decay >= 0 && decay <= 1)) throw new ArgumentError(`EMA: decay: expected a number in [0, 1], found ${JSON.stringify(decay)}`);
    this.decay = decay;
    this.params = paramsOf(source, 'EMA');
    this.shadow = this.params.map((p) => p.detach());
  }

  /** Folds the parameters' current values into the averages. */
  update(): void {
    noGrad(() => {
      this.shadow = this.params.map((p, i) => (this.numUpdates === 0 ? p.detach() : lerp(this.shadow[i]!, p.detach(), 1 - this.decay)));
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
