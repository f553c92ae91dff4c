// Shared pieces of Conv1d / Conv2d / ConvTranspose2d: argument checks, torch's default
// initialisation, and the (N, C, *S) input check.
import { ArgumentError, type FloatDType, type Generator, ShapeError, type Tensor, conv1d, conv2d, pad, zeros } from '@likelihood/core';
import { computeFans, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkFloatInput, checkInt, floatDType, fmtShape, intTuple } from './util.js';

export type IntOrTuple = number | readonly number[];
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvLayerOptions {
  stride?: IntOrTuple;
  /** Implicit padding on both sides of each spatial dim, or 'valid' (none) / 'same' (stride 1 only). */
  padding?: IntOrTuple | 'valid' | 'same';
  dilation?: IntOrTuple;
  groups?: number;
  /** Learn an additive per-channel bias (default true). */
  bias?: boolean;
  /** How the padding is filled (default 'zeros'), as torch's padding_mode. */
  paddingMode?: PaddingMode;
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the global generator). */
  generator?: Generator;
}

const SPATIAL = ['L', 'H, W', 'D, H, W'];

/** Checks in/out channels against groups, as torch's _ConvNd. */
export function checkChannels(layer: string, inChannels: number, outChannels: number, groups: number): void {
  checkInt(layer, 'inChannels', inChannels, 1);
  checkInt(layer, 'outChannels', outChannels, 1);
  checkInt(layer, 'groups', groups, 1);
  if (inChannels % groups !== 0) throw new ArgumentError(`${layer}: inChannels must be divisible by groups, found inChannels ${inChannels}, groups ${groups}`);
  if (outChannels % groups !== 0) throw new ArgumentError(`${layer}: outChannels must be divisible by groups, found outChannels ${outChannels}, groups ${groups}`);
}

/** Torch's _ConvNd.reset_parameters: kaimingUniform_(a = √5) on the weight, U(±1/√fanIn) on the bias. */
export function resetConvParameters(weight: Tensor, bias: Tensor | null, generator?: Generator): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) }, generator);
  if (bias) {
    const { fanIn } = computeFans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, generator);
  }
}

/** Checks (N, C, *S) or (C, *S) input with C = `channels`. */
export function checkConvInput(layer: string, x: Tensor, nsp: number, channels: number): void {
  checkFloatInput(layer, x);
  if ((x.ndim !== nsp + 2 && x.ndim !== nsp + 1) || x.shape[x.ndim - nsp - 1] !== channels) {
    const sp = SPATIAL[nsp - 1];
    throw new ShapeError(`${layer}: expected input of shape (N, ${channels}, ${sp}) or (${channels}, ${sp}), found shape ${fmtShape(x.shape)}`);
  }
}

/** Conv1d and Conv2d (torch.nn.modules.conv._ConvNd with transposed=False). */
export abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[] | 'valid' | 'same';
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;
  /** torch's _reversed_padding_repeated_twice: F.pad arguments for non-zero padding modes. */
  private readonly _padArg: number[];
  private readonly _nsp: number;
  private readonly _layer: string;

  constructor(layer: string, nsp: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions) {
    super();
    const groups = opts.groups ?? 1;
    checkChannels(layer, inChannels, outChannels, groups);
    const k = intTuple(layer, 'kernelSize', kernelSize, nsp, 1);
    const stride = intTuple(layer, 'stride', opts.stride ?? 1, nsp, 1);
    const dilation = intTuple(layer, 'dilation', opts.dilation ?? 1, nsp, 1);
    const p = opts.padding ?? 0;
    let padding: number[] | 'valid' | 'same';
    let perDim: [number, number][];
    if (p === 'valid' || p === 'same') {
      if (p === 'same' && stride.some((s) => s !== 1)) {
        throw new ArgumentError(`${layer}: padding 'same' is not supported for strided convolutions, found stride ${JSON.stringify(opts.stride)}`);
      }
      padding = p;
      perDim = k.map((kk, i) => {
        const total = p === 'same' ? dilation[i]! * (kk - 1) : 0;
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      });
    } else if (typeof p === 'string') {
      throw new ArgumentError(`${layer}: padding must be an int, a list of ${nsp} ints, 'valid' or 'same', found '${p}'`);
    } else {
      padding = intTuple(layer, 'padding', p, nsp, 0);
      perDim = padding.map((v) => [v, v]);
    }
    const mode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
      throw new ArgumentError(`${layer}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', found '${String(mode)}'`);
    }
    const dtype = floatDType(layer, opts.dtype);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = Object.freeze(k);
    this.stride = Object.freeze(stride);
    this.padding = typeof padding === 'string' ? padding : Object.freeze(padding);
    this.dilation = Object.freeze(dilation);
    this.groups = groups;
    this.paddingMode = mode;
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...k], { dtype }));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outChannels], { dtype })) : null;
    this._padArg = [...perDim].reverse().flat();
    this._nsp = nsp;
    this._layer = layer;
    this.resetParameters(opts.generator);
  }

  /** Torch's default initialisation, drawn again. */
  resetParameters(generator?: Generator): void {
    resetConvParameters(this.weight, this.bias, generator);
  }

  forward(x: Tensor): Tensor {
    checkConvInput(this._layer, x, this._nsp, this.inChannels);
    const fn = this._nsp === 1 ? conv1d : conv2d;
    const common = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros') {
      const xp = pad(x, this._padArg, this.paddingMode);
      return fn(xp, this.weight, this.bias, { ...common, padding: 0 });
    }
    return fn(x, this.weight, this.bias, { ...common, padding: this.padding });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=${fmtShape(this.kernelSize)}, stride=${fmtShape(this.stride)}`];
    parts.push(`padding=${typeof this.padding === 'string' ? `'${this.padding}'` : fmtShape(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${fmtShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    if (this.paddingMode !== 'zeros') parts.push(`paddingMode='${this.paddingMode}'`);
    return parts.join(', ');
  }
}
