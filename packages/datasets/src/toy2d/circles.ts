// FFJORD's "circles": sklearn make_circles(factor=0.5, noise=0.08) × 3, i.e. circles of radius 3
// and 1.5 with N(0, 0.24²) noise (noise is added before the ×3). sklearn splits n in half and spaces
// angles evenly; here each point picks a circle with probability ½ and a uniform angle: an
// equal-weight mixture of two radial Gaussians with an exact log-density (Bessel I₀).
import { radialMixture } from './radial.js';

export const CIRCLES_RADII = [3, 1.5] as const;
export const CIRCLES_STD = 0.24;

export const circles = radialMixture('circles', CIRCLES_RADII, CIRCLES_STD);
