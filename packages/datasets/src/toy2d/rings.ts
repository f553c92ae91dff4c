// FFJORD's "rings": four concentric circles of radii 1, 0.75, 0.5, 0.25, scaled by 3 (so
// 3, 2.25, 1.5, 0.75), plus N(0, 0.08²) noise added after scaling. FFJORD spaces the angles evenly
// and splits n into four near-equal counts; here each point picks a ring with probability ¼ and
// an angle uniform in [0, 2π), i.e. i.i.d. draws from the limiting density, an equal-weight
// mixture of radial Gaussians, whose log-density is exact (Bessel I₀).
import { radialMixture } from './radial.js';

export const RINGS_RADII = [3, 2.25, 1.5, 0.75] as const;
export const RINGS_STD = 0.08;

export const rings = radialMixture('rings', RINGS_RADII, RINGS_STD);
