import { ArgumentError, type Generator, type Tensor } from '@likelihood/core';
import type { NoiseSchedule } from '../schedule.js';

export interface StepOutput {
  /** The sample at the next (less noisy) timestep. */
  prevSample: Tensor;
  /** The model's current estimate of x_0. */
  predOriginalSample: Tensor;
}

/**
 * The sampler contract shared by every scheduler (as diffusers'): `setTimesteps(n)` chooses the
 * n timesteps to visit, `timesteps` lists the model evaluations in order (noisiest first), and
 * `step(modelOutput, t, x_t, gen?)` turns the model output at (x_t, t) into the next sample.
 */
export interface Scheduler {
  readonly schedule: NoiseSchedule;
  /** Timesteps at which the model is evaluated, in order; fractional for ODE samplers. */
  readonly timesteps: readonly number[];
  setTimesteps(numInferenceSteps: number): void;
  step(modelOutput: Tensor, t: number, xt: Tensor, generator?: Generator, noise?: Tensor): StepOutput;
}

/**
 * diffusers' "leading" spacing: with r = ⌊T/n⌋, the timesteps (n−1)·r, …, r, 0. For n = T this
 * is T−1, …, 0.
 */
export function leadingTimesteps(op: string, schedule: NoiseSchedule, n: number): number[] {
  const T = schedule.numTimesteps;
  if (!Number.isInteger(n) || n < 1 || n > T) throw new ArgumentError(`${op}.setTimesteps: numInferenceSteps must be an integer in [1, ${T}], found ${n}`);
  const r = Math.floor(T / n);
  return Array.from({ length: n }, (_, i) => (n - 1 - i) * r);
}

export function checkInTimesteps(op: string, timesteps: readonly number[], t: number): void {
  if (!timesteps.includes(t)) {
    const shown = timesteps.length > 6 ? `${timesteps.slice(0, 3).join(', ')}, …, ${timesteps.slice(-2).join(', ')}` : timesteps.join(', ');
    throw new ArgumentError(`${op}.step: t must be one of the scheduler's timesteps (${shown}), found ${t}`);
  }
}
