import { type Generator, type Tensor, matmul, transpose } from '@likelihood/core';
import { Bijector } from '../bijector.js';
import { checkChannels } from '../channels.js';
import { LUWeight } from './luWeight.js';

/**
 * Glow's invertible 1×1 convolution with an LU-decomposed C×C weight: every pixel's channel
 * vector is multiplied by W, so log|det| = H·W·Σ log|dᵢ|.
 */
export class InvertibleConv1x1 extends Bijector {
  readonly eventDim = 3;
  readonly channels: number;
  readonly lu: LUWeight;
  constructor(channels: number, opts: { dtype?: 'float32' | 'float64'; generator?: Generator } = {}) {
    super();
    this.channels = channels;
    this.lu = new LUWeight(channels, opts);
  }
  /** [N, C, H, W] → rows of channel vectors [N·H·W, C], and back. */
  private static toRows(x: Tensor): Tensor {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    return x.permute([0, 2, 3, 1]).reshape([n * h * w, c]);
  }
  private static fromRows(r: Tensor, shape: readonly number[]): Tensor {
    const [n, c, h, w] = shape as [number, number, number, number];
    return r.reshape([n, h, w, c]).permute([0, 3, 1, 2]);
  }
  forward(x: Tensor) {
    checkChannels('InvertibleConv1x1.forward', x, this.channels, 3);
    this.lu.check('InvertibleConv1x1.forward');
    const y = InvertibleConv1x1.fromRows(matmul(InvertibleConv1x1.toRows(x), transpose(this.lu.weight(), 0, 1)), x.shape);
    const hw = x.shape[2]! * x.shape[3]!;
    return { y, logAbsDet: this.lu.logAbsDet().mul(hw).expand([x.shape[0]!]) };
  }
  inverse(y: Tensor) {
    checkChannels('InvertibleConv1x1.inverse', y, this.channels, 3);
    this.lu.check('InvertibleConv1x1.inverse');
    const x = InvertibleConv1x1.fromRows(this.lu.solveRows(InvertibleConv1x1.toRows(y)), y.shape);
    const hw = y.shape[2]! * y.shape[3]!;
    return { x, logAbsDet: this.lu.logAbsDet().mul(-hw).expand([y.shape[0]!]) };
  }
}
