import { ArgumentError } from '@likelihood/core';
import { checkerboard } from './checkerboard.js';
import { circles } from './circles.js';
import { eightGaussians } from './eightGaussians.js';
import { moons } from './moons.js';
import { pinwheel } from './pinwheel.js';
import { rings } from './rings.js';
import { swissRoll } from './swissRoll.js';
import type { Toy2D } from './types.js';

export type { Toy2D, Toy2DWithDensity } from './types.js';
export { checkerboard, circles, eightGaussians, moons, pinwheel, rings, swissRoll };
export { EIGHT_GAUSSIANS_CENTERS, EIGHT_GAUSSIANS_STD } from './eightGaussians.js';
export { RINGS_RADII, RINGS_STD } from './rings.js';
export { CIRCLES_RADII, CIRCLES_STD } from './circles.js';
export { MOONS_STD } from './moons.js';
export { logI0e, radialMixture } from './radial.js';

/** Every toy density by its FFJORD name. */
export const TOY2D: Readonly<Record<string, Toy2D>> = Object.freeze({
  '8gaussians': eightGaussians,
  checkerboard,
  circles,
  moons,
  pinwheel,
  rings,
  swissroll: swissRoll,
});

/** Looks a toy density up by name ('8gaussians', 'checkerboard', 'circles', 'moons', 'pinwheel', 'rings', 'swissroll'). */
export function toy2d(name: string): Toy2D {
  const t = TOY2D[name];
  if (!t) throw new ArgumentError(`toy2d: name must be one of ${Object.keys(TOY2D).join(', ')}, found '${name}'`);
  return t;
}
