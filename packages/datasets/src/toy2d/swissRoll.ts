// FFJORD's "swissroll": sklearn make_swiss_roll(noise=1.0) keeping coordinates (x, z), divided
// by 5. With t = 1.5π(1 + 2u), u ~ U[0, 1): (t cos t + ε₁, t sin t + ε₂)/5, ε ~ N(0, 1), so the
// noise std is 0.2 after scaling. No closed-form density, so no logProb.
import type { Generator, Tensor } from '@likelihood/core';
import { type Toy2D, checkN, sampleRows } from './types.js';

export const swissRoll: Toy2D = {
  name: 'swissroll',
  sample(n: number, generator?: Generator): Tensor {
    const g = checkN('swissRoll.sample', n, generator);
    return sampleRows(n, (p) => {
      const t = 1.5 * Math.PI * (1 + 2 * g.random());
      p[0] = (t * Math.cos(t) + g.normal()) / 5;
      p[1] = (t * Math.sin(t) + g.normal()) / 5;
    });
  },
};
