import { type Tensor, cat } from '@likelihood/core';

/**
 * Keys and values of the positions seen so far, per attention layer, for incremental decoding:
 * each step feeds only the new tokens and attends to everything cached. Shapes [B, H, T, headDim].
 */
export class KVCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  /** Number of cached positions. */
  get length(): number {
    return this.k ? this.k.shape[2]! : 0;
  }

  /** Appends the new keys and values along the time axis and returns the full ones. */
  append(k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    this.k = this.k ? cat([this.k, k], 2) : k;
    this.v = this.v ? cat([this.v, v], 2) : v;
    return { k: this.k, v: this.v };
  }

  reset(): void {
    this.k = null;
    this.v = null;
  }
}
