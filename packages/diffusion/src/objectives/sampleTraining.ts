import { ArgumentError, type Generator, type Tensor, cast, randint, randnLike } from '@likelihood/core';
import { addNoise } from '../addNoise.js';
import { checkFloat, checkSameShape, timestepList } from '../coefficients.js';
import type { NoiseSchedule } from '../schedule.js';

export interface NoisedBatch {
  /** Integer timesteps [B] (int32). */
  t: Tensor;
  /** The same timesteps as float32, the denoiser's input. */
  tFloat: Tensor;
  noise: Tensor;
  xt: Tensor;
}

export interface NoisingOptions {
  generator?: Generator;
  /** Fixed timesteps [B] instead of t ~ U{0, …, T−1}. */
  t?: Tensor;
  /** Fixed noise (x0's shape) instead of ε ~ N(0, I). */
  noise?: Tensor;
}

/** t ~ U{0, …, T−1}, ε ~ N(0, I), x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε: the start of every training objective. */
export function noiseBatch(op: string, schedule: NoiseSchedule, x0: Tensor, opts: NoisingOptions = {}): NoisedBatch {
  checkFloat(op, 'x0', x0);
  const B = x0.shape[0]!;
  const t = opts.t ?? randint(0, schedule.numTimesteps, [B], { generator: opts.generator });
  timestepList(op, schedule, t, x0);
  const noise = opts.noise ?? randnLike(x0, { generator: opts.generator });
  if (opts.noise) checkSameShape(op, x0, 'x0', noise, 'noise');
  if (!(t.dtype === 'int32' || t.dtype === 'float32' || t.dtype === 'float64')) throw new ArgumentError(`${op}: t must be int32 or float, found ${t.dtype}`);
  return { t, tFloat: cast(t, 'float32'), noise, xt: addNoise(schedule, x0, noise, t) };
}
