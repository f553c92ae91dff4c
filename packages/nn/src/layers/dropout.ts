import { ArgumentError, type Generator, type Tensor, dropout } from '@likelihood/core';
import { Module } from '../module.js';

export interface DropoutOptions {
  /** Generator for the masks (default: the global generator). */
  generator?: Generator;
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p) while training;
 * the identity in eval mode (torch.nn.Dropout).
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly _generator: Generator | undefined;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ArgumentError(`Dropout: p must be a probability in [0, 1], found ${String(p)}`);
    }
    this.p = p;
    this._generator = opts.generator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this._generator);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
