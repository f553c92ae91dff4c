// FFJORD's "checkerboard": x1 ~ U[-2, 2), x2 ~ U[0, 1) − 2·Bernoulli(½) + (⌊x1⌋ mod 2), all × 2.
// That is the uniform density on the 8 "black" 2×2 squares of [-4, 4)² whose integer coordinates
// ⌊x/2⌋ sum to an even number: total area 32, so log p = −log 32 there and −∞ elsewhere.
import type { Generator, Tensor } from '@likelihood/core';
import { type Toy2DWithDensity, checkN, checkX, mapRows, sampleRows } from './types.js';

const LOG_AREA = Math.log(32);

export const checkerboard: Toy2DWithDensity = {
  name: 'checkerboard',
  sample(n: number, generator?: Generator): Tensor {
    const g = checkN('checkerboard.sample', n, generator);
    return sampleRows(n, (p) => {
      const x1 = g.random() * 4 - 2;
      const x2 = g.random() - 2 * Math.floor(g.random() * 2) + (((Math.floor(x1) % 2) + 2) % 2);
      p[0] = 2 * x1;
      p[1] = 2 * x2;
    });
  },
  /** −log 32 on the black squares, −∞ off them (not differentiable: the gradient is 0). */
  logProb(x: Tensor): Tensor {
    checkX('checkerboard.logProb', x);
    return mapRows(x, (a, b) => {
      const i = Math.floor(a / 2);
      const j = Math.floor(b / 2);
      const inside = i >= -2 && i < 2 && j >= -2 && j < 2 && (((i + j) % 2) + 2) % 2 === 0;
      return inside ? -LOG_AREA : Number.NEGATIVE_INFINITY;
    });
  },
};
