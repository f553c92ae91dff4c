import { ArgumentError, type FloatDType, type Generator, ShapeError, type Tensor, causalAttentionPacked, dropout } from '@likelihood/core';
import { Linear } from '../layers/linear.js';
import { Module } from '../module.js';
import type { KVCache } from './kvCache.js';
import { scaledDotProductAttention } from './sdpa.js';

export interface CausalSelfAttentionOptions {
  nEmbd: number;
  nHead: number;
  /** Dropout on attention weights and on the output projection (default 0). */
  dropout?: number;
  /** Biases in the two projections (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Multi-head causal self-attention as in GPT-2 / nanoGPT: one projection to q, k, v
 * (`c_attn`, nEmbd → 3·nEmbd), scaled dot-product attention per head, and an output
 * projection (`c_proj`). Parameter names follow nanoGPT's module, whose weights are
 * torch.nn.Linear's [out, in]; Hugging Face GPT-2 stores the transposes (Conv1D).
 * With a `KVCache`, only the new positions are computed and attend to all cached ones.
 */
export class CausalSelfAttention extends Module {
  readonly nEmbd: number;
  readonly nHead: number;
  readonly dropoutP: number;
  c_attn: Linear;
  c_proj: Linear;
  /** Generator for dropout masks (default: the global generator). */
  generator: Generator | undefined;

  constructor(opts: CausalSelfAttentionOptions) {
    super();
    const { nEmbd, nHead } = opts;
    if (!Number.isInteger(nHead) || nHead < 1) throw new ArgumentError(`CausalSelfAttention: nHead must be a positive integer, found ${nHead}`);
    if (!Number.isInteger(nEmbd) || nEmbd % nHead !== 0) {
      throw new ArgumentError(`CausalSelfAttention: nEmbd must be a multiple of nHead (${nHead}), found ${nEmbd}`);
    }
    const p = opts.dropout ?? 0;
    if (!(p >= 0 && p < 1)) throw new ArgumentError(`CausalSelfAttention: dropout must be in [0, 1), found ${p}`);
    this.nEmbd = nEmbd;
    this.nHead = nHead;
    this.dropoutP = p;
    const lin = { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator };
    this.c_attn = new Linear(nEmbd, 3 * nEmbd, lin);
    this.c_proj = new Linear(nEmbd, nEmbd, lin);
    this.generator = opts.generator;
  }

  /** x: [B, T, nEmbd] → [B, T, nEmbd]. */
  forward(x: Tensor, opts: { cache?: KVCache } = {}): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.nEmbd) {
      throw new ShapeError(`CausalSelfAttention: expected input [B, T, ${this.nEmbd}], found [${x.shape.join(', ')}]`);
    }
    const [B, T] = x.shape as [number, number, number];
    const H = this.nHead;
    if (!opts.cache && (this.dropoutP === 0 || !this.training)) {
      // Same computation on the packed projection: one fused kernel each way in eager float32.
      const y = causalAttentionPacked(this.c_attn.forward(x), H); // [B, T, C]
      return dropout(this.c_proj.forward(y), this.dropoutP, this.training, this.generator);
    }
    const hd = this.nEmbd / H;
    const heads = (t: Tensor) => t.reshape([B, T, H, hd]).transpose(1, 2); // [B, T, C] -> [B, H, T, hd]
    const [q, kNew, vNew] = this.c_attn.forward(x).split(this.nEmbd, 2).map(heads) as [Tensor, Tensor, Tensor];
    const { k, v } = opts.cache ? opts.cache.append(kNew, vNew) : { k: kNew, v: vNew };
    const y = scaledDotProductAttention(q, k, v, {
      causal: true,
      dropoutP: this.dropoutP,
      training: this.training,
      generator: this.generator,
    }); // [B, H, T, hd]
    const merged = y.transpose(1, 2).reshape([B, T, this.nEmbd]); // [B, H, T, hd] -> [B, T, C]
    return dropout(this.c_proj.forward(merged), this.dropoutP, this.training, this.generator);
  }

  override extraRepr(): string {
    return `nEmbd=${this.nEmbd}, nHead=${this.nHead}, dropout=${this.dropoutP}`;
  }
}
