import { ArgumentError, type FloatDType, type Generator, type Tensor, convTranspose2d, zeros } from '@likelihood/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { type IntOrTuple, checkChannels, checkConvInput, resetConvParameters } from './_conv.js';
import { floatDType, fmtShape, intTuple } from './util.js';

export interface ConvTranspose2dOptions {
  stride?: IntOrTuple;
  /** dilation·(kernelSize − 1) − padding zeros are added to both sides of the input (torch's meaning). */
  padding?: IntOrTuple;
  /** Extra size added to one side of the output; must be smaller than stride or dilation. */
  outputPadding?: IntOrTuple;
  groups?: number;
  /** Learn an additive per-channel bias (default true). */
  bias?: boolean;
  dilation?: IntOrTuple;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Transposed 2-D convolution (torch.nn.ConvTranspose2d), the gradient of Conv2d with respect
 * to its input. `weight` is (inChannels, outChannels / groups, kH, kW), `bias` (outChannels).
 * Default init as torch (fanIn taken from the weight's dim 1: outChannels / groups · kH · kW).
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly outputPadding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTranspose2dOptions = {}) {
    super();
    const layer = 'ConvTranspose2d';
    const groups = opts.groups ?? 1;
    checkChannels(layer, inChannels, outChannels, groups);
    this.kernelSize = Object.freeze(intTuple(layer, 'kernelSize', kernelSize, 2, 1));
    this.stride = Object.freeze(intTuple(layer, 'stride', opts.stride ?? 1, 2, 1));
    this.padding = Object.freeze(intTuple(layer, 'padding', opts.padding ?? 0, 2, 0));
    this.outputPadding = Object.freeze(intTuple(layer, 'outputPadding', opts.outputPadding ?? 0, 2, 0));
    this.dilation = Object.freeze(intTuple(layer, 'dilation', opts.dilation ?? 1, 2, 1));
    this.outputPadding.forEach((op, i) => {
      if (op >= this.stride[i]! && op >= this.dilation[i]!) {
        throw new ArgumentError(
          `${layer}: outputPadding must be smaller than either stride or dilation, found outputPadding ${fmtShape(this.outputPadding)}, stride ${fmtShape(this.stride)}, dilation ${fmtShape(this.dilation)}`,
        );
      }
    });
    const dtype = floatDType(layer, opts.dtype);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.weight = new Parameter(zeros([inChannels, outChannels / groups, ...this.kernelSize], { dtype }));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters(opts.generator);
  }

  /** Torch's default initialisation, drawn again. */
  resetParameters(generator?: Generator): void {
    resetConvParameters(this.weight, this.bias, generator);
  }

  forward(x: Tensor): Tensor {
    checkConvInput('ConvTranspose2d', x, 2, this.inChannels);
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=${fmtShape(this.kernelSize)}, stride=${fmtShape(this.stride)}, padding=${fmtShape(this.padding)}`];
    if (this.outputPadding.some((d) => d !== 0)) parts.push(`outputPadding=${fmtShape(this.outputPadding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${fmtShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    return parts.join(', ');
  }
}
