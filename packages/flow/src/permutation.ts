import { ArgumentError, type Generator, Tensor, indexSelect, randperm } from '@likelihood/core';
import { Bijector, zeroLogDet } from './bijector.js';
import { type EventDim, checkChannels, checkEventDim } from './channels.js';

/**
 * A fixed permutation of the features (dim 1 of [N, D], or the channels of [N, C, H, W]):
 * forward y[:, i] = x[:, perm[i]]. Volume preserving, log|det| = 0. Stored as buffers.
 */
export class Permutation extends Bijector {
  readonly eventDim: EventDim;
  readonly features: number;
  declare perm: Tensor;
  declare invPerm: Tensor;

  constructor(perm: readonly number[] | Tensor, opts: { eventDim?: EventDim } = {}) {
    super();
    const p = perm instanceof Tensor ? Array.from(perm.storage as ArrayLike<number>) : [...perm];
    const sorted = [...p].sort((a, b) => a - b);
    if (p.length === 0 || sorted.some((v, i) => v !== i)) {
      throw new ArgumentError(`Permutation: perm must be a permutation of 0..n−1, found [${p.join(', ')}]`);
    }
    this.eventDim = checkEventDim('Permutation', opts.eventDim ?? 1);
    this.features = p.length;
    const inv = new Int32Array(p.length);
    p.forEach((v, i) => (inv[v] = i));
    this.registerBuffer('perm', new Tensor(Int32Array.from(p), [p.length], 'int32'));
    this.registerBuffer('invPerm', new Tensor(inv, [p.length], 'int32'));
  }

  /** A uniformly random permutation drawn from `generator`. */
  static random(features: number, opts: { eventDim?: EventDim; generator?: Generator } = {}): Permutation {
    return new Permutation(randperm(features, { generator: opts.generator }), opts);
  }

  forward(x: Tensor) {
    checkChannels('Permutation.forward', x, this.features, this.eventDim);
    return { y: indexSelect(x, 1, this.perm), logAbsDet: zeroLogDet(x, this.eventDim) };
  }
  inverse(y: Tensor) {
    checkChannels('Permutation.inverse', y, this.features, this.eventDim);
    return { x: indexSelect(y, 1, this.invPerm), logAbsDet: zeroLogDet(y, this.eventDim) };
  }
}

/** Reverses the order of the features (RealNVP/MAF between layers). */
export class Reverse extends Permutation {
  constructor(features: number, opts: { eventDim?: EventDim } = {}) {
    super(Array.from({ length: features }, (_, i) => features - 1 - i), opts);
  }
}
