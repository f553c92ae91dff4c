import { type FloatDType, type Generator, type LinearActivation, ShapeError, type Tensor, linear, zeros } from '@likelihood/core';
import { computeFans, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkFloatInput, checkInt, floatDType, fmtShape } from './util.js';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the global generator). */
  generator?: Generator;
}

/**
 * y = x Wᵀ + b over the last dim (torch.nn.Linear). `weight` is (outFeatures, inFeatures) and
 * `bias` (outFeatures), initialised as torch: kaimingUniform_(a = √5), which is
 * U(−1/√inFeatures, 1/√inFeatures), for both.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkInt('Linear', 'inFeatures', inFeatures, 0);
    checkInt('Linear', 'outFeatures', outFeatures, 0);
    const dtype = floatDType('Linear', opts.dtype);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = opts.bias ?? true ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters(opts.generator);
  }

  /** Torch's default initialisation, drawn again. */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) }, generator);
    if (this.bias) {
      const { fanIn } = computeFans(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound, generator);
    }
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, null);
  }

  /**
   * forward followed by `activation`, one kernel call each way where core fuses them (float32):
   * what MLP runs for a Linear followed by a SiLU or ReLU module.
   */
  forwardActivated(x: Tensor, activation: LinearActivation | null): Tensor {
    checkFloatInput('Linear', x);
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear: expected input with last dim ${this.inFeatures}, found shape ${fmtShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias, { activation }); // (*, out)
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
