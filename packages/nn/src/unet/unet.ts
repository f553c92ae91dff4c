import { ArgumentError, type FloatDType, type Generator, ShapeError, type Tensor, silu } from '@likelihood/core';
import { Conv2d } from '../layers/conv2d.js';
import { Embedding } from '../layers/embedding.js';
import { GroupNorm } from '../layers/groupNorm.js';
import { Linear } from '../layers/linear.js';
import { ModuleList } from '../containers.js';
import { Module } from '../module.js';
import { sinusoidalEmbedding } from '../timeEmbedding.js';
import { constant_ } from '../init.js';
import { AttentionBlock, type BlockOptions, Downsample, ResBlock, Upsample, concatSkip } from './blocks.js';

export interface UNetOptions {
  inChannels: number;
  /** Output channels (default inChannels; 2·inChannels for a learned-variance diffusion model). */
  outChannels?: number;
  /** Channels at the first level (default 32). */
  baseChannels?: number;
  /** Channel multiplier per level; each level after the first halves H and W (default [1, 2]). */
  channelMults?: number[];
  /** Residual blocks per level (default 1). */
  numResBlocks?: number;
  /** Levels (0-based) that get self-attention after each residual block (default: the last). */
  attentionLevels?: number[];
  /** GroupNorm groups (default 8). */
  groups?: number;
  dropout?: number;
  /** Condition on a timestep t (default true). */
  timeConditioning?: boolean;
  /** Condition on a class label too, through a learned embedding added to the time embedding. */
  numClasses?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/** A residual block optionally followed by self-attention: one stage of a U-Net level. */
export class UNetStage extends Module {
  res: ResBlock;
  attn: AttentionBlock | null;
  constructor(res: ResBlock, attn: AttentionBlock | null) {
    super();
    this.res = res;
    this.attn = attn;
  }
  forward(x: Tensor, temb: Tensor | null): Tensor {
    const h = this.res.forward(x, temb);
    return this.attn ? this.attn.forward(h) : h;
  }
}

/**
 * A small DDPM-style U-Net (Ho et al. 2020) for the diffusion and VAE packages: a 3×3 input
 * conv, `channelMults.length` levels of residual blocks (with self-attention at
 * `attentionLevels`) joined by stride-2 downsampling, a middle ResBlock–attention–ResBlock, a
 * mirrored decoder that concatenates the encoder's activations (skip connections) and upsamples,
 * and a zero-initialised GroupNorm–SiLU–conv output. The timestep enters through a sinusoidal
 * embedding and a 2-layer MLP, added to every residual block.
 *
 * forward(x: [B, inChannels, H, W], t?: [B], y?: [B] int32) → [B, outChannels, H, W];
 * H and W must be divisible by 2^(levels − 1).
 */
export class UNet extends Module {
  readonly levels: number;
  readonly baseChannels: number;
  time_mlp: ModuleList<Linear> | null;
  class_embed: Embedding | null;
  conv_in: Conv2d;
  down: ModuleList<UNetStage | Downsample>;
  mid: ModuleList<UNetStage>;
  up: ModuleList<UNetStage | Upsample>;
  norm_out: GroupNorm;
  conv_out: Conv2d;

  constructor(opts: UNetOptions) {
    super();
    const base = opts.baseChannels ?? 32;
    const mults = opts.channelMults ?? [1, 2];
    const nRes = opts.numResBlocks ?? 1;
    if (mults.length < 1 || mults.some((m) => !Number.isInteger(m) || m < 1)) {
      throw new ArgumentError(`UNet: channelMults must be a non-empty list of positive integers, found [${mults.join(', ')}]`);
    }
    if (!Number.isInteger(nRes) || nRes < 1) throw new ArgumentError(`UNet: numResBlocks must be a positive integer, found ${nRes}`);
    const attnLevels = new Set(opts.attentionLevels ?? [mults.length - 1]);
    for (const l of attnLevels) if (!(l >= 0 && l < mults.length)) throw new ArgumentError(`UNet: attentionLevels has level ${l}, but there are ${mults.length} levels`);
    const o: BlockOptions = { groups: opts.groups ?? 8, dropout: opts.dropout ?? 0, dtype: opts.dtype, generator: opts.generator };
    const c = { dtype: opts.dtype, generator: opts.generator };
    this.levels = mults.length;
    this.baseChannels = base;
    const tdim = opts.timeConditioning === false ? null : 4 * base;
    this.time_mlp = tdim ? new ModuleList([new Linear(base, tdim, c), new Linear(tdim, tdim, c)]) : null;
    this.class_embed = opts.numClasses && tdim ? new Embedding(opts.numClasses, tdim, c) : null;
    this.conv_in = new Conv2d(opts.inChannels, base, 3, { padding: 1, ...c });

    const stage = (cin: number, cout: number, level: number) =>
      new UNetStage(new ResBlock(cin, cout, tdim, o), attnLevels.has(level) ? new AttentionBlock(cout, o) : null);
    this.down = new ModuleList();
    const skips = [base];
    let ch = base;
    mults.forEach((m, level) => {
      for (let i = 0; i < nRes; i++) {
        this.down.push(stage(ch, base * m, level));
        ch = base * m;
        skips.push(ch);
      }
      if (level < mults.length - 1) {
        this.down.push(new Downsample(ch, o));
        skips.push(ch);
      }
    });
    this.mid = new ModuleList([new UNetStage(new ResBlock(ch, ch, tdim, o), new AttentionBlock(ch, o)), stage(ch, ch, -1)]);
    this.up = new ModuleList();
    for (let level = mults.length - 1; level >= 0; level--) {
      for (let i = 0; i < nRes + 1; i++) {
        this.up.push(stage(ch + skips.pop()!, base * mults[level]!, level));
        ch = base * mults[level]!;
      }
      if (level > 0) this.up.push(new Upsample(ch, o));
    }
    this.norm_out = new GroupNorm(o.groups, ch, { dtype: opts.dtype });
    this.conv_out = new Conv2d(ch, opts.outChannels ?? opts.inChannels, 3, { padding: 1, ...c });
    constant_(this.conv_out.weight, 0);
    if (this.conv_out.bias) constant_(this.conv_out.bias, 0);
  }

  forward(x: Tensor, t?: Tensor | null, y?: Tensor | null): Tensor {
    if (x.ndim !== 4) throw new ShapeError(`UNet: expected input [B, C, H, W], found [${x.shape.join(', ')}]`);
    const f = 2 ** (this.levels - 1);
    if (x.shape[2]! % f !== 0 || x.shape[3]! % f !== 0) {
      throw new ShapeError(`UNet: H and W must be divisible by ${f} for ${this.levels} levels, found [${x.shape.join(', ')}]`);
    }
    let temb: Tensor | null = null;
    if (this.time_mlp) {
      if (!t) throw new ArgumentError('UNet: this U-Net is time-conditioned; pass timesteps t of shape [B]');
      if (t.ndim !== 1 || t.shape[0] !== x.shape[0]) throw new ShapeError(`UNet: expected timesteps [${x.shape[0]}], found [${t.shape.join(', ')}]`);
      const [l1, l2] = [this.time_mlp.at(0), this.time_mlp.at(1)];
      temb = l2.forward(silu(l1.forward(sinusoidalEmbedding(t, this.baseChannels, { dtype: x.dtype as FloatDType }))));
      if (this.class_embed) {
        if (!y) throw new ArgumentError('UNet: this U-Net is class-conditioned; pass labels y of shape [B]');
        temb = temb.add(this.class_embed.forward(y));
      }
    }
    let h = this.conv_in.forward(x);
    const hs = [h];
    for (const m of this.down) {
      h = m instanceof UNetStage ? m.forward(h, temb) : m.forward(h);
      hs.push(h);
    }
    for (const m of this.mid) h = m.forward(h, temb);
    for (const m of this.up) h = m instanceof UNetStage ? m.forward(concatSkip(h, hs.pop()!), temb) : m.forward(h);
    return this.conv_out.forward(this.norm_out.forwardSilu(h));
  }
}
