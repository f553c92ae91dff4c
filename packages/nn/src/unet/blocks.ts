import { ArgumentError, type FloatDType, type Generator, type Tensor, cat, dropout, silu, upsampleNearest } from '@likelihood/core';
import { constant_ } from '../init.js';
import { scaledDotProductAttention } from '../attention/sdpa.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/groupNorm.js';
import { Linear } from '../layers/linear.js';
import { Module } from '../module.js';

export interface BlockOptions {
  groups: number;
  dropout: number;
  dtype?: FloatDType;
  generator?: Generator;
}

function zeroInit(conv: Conv2d): Conv2d {
  constant_(conv.weight, 0);
  if (conv.bias) constant_(conv.bias, 0);
  return conv;
}

function checkGroups(where: string, channels: number, groups: number): void {
  if (channels % groups !== 0) throw new ArgumentError(`${where}: ${channels} channels are not divisible into ${groups} GroupNorm groups`);
}

/**
 * DDPM's residual block: GroupNorm → SiLU → 3×3 conv, plus a projection of the time embedding
 * added per channel, then GroupNorm → SiLU → dropout → 3×3 conv (zero-initialised, so the block
 * starts as the identity), and a 1×1 conv on the skip path when the channel count changes.
 */
export class ResBlock extends Module {
  norm1: GroupNorm;
  conv1: Conv2d;
  temb_proj: Linear | null;
  norm2: GroupNorm;
  conv2: Conv2d;
  skip: Conv2d | null;
  readonly dropoutP: number;
  private readonly _gen: Generator | undefined;

  constructor(inChannels: number, outChannels: number, tembDim: number | null, o: BlockOptions) {
    super();
    checkGroups('ResBlock', inChannels, o.groups);
    checkGroups('ResBlock', outChannels, o.groups);
    const c = { dtype: o.dtype, generator: o.generator };
    this.norm1 = new GroupNorm(o.groups, inChannels, { dtype: o.dtype });
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1, ...c });
    this.temb_proj = tembDim ? new Linear(tembDim, outChannels, c) : null;
    this.norm2 = new GroupNorm(o.groups, outChannels, { dtype: o.dtype });
    this.conv2 = zeroInit(new Conv2d(outChannels, outChannels, 3, { padding: 1, ...c }));
    this.skip = inChannels === outChannels ? null : new Conv2d(inChannels, outChannels, 1, c);
    this.dropoutP = o.dropout;
    this._gen = o.generator;
  }

  /** x: [B, Cin, H, W], temb: [B, tembDim] → [B, Cout, H, W]. */
  forward(x: Tensor, temb?: Tensor | null): Tensor {
    let h = this.conv1.forward(this.norm1.forwardSilu(x));
    if (this.temb_proj && temb) h = h.add(this.temb_proj.forward(silu(temb)).unsqueeze(-1).unsqueeze(-1)); // [B, C] -> [B, C, 1, 1]
    h = this.conv2.forward(dropout(this.norm2.forwardSilu(h), this.dropoutP, this.training, this._gen));
    return (this.skip ? this.skip.forward(x) : x).add(h);
  }
}

/** Self-attention over the H·W positions of a feature map, with a residual connection. */
export class AttentionBlock extends Module {
  norm: GroupNorm;
  qkv: Conv2d;
  proj: Conv2d;
  readonly heads: number;

  constructor(channels: number, o: BlockOptions & { heads?: number }) {
    super();
    checkGroups('AttentionBlock', channels, o.groups);
    this.heads = o.heads ?? 1;
    if (channels % this.heads !== 0) throw new ArgumentError(`AttentionBlock: ${channels} channels are not divisible into ${this.heads} heads`);
    const c = { dtype: o.dtype, generator: o.generator };
    this.norm = new GroupNorm(o.groups, channels, { dtype: o.dtype });
    this.qkv = new Conv2d(channels, 3 * channels, 1, c);
    this.proj = zeroInit(new Conv2d(channels, channels, 1, c));
  }

  forward(x: Tensor): Tensor {
    const [B, C, H, W] = x.shape as [number, number, number, number];
    const nh = this.heads;
    const qkv = this.qkv.forward(this.norm.forward(x)).reshape([B, 3, nh, C / nh, H * W]); // [B, 3C, H, W] -> [B, 3, nh, d, HW]
    const [q, k, v] = [0, 1, 2].map((i) => qkv.narrow(1, i, 1).squeeze(1).transpose(-1, -2)) as [Tensor, Tensor, Tensor]; // [B, nh, HW, d]
    const y = scaledDotProductAttention(q, k, v).transpose(-1, -2).reshape([B, C, H, W]); // [B, nh, HW, d] -> [B, C, H, W]
    return x.add(this.proj.forward(y));
  }
}

/** Halves H and W with a stride-2 3×3 conv. */
export class Downsample extends Module {
  conv: Conv2d;
  constructor(channels: number, o: BlockOptions) {
    super();
    this.conv = new Conv2d(channels, channels, 3, { stride: 2, padding: 1, dtype: o.dtype, generator: o.generator });
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
}

/** Doubles H and W by nearest-neighbour upsampling followed by a 3×3 conv. */
export class Upsample extends Module {
  conv: Conv2d;
  constructor(channels: number, o: BlockOptions) {
    super();
    this.conv = new Conv2d(channels, channels, 3, { padding: 1, dtype: o.dtype, generator: o.generator });
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(upsampleNearest(x, 2));
  }
}

/** Concatenates a skip connection along channels (U-Net decoder input). */
export const concatSkip = (h: Tensor, skip: Tensor): Tensor => cat([h, skip], 1);
