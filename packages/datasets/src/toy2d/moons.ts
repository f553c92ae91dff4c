// FFJORD's "moons": sklearn make_moons(noise=0.1) × 2 + (−1, −0.2). With t ~ U[0, π]:
// outer moon (2cos t − 1, 2sin t − 0.2), inner moon (1 − 2cos t, 0.8 − 2sin t), each with
// probability ½ (sklearn uses n//2 and n − n//2 and evenly spaced t), plus N(0, 0.2²) noise.
// No closed-form density (an arc convolved with a Gaussian), so no logProb.
import type { Generator, Tensor } from '@likelihood/core';
import { type Toy2D, checkN, sampleRows } from './types.js';

export const MOONS_STD = 0.2;

export const moons: Toy2D = {
  name: 'moons',
  sample(n: number, generator?: Generator): Tensor {
    const g = checkN('moons.sample', n, generator);
    return sampleRows(n, (p) => {
      const t = Math.PI * g.random();
      const inner = g.random() < 0.5;
      p[0] = (inner ? 1 - 2 * Math.cos(t) : 2 * Math.cos(t) - 1) + MOONS_STD * g.normal();
      p[1] = (inner ? 0.8 - 2 * Math.sin(t) : 2 * Math.sin(t) - 0.2) + MOONS_STD * g.normal();
    });
  },
};
