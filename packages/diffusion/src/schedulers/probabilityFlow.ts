import { ArgumentError, type Generator, type Tensor } from '@likelihood/core';
import { checkFloat } from '../coefficients.js';
import { type PredictionType, checkPredictionType, predictX0AndEps } from '../parameterization.js';
import type { NoiseSchedule } from '../schedule.js';
import { type Scheduler, type StepOutput, leadingTimesteps } from './scheduler.js';

export interface ProbabilityFlowOptions {
  predictionType?: PredictionType;
  /** 2 (default): Heun's method; 1: Euler, which is exactly DDIM with η = 0. */
  order?: 1 | 2;
}

/**
 * A deterministic sampler for the probability-flow ODE of the variance-preserving process
 * (Song et al. 2021, eq. 13). In the variables x̃ = x/√ᾱ and σ = √((1−ᾱ)/ᾱ) the ODE is
 * dx̃/dσ = ε̂(x, t(σ)) (Karras et al. 2022, eq. 4 with this scaling), integrated from σ(t₀) down
 * to σ = 0 by Heun's second-order method (Karras et al. Algorithm 1) over the visited integer
 * timesteps; the last step, to σ = 0, is an Euler step. Each Heun step evaluates the model
 * twice, so `timesteps` lists 2n − 1 evaluations: t₀, t₁, t₁, t₂, …, t_{n−1}. The sampler is
 * stateful; `setTimesteps` resets it. No randomness: `generator` is ignored.
 */
export class ProbabilityFlowScheduler implements Scheduler {
  readonly schedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  readonly order: 1 | 2;
  timesteps: number[] = [];
  /** The n visited timesteps (noisiest first). */
  stepTimesteps: number[] = [];
  private evalIndex = 0;
  private stepIndex = 0;
  private pending: { derivative: Tensor; xTilde: Tensor } | null = null;

  constructor(schedule: NoiseSchedule, opts: ProbabilityFlowOptions = {}) {
    this.schedule = schedule;
    this.predictionType = opts.predictionType ?? 'epsilon';
    checkPredictionType('ProbabilityFlowScheduler', this.predictionType);
    this.order = opts.order ?? 2;
    if (this.order !== 1 && this.order !== 2) throw new ArgumentError(`ProbabilityFlowScheduler: order must be 1 or 2, found ${String(this.order)}`);
    this.setTimesteps(Math.min(50, schedule.numTimesteps));
  }

  setTimesteps(numInferenceSteps: number): void {
    const ts = leadingTimesteps('ProbabilityFlowScheduler', this.schedule, numInferenceSteps);
    this.stepTimesteps = ts;
    this.timesteps = this.order === 1 ? [...ts] : ts.flatMap((t, i) => (i === 0 ? [t] : [t, t]));
    this.evalIndex = 0;
    this.stepIndex = 0;
    this.pending = null;
  }

  step(modelOutput: Tensor, t: number, xt: Tensor, _generator?: Generator): StepOutput {
    checkFloat('ProbabilityFlowScheduler.step', 'x_t', xt);
    const expected = this.timesteps[this.evalIndex];
    if (expected === undefined) throw new ArgumentError('ProbabilityFlowScheduler.step: all steps are done; call setTimesteps to start again');
    if (t !== expected) throw new ArgumentError(`ProbabilityFlowScheduler.step: expected timestep ${expected} (evaluation ${this.evalIndex}), found ${t}`);
    this.evalIndex += 1;
    const { x0, eps } = predictX0AndEps(this.schedule, modelOutput, xt, t, this.predictionType);
    const from = this.stepTimesteps[this.stepIndex]!;
    const to = this.stepTimesteps[this.stepIndex + 1];
    const sigmaFrom = this.schedule.sigma(from);
    const sigmaTo = to === undefined ? 0 : this.schedule.sigma(to);
    const scaleTo = 1 / Math.sqrt(1 + sigmaTo * sigmaTo); // √ᾱ at σ_to
    if (this.pending) {
      // Heun's correction: average the slopes at both ends of [σ_from, σ_to].
      const { derivative, xTilde } = this.pending;
      this.pending = null;
      this.stepIndex += 1;
      const next = xTilde.add(derivative.add(eps).mul(0.5 * (sigmaTo - sigmaFrom)));
      return { prevSample: next.mul(scaleTo), predOriginalSample: x0 };
    }
    const xTilde = xt.mul(Math.sqrt(1 + sigmaFrom * sigmaFrom)); // x/√ᾱ_t
    const euler = xTilde.add(eps.mul(sigmaTo - sigmaFrom));
    if (this.order === 2 && to !== undefined) this.pending = { derivative: eps, xTilde };
    else this.stepIndex += 1;
    return { prevSample: euler.mul(scaleTo), predOriginalSample: x0 };
  }
}
