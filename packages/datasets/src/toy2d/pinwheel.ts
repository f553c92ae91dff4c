// FFJORD's "pinwheel": 5 arms. Per point: class k uniform in 0..4 (FFJORD: n//5 per class),
// radial feature a ~ N(1, 0.3²), tangential b ~ N(0, 0.1²), angle θ = 2πk/5 + 0.25·exp(a),
// x = 2·(a cos θ + b sin θ, −a sin θ + b cos θ). The map is not one-to-one, so no logProb.
import type { Generator, Tensor } from '@likelihood/core';
import { type Toy2D, checkN, sampleRows } from './types.js';

const RADIAL_STD = 0.3;
const TANGENTIAL_STD = 0.1;
const CLASSES = 5;
const RATE = 0.25;

export const pinwheel: Toy2D = {
  name: 'pinwheel',
  sample(n: number, generator?: Generator): Tensor {
    const g = checkN('pinwheel.sample', n, generator);
    return sampleRows(n, (p) => {
      const k = Math.floor(g.random() * CLASSES);
      const a = 1 + RADIAL_STD * g.normal();
      const b = TANGENTIAL_STD * g.normal();
      const th = (2 * Math.PI * k) / CLASSES + RATE * Math.exp(a);
      p[0] = 2 * (a * Math.cos(th) + b * Math.sin(th));
      p[1] = 2 * (-a * Math.sin(th) + b * Math.cos(th));
    });
  },
};
