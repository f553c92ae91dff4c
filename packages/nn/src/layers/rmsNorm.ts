import { type FloatDType, type Tensor, add, mean, mul, ones, rsqrt } from '@likelihood/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkFloatInput, checkPositive, checkTrailing, finfoEps, floatDType, fmtShape, normalizedShapeOf } from './util.js';

export interface RMSNormOptions {
  /** Added to the mean square; default (null) is the input dtype's machine epsilon, as torch. */
  eps?: number | null;
  /** Learn a per-element scale `weight` (ones); default true. RMSNorm has no bias. */
  elementwiseAffine?: boolean;
  dtype?: FloatDType;
}

/** y = x / √(mean(x²) + eps) · weight over the trailing `normalizedShape` dims (torch.nn.RMSNorm). */
export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: RMSNormOptions = {}) {
    super();
    this.normalizedShape = Object.freeze(normalizedShapeOf('RMSNorm', normalizedShape));
    this.eps = opts.eps ?? null;
    if (this.eps !== null) checkPositive('RMSNorm', 'eps', this.eps, true);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = floatDType('RMSNorm', opts.dtype);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    checkFloatInput('RMSNorm', x);
    checkTrailing('RMSNorm', x, this.normalizedShape);
    const k = this.normalizedShape.length;
    const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const eps = this.eps ?? finfoEps(x.dtype);
    const y = mul(x, rsqrt(add(mean(mul(x, x), dims, true), eps)));
    return this.weight ? mul(y, this.weight) : y;
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
