import { ArgumentError, ShapeError, type Tensor, cat } from '@likelihood/core';
import { ModuleList } from '@likelihood/nn';
import { Bijector, ComposeBijector, type Context } from '../bijector.js';
import { squeeze2x2, unsqueeze2x2 } from './squeeze.js';

export interface MultiScaleOptions {
  /** Number of levels L; each squeezes, runs its steps, and (except the last) factors out half the channels. */
  levels: number;
  /** The steps of one level for its (squeezed) event shape [C, H, W], listed noise → data. */
  steps: (shape: readonly [number, number, number], level: number) => Bijector[];
}

/**
 * RealNVP/Glow's multi-scale architecture as one bijector between noise [N, C·H·W] and images
 * [N, C, H, W]. Data → noise (inverse), per level: squeeze, run the level's steps, then factor
 * out the first half of the channels as latent and continue with the rest at the next level;
 * the final level's output is latent too. The latents are flattened and concatenated, so the
 * base is N(0, I) over C·H·W. log|det| is the sum over all steps (squeeze and split are
 * permutations).
 */
export class MultiScaleFlow extends Bijector {
  readonly eventDim = 3;
  readonly imageShape: readonly [number, number, number];
  readonly levels: ModuleList<ComposeBijector>;
  /** Shape [C, H, W] entering each level's steps (after its squeeze). */
  readonly levelShapes: (readonly [number, number, number])[] = [];

  constructor(imageShape: readonly number[], opts: MultiScaleOptions) {
    super();
    if (imageShape.length !== 3) throw new ArgumentError(`MultiScaleFlow: imageShape must be [C, H, W], found [${imageShape.join(', ')}]`);
    const [c, h, w] = imageShape as [number, number, number];
    if (!Number.isInteger(opts.levels) || opts.levels < 1) throw new ArgumentError(`MultiScaleFlow: levels must be a positive integer, found ${opts.levels}`);
    if (h % 2 ** opts.levels || w % 2 ** opts.levels) {
      throw new ArgumentError(`MultiScaleFlow: H and W must be divisible by 2^levels = ${2 ** opts.levels} to squeeze at every level, found ${h}×${w}`);
    }
    this.imageShape = [c, h, w];
    let shape: [number, number, number] = [c, h, w];
    const lv: ComposeBijector[] = [];
    for (let l = 0; l < opts.levels; l++) {
      shape = [shape[0] * 4, shape[1] / 2, shape[2] / 2];
      this.levelShapes.push(shape);
      lv.push(new ComposeBijector(opts.steps(shape, l)));
      if (l < opts.levels - 1) shape = [shape[0] / 2, shape[1], shape[2]];
    }
    this.levels = new ModuleList(lv);
  }

  private get isLast() {
    const n = this.levels.length;
    return (l: number) => l === n - 1;
  }

  /** Images [N, C, H, W] → latents [N, C·H·W]. */
  inverse(x: Tensor, context?: Context) {
    const [c, h, w] = this.imageShape;
    if (x.ndim !== 4 || x.shape[1] !== c || x.shape[2] !== h || x.shape[3] !== w) {
      throw new ShapeError(`MultiScaleFlow.inverse: input must have shape [N, ${c}, ${h}, ${w}], found [${x.shape.join(', ')}]`);
    }
    const n = x.shape[0]!;
    const latents: Tensor[] = [];
    let cur = x;
    let total: Tensor | null = null;
    let l = 0;
    for (const level of this.levels) {
      const r = level.inverse(squeeze2x2(cur), context);
      total = total ? total.add(r.logAbsDet) : r.logAbsDet;
      if (this.isLast(l)) latents.push(r.x.reshape([n, r.x.size / n]));
      else {
        const half = r.x.shape[1]! / 2;
        latents.push(r.x.narrow(1, 0, half).reshape([n, (r.x.size / n) / 2]));
        cur = r.x.narrow(1, half, half);
      }
      l++;
    }
    return { x: cat(latents, 1), logAbsDet: total! };
  }

  /** Latents [N, C·H·W] → images [N, C, H, W]. */
  forward(z: Tensor, context?: Context) {
    const [c, h, w] = this.imageShape;
    if (z.ndim !== 2 || z.shape[1] !== c * h * w) throw new ShapeError(`MultiScaleFlow.forward: input must have shape [N, ${c * h * w}], found [${z.shape.join(', ')}]`);
    const n = z.shape[0]!;
    // Sizes of the latent pieces, in the order inverse() concatenated them.
    const sizes = this.levelShapes.map(([lc, lh, lw], l) => (this.isLast(l) ? lc * lh * lw : (lc / 2) * lh * lw));
    const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    let cur: Tensor | null = null;
    let total: Tensor | null = null;
    for (let l = this.levels.length - 1; l >= 0; l--) {
      const [lc, lh, lw] = this.levelShapes[l]!;
      const piece = z.narrow(1, offsets[l]!, sizes[l]!);
      const v: Tensor = this.isLast(l) ? piece.reshape([n, lc, lh, lw]) : cat([piece.reshape([n, lc / 2, lh, lw]), cur!], 1);
      const r = this.levels.at(l).forward(v, context);
      total = total ? total.add(r.logAbsDet) : r.logAbsDet;
      cur = unsqueeze2x2(r.y);
    }
    return { y: cur!, logAbsDet: total! };
  }

  override forwardShape(): number[] {
    return [...this.imageShape];
  }
  override inverseShape(): number[] {
    return [this.imageShape.reduce((a, b) => a * b, 1)];
  }
}
