import { ArgumentError, type FloatDType, ShapeError, type Tensor, groupNorm, groupNormSilu, ones, zeros } from '@likelihood/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkFloatInput, checkInt, checkPositive, floatDType, fmtShape } from './util.js';

export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros); default true. */
  affine?: boolean;
  dtype?: FloatDType;
}

/** Normalises (N, C, *) input over groups of C / numGroups channels (torch.nn.GroupNorm). */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    checkInt('GroupNorm', 'numGroups', numGroups, 1);
    checkInt('GroupNorm', 'numChannels', numChannels, 1);
    if (numChannels % numGroups !== 0) {
      throw new ArgumentError(`GroupNorm: numChannels must be divisible by numGroups, found numChannels ${numChannels}, numGroups ${numGroups}`);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    checkPositive('GroupNorm', 'eps', this.eps, true);
    this.affine = opts.affine ?? true;
    const dtype = floatDType('GroupNorm', opts.dtype);
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  /** silu(forward(x)) in one fused kernel each way (core's groupNormSilu): a U-Net block's norm-then-activate. */
  forwardSilu(x: Tensor): Tensor {
    this.checkInput(x);
    return groupNormSilu(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  private checkInput(x: Tensor): void {
    checkFloatInput('GroupNorm', x);
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm: expected input of shape (N, ${this.numChannels}, *), found shape ${fmtShape(x.shape)}`);
    }
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}
