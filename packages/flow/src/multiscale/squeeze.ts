import { ShapeError, type Tensor } from '@likelihood/core';
import { Bijector, zeroLogDet } from '../bijector.js';

/** Space-to-depth: [N, C, H, W] → [N, 4C, H/2, W/2], each 2×2 patch stacked into channels (nflows' SqueezeTransform order). */
export function squeeze2x2(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (x.ndim !== 4 || h % 2 || w % 2) throw new ShapeError(`squeeze: input must be [N, C, H, W] with even H and W, found [${x.shape.join(', ')}]`);
  return x.reshape([n, c, h / 2, 2, w / 2, 2]).permute([0, 1, 3, 5, 2, 4]).reshape([n, c * 4, h / 2, w / 2]);
}

/** Depth-to-space, the inverse of squeeze2x2: [N, 4C, H, W] → [N, C, 2H, 2W]. */
export function unsqueeze2x2(x: Tensor): Tensor {
  const [n, c4, h, w] = x.shape as [number, number, number, number];
  if (x.ndim !== 4 || c4 % 4) throw new ShapeError(`unsqueeze: input must be [N, 4C, H, W], found [${x.shape.join(', ')}]`);
  const c = c4 / 4;
  return x.reshape([n, c, 2, 2, h, w]).permute([0, 1, 4, 2, 5, 3]).reshape([n, c, h * 2, w * 2]);
}

/**
 * RealNVP's squeeze as a bijector. Listed noise → data like every layer here, so its inverse
 * (data → noise) squeezes [C, H, W] → [4C, H/2, W/2] and its forward unsqueezes. A permutation:
 * log|det| = 0.
 */
export class Squeeze extends Bijector {
  readonly eventDim = 3;
  forward(x: Tensor) {
    return { y: unsqueeze2x2(x), logAbsDet: zeroLogDet(x, 3) };
  }
  inverse(y: Tensor) {
    return { x: squeeze2x2(y), logAbsDet: zeroLogDet(y, 3) };
  }
  override forwardShape(shape: readonly number[]): number[] {
    const [c, h, w] = shape as [number, number, number];
    return [c / 4, h * 2, w * 2];
  }
  override inverseShape(shape: readonly number[]): number[] {
    const [c, h, w] = shape as [number, number, number];
    return [c * 4, h / 2, w / 2];
  }
}
