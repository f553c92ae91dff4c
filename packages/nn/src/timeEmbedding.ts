import { type SinusoidalOptions, type Tensor, sinusoidalEmbedding } from '@likelihood/core';
import { Module } from './module.js';

// The function lives in core (one wasm pass in float32); nn re-exports it beside its module.
export { sinusoidalEmbedding, type SinusoidalOptions };

/** `sinusoidalEmbedding` as a module with no parameters (a U-Net's time input, positions). */
export class SinusoidalEmbedding extends Module {
  constructor(
    readonly dim: number,
    readonly opts: SinusoidalOptions = {},
  ) {
    super();
  }

  forward(t: Tensor): Tensor {
    return sinusoidalEmbedding(t, this.dim, this.opts);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
