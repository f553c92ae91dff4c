import { type Generator, type Tensor, arange } from '@likelihood/core';
import { Categorical, type Distribution, Independent } from '@likelihood/distributions';
import { checkRange } from '../checks.js';
import type { Likelihood } from './likelihood.js';

const LEVELS = 256;

/**
 * 8-bit pixels as a 256-way categorical per value (PixelRNN's softmax): the decoder outputs
 * 256 logits per value. Data in [0, 1] are scored at level round(255·x).
 */
export function categoricalLikelihood(): Likelihood {
  return {
    name: 'categorical (256 levels)',
    paramsPerValue: LEVELS,
    discrete: true,
    validate: (op, x) => checkRange(op, x, 0, 1, 'a 256-way categorical decoder scores 8-bit pixels scaled to [0, 1]'),
    target: (x) => x.mul(255).round().to('int32'),
    distribution(params: Tensor): Distribution {
      const dims = params.shape.map((_, i) => i);
      const logits = params.permute([0, ...dims.slice(2), 1]); // (N, 256, ...dataShape) → (N, ...dataShape, 256)
      return new Independent(new Categorical({ logits }, { validateArgs: false }), logits.ndim - 2, { validateArgs: false });
    },
    meanImage(d: Distribution): Tensor {
      const probs = ((d as Independent).base as Categorical).probs; // (N, ...dataShape, 256)
      return probs.mul(arange(0, LEVELS, 1, { dtype: probs.dtype })).sum(-1).div(255);
    },
    sampleImage(d: Distribution, generator?: Generator): Tensor {
      const dtype = ((d as Independent).base as Categorical).probs.dtype;
      return d.sample([], generator).to(dtype).div(255);
    },
  };
}
