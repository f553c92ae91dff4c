import { type FloatDType, type Tensor, layerNorm, ones, zeros } from '@likelihood/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkFloatInput, checkPositive, checkTrailing, floatDType, fmtShape, normalizedShapeOf } from './util.js';

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale `weight` (ones) and shift `bias` (zeros); default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn the shift (default true). */
  bias?: boolean;
  dtype?: FloatDType;
}

/** Layer normalisation over the trailing `normalizedShape` dims (torch.nn.LayerNorm), biased variance. */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = Object.freeze(normalizedShapeOf('LayerNorm', normalizedShape));
    this.eps = opts.eps ?? 1e-5;
    checkPositive('LayerNorm', 'eps', this.eps, true);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = floatDType('LayerNorm', opts.dtype);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    checkFloatInput('LayerNorm', x);
    checkTrailing('LayerNorm', x, this.normalizedShape);
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
