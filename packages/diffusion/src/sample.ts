import { type Generator, type Tensor, full, noGrad, randn } from '@likelihood/core';
import { type Denoiser, asDenoiserFn } from './denoisers/denoiser.js';
import type { Scheduler } from './schedulers/scheduler.js';

export interface SampleOptions {
  generator?: Generator;
  /** Start from this x_T instead of N(0, I) noise of `shape`. */
  initialNoise?: Tensor;
  /** Keep every intermediate sample (and x̂_0) for plotting trajectories. */
  returnTrajectory?: boolean;
  dtype?: 'float32' | 'float64';
  /** Called after each model evaluation with (index, count, t). */
  onStep?: (index: number, count: number, t: number) => void;
}

export interface SampleResult {
  sample: Tensor;
  /** x_T, then the sample after each step (when asked). */
  trajectory?: Tensor[];
  /** x̂_0 at each step (when asked). */
  predictions?: Tensor[];
}

/**
 * Runs a scheduler from x_T ~ N(0, I) through its `timesteps`, calling the model once per
 * listed timestep, with no gradients. Load EMA weights first (`withEmaWeights`).
 */
export function sample(model: Denoiser, scheduler: Scheduler, shape: readonly number[], opts: SampleOptions = {}): SampleResult {
  const f = asDenoiserFn('sample', model);
  return noGrad(() => {
    let x = opts.initialNoise ?? randn([...shape], { generator: opts.generator, dtype: opts.dtype ?? 'float32' });
    const trajectory = opts.returnTrajectory ? [x] : undefined;
    const predictions: Tensor[] | undefined = opts.returnTrajectory ? [] : undefined;
    const ts = scheduler.timesteps;
    ts.forEach((t, i) => {
      const out = f(x, full([x.shape[0]!], t));
      const step = scheduler.step(out, t, x, opts.generator);
      x = step.prevSample;
      trajectory?.push(x);
      predictions?.push(step.predOriginalSample);
      opts.onStep?.(i, ts.length, t);
    });
    return { sample: x, trajectory, predictions };
  });
}
