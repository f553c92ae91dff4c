import { type Generator, type Tensor, matmul, transpose, zeros } from '@likelihood/core';
import { Parameter } from '@likelihood/nn';
import { Bijector } from '../bijector.js';
import { checkChannels } from '../channels.js';
import { LUWeight } from './luWeight.js';

/**
 * An invertible linear map of the features with an LU-decomposed weight (Glow's LU trick,
 * nflows' LULinear): noise → data y = x Wᵀ + b, log|det| = Σ log|dᵢ|; the inverse is two
 * triangular solves. A zero on the diagonal is reported as a singular weight.
 */
export class LULinear extends Bijector {
  readonly eventDim = 1;
  readonly features: number;
  readonly lu: LUWeight;
  bias: Parameter;
  constructor(features: number, opts: { dtype?: 'float32' | 'float64'; generator?: Generator } = {}) {
    super();
    this.features = features;
    this.lu = new LUWeight(features, opts);
    this.bias = new Parameter(zeros([features], { dtype: opts.dtype ?? 'float32' }));
  }
  forward(x: Tensor) {
    checkChannels('LULinear.forward', x, this.features, 1);
    this.lu.check('LULinear.forward');
    const y = matmul(x, transpose(this.lu.weight(), 0, 1)).add(this.bias);
    return { y, logAbsDet: this.lu.logAbsDet().expand([x.shape[0]!]) };
  }
  inverse(y: Tensor) {
    checkChannels('LULinear.inverse', y, this.features, 1);
    this.lu.check('LULinear.inverse');
    const x = this.lu.solveRows(y.sub(this.bias));
    return { x, logAbsDet: this.lu.logAbsDet().neg().expand([y.shape[0]!]) };
  }
}
