// FFJORD's "8gaussians" (lib/toy_data.py): centres at angles kπ/4 on the circle of radius
// scale = 4, unit-variance noise scaled by 0.5, and everything divided by 1.414 (FFJORD's
// literal, ≈ √2). So an equal-weight mixture of 8 isotropic Gaussians with centres at radius
// 4/1.414 ≈ 2.8289 and std 0.5/1.414 ≈ 0.35361.
import { type Generator, type Tensor, tensor } from '@likelihood/core';
import { type Toy2DWithDensity, checkN, checkX, sampleRows } from './types.js';

const SCALE = 4;
const STD = 0.5;
// biome-ignore lint/suspicious/noApproximativeNumericConstant: FFJORD's literal divisor, kept so samples match its code
const DIV = 1.414;
const S = Math.SQRT1_2;
const UNIT: readonly [number, number][] = [[1, 0], [-1, 0], [0, 1], [0, -1], [S, S], [S, -S], [-S, S], [-S, -S]];

/** The 8 centres after scaling, [8, 2] as numbers. */
export const EIGHT_GAUSSIANS_CENTERS: readonly [number, number][] = UNIT.map(([a, b]) => [(SCALE * a) / DIV, (SCALE * b) / DIV]);
/** Per-coordinate standard deviation 0.5/1.414. */
export const EIGHT_GAUSSIANS_STD = STD / DIV;

export const eightGaussians: Toy2DWithDensity = {
  name: '8gaussians',
  sample(n: number, generator?: Generator): Tensor {
    const g = checkN('eightGaussians.sample', n, generator);
    return sampleRows(n, (p) => {
      const k = Math.floor(g.random() * 8);
      const c = EIGHT_GAUSSIANS_CENTERS[k]!;
      p[0] = c[0] + EIGHT_GAUSSIANS_STD * g.normal();
      p[1] = c[1] + EIGHT_GAUSSIANS_STD * g.normal();
    });
  },
  /** log (1/8) Σ_k N(x; μ_k, σ²I), with tensor ops (so it has gradients: the score). */
  logProb(x: Tensor): Tensor {
    checkX('eightGaussians.logProb', x);
    const mu = tensor(EIGHT_GAUSSIANS_CENTERS, { dtype: x.dtype }); // (8, 2)
    const s2 = EIGHT_GAUSSIANS_STD ** 2;
    const d2 = x.unsqueeze(1).sub(mu).square().sum(-1); // (n, 8)
    return d2.mul(-0.5 / s2).logsumexp(1).sub(Math.log(8) + Math.log(2 * Math.PI * s2)); // (n,)
  },
};
