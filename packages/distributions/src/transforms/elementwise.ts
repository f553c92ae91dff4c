import { type Tensor, type TensorLike, abs, clamp, exp, log, log1p, logSigmoid, reciprocal, sigmoid, softplus, tanh } from '@likelihood/core';
import * as C from '../constraints.js';
import { type ForwardResult, type InverseResult, Transform } from './transform.js';

/** y = exp(x); log|dy/dx| = x. */
export class ExpTransform extends Transform {
  readonly domain = C.real;
  readonly codomain = C.positive;
  forward(x: Tensor): ForwardResult {
    return { y: exp(x), logAbsDet: x };
  }
  inverse(y: Tensor): InverseResult {
    const x = log(y);
    return { x, logAbsDet: x.neg() };
  }
}

/** y = loc + scale·x, elementwise (scale broadcast); log|dy/dx| = log|scale|. */
export class AffineTransform extends Transform {
  readonly domain = C.real;
  readonly codomain = C.real;
  readonly loc: TensorLike;
  readonly scale: TensorLike;
  constructor(loc: TensorLike, scale: TensorLike) {
    super();
    this.loc = loc;
    this.scale = scale;
  }
  override get sign(): number {
    return typeof this.scale === 'number' ? Math.sign(this.scale) : Math.sign(this.scale.storage[0]!);
  }
  private logScale(like: Tensor): Tensor {
    const s = typeof this.scale === 'number' ? like.mul(0).add(Math.abs(this.scale)) : abs(this.scale).expand([...like.shape]);
    return log(s);
  }
  forward(x: Tensor): ForwardResult {
    const y = x.mul(this.scale).add(this.loc);
    return { y, logAbsDet: this.logScale(y) };
  }
  inverse(y: Tensor): InverseResult {
    const x = y.sub(this.loc).div(this.scale);
    return { x, logAbsDet: this.logScale(x).neg() };
  }
}

/** y = sigmoid(x); log|dy/dx| = logσ(x) + logσ(−x), exact in the tails. */
export class SigmoidTransform extends Transform {
  readonly domain = C.real;
  readonly codomain = C.unitInterval;
  forward(x: Tensor): ForwardResult {
    return { y: sigmoid(x), logAbsDet: logSigmoid(x).add(logSigmoid(x.neg())) };
  }
  inverse(y: Tensor): InverseResult {
    const x = log(y).sub(log1p(y.neg())); // logit
    return { x, logAbsDet: logSigmoid(x).add(logSigmoid(x.neg())).neg() };
  }
}

/** y = tanh(x); log|dy/dx| = 2(log 2 − x − softplus(−2x)), stable form used by torch. */
export class TanhTransform extends Transform {
  readonly domain = C.real;
  readonly codomain = C.interval(-1, 1);
  private static logDet(x: Tensor): Tensor {
    return x.neg().sub(softplus(x.mul(-2))).add(Math.LN2).mul(2);
  }
  forward(x: Tensor): ForwardResult {
    return { y: tanh(x), logAbsDet: TanhTransform.logDet(x) };
  }
  inverse(y: Tensor): InverseResult {
    const x = log1p(y).sub(log1p(y.neg())).mul(0.5); // atanh
    return { x, logAbsDet: TanhTransform.logDet(x).neg() };
  }
}

/** y = softplus(x) = log(1 + eˣ); log|dy/dx| = −softplus(−x). */
export class SoftplusTransform extends Transform {
  readonly domain = C.real;
  readonly codomain = C.positive;
  forward(x: Tensor): ForwardResult {
    return { y: softplus(x), logAbsDet: softplus(x.neg()).neg() };
  }
  inverse(y: Tensor): InverseResult {
    const x = y.add(log(clamp(exp(y.neg()).neg().add(1), 1e-300))); // y + log(1 − e^{−y}) = log(eʸ − 1)
    return { x, logAbsDet: softplus(x.neg()) };
  }
}

/** y = x^exponent on the positive reals; log|dy/dx| = log|exponent·y/x|. */
export class PowerTransform extends Transform {
  readonly domain = C.positive;
  readonly codomain = C.positive;
  constructor(readonly exponent: TensorLike) {
    super();
  }
  override get sign(): number {
    const e = typeof this.exponent === 'number' ? this.exponent : this.exponent.storage[0]!;
    return Math.sign(e);
  }
  forward(x: Tensor): ForwardResult {
    const y = x.pow(this.exponent);
    return { y, logAbsDet: log(abs(y.mul(this.exponent).div(x))) };
  }
  inverse(y: Tensor): InverseResult {
    const inv = typeof this.exponent === 'number' ? 1 / this.exponent : reciprocal(this.exponent);
    const x = y.pow(inv);
    return { x, logAbsDet: log(abs(y.mul(this.exponent).div(x))).neg() };
  }
}
