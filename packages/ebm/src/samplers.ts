// Gradient-based MCMC for an energy E(x): unadjusted Langevin / SGLD and MALA. Every sampler
// takes a generator, runs one chain per row of x0 and reports diagnostics.
import { ArgumentError, type Generator, type Tensor, noGrad, rand, randn, where } from '@likelihood/core';
import { checkPositive, checkPositiveInt } from './checks.js';
import { type EnergyFn, energyAndGrad } from './energyGrad.js';

export interface LangevinOptions {
  /** Step size ε of the gradient step x ← x − ε∇E(x) + noiseScale·ξ. */
  stepSize: number;
  numSteps: number;
  /** Standard deviation of the injected noise; default √(2ε), the discretised Langevin diffusion. */
  noiseScale?: number;
  /** Clip each gradient entry to [−gradClip, gradClip] (Du & Mordatch's stabiliser). */
  gradClip?: number;
  /** Clamp the samples to [low, high] after each step (e.g. the pixel range). */
  clamp?: [number, number];
  generator?: Generator;
}

export interface LangevinResult {
  x: Tensor;
  /** Mean energy over the chains before each step and after the last: numSteps + 1 values. */
  energyTrace: Float64Array;
}

/**
 * Unadjusted Langevin dynamics x_{t+1} = x_t − ε ∇E(x_t) + σ ξ_t, ξ_t ~ N(0, I). With σ = √(2ε)
 * it targets exp(−E) up to an O(ε) bias; deep EBMs use it with a smaller σ as a stochastic
 * optimiser (SGLD, Welling & Teh 2011; Du & Mordatch 2019).
 */
export function langevin(energy: EnergyFn, x0: Tensor, opts: LangevinOptions): LangevinResult {
  const eps = checkPositive('langevin', 'stepSize', opts.stepSize);
  const steps = checkPositiveInt('langevin', 'numSteps', opts.numSteps, 0);
  const sigma = checkPositive('langevin', 'noiseScale', opts.noiseScale ?? Math.sqrt(2 * eps), true);
  const dtype = x0.dtype === 'float64' ? 'float64' : 'float32';
  const trace = new Float64Array(steps + 1);
  let x = x0.detach();
  for (let t = 0; t < steps; t++) {
    const { energy: e, grad } = energyAndGrad(energy, x, { op: 'langevin' });
    trace[t] = e.mean().item();
    x = noGrad(() => {
      const g = opts.gradClip !== undefined ? grad.clamp(-opts.gradClip, opts.gradClip) : grad;
      let next = x.sub(g.mul(eps)).add(randn(x.shape, { generator: opts.generator, dtype }).mul(sigma));
      if (opts.clamp) next = next.clamp(opts.clamp[0], opts.clamp[1]);
      return next;
    });
  }
  trace[steps] = noGrad(() => energy(x).mean().item());
  return { x, energyTrace: trace };
}

export interface MALAOptions {
  stepSize: number;
  numSteps: number;
  generator?: Generator;
}

export interface MALAResult {
  x: Tensor;
  /** Fraction of accepted proposals over all chains and steps. */
  acceptanceRate: number;
  /** Fraction accepted at each step [numSteps]. */
  acceptanceTrace: Float64Array;
  /** Mean energy over the chains before each step and after the last: numSteps + 1 values. */
  energyTrace: Float64Array;
}

/**
 * Metropolis-adjusted Langevin (Roberts & Tweedie 1996): propose y = x − ε∇E(x) + √(2ε) ξ and
 * accept with probability min(1, exp(E(x) − E(y) + log q(x | y) − log q(y | x))), where
 * log q(y | x) = −‖y − x + ε∇E(x)‖² / 4ε. The chain leaves exp(−E) exactly invariant.
 */
export function mala(energy: EnergyFn, x0: Tensor, opts: MALAOptions): MALAResult {
  const eps = checkPositive('mala', 'stepSize', opts.stepSize);
  const steps = checkPositiveInt('mala', 'numSteps', opts.numSteps, 0);
  if (x0.ndim < 1) throw new ArgumentError('mala: x0 must be a batch of chains [N, ...], found a scalar');
  const dtype = x0.dtype === 'float64' ? 'float64' : 'float32';
  const n = x0.shape[0]!;
  const flat = (t: Tensor) => t.reshape([n, -1]);
  let x = x0.detach();
  let cur = energyAndGrad(energy, x, { op: 'mala' });
  const energyTrace = new Float64Array(steps + 1);
  const acceptanceTrace = new Float64Array(steps);
  let accepted = 0;
  for (let t = 0; t < steps; t++) {
    energyTrace[t] = cur.energy.mean().item();
    const y = noGrad(() => x.sub(cur.grad.mul(eps)).add(randn(x.shape, { generator: opts.generator, dtype }).mul(Math.sqrt(2 * eps))));
    const prop = energyAndGrad(energy, y, { op: 'mala' });
    const accept = noGrad(() => {
      const logQForward = flat(y.sub(x).add(cur.grad.mul(eps))).square().sum(1).div(-4 * eps); // log q(y | x)
      const logQBackward = flat(x.sub(y).add(prop.grad.mul(eps))).square().sum(1).div(-4 * eps); // log q(x | y)
      const logAlpha = cur.energy.sub(prop.energy).add(logQBackward).sub(logQForward);
      return rand([n], { generator: opts.generator, dtype: 'float64' }).log().lt(logAlpha.to('float64'));
    });
    const a = accept.storage;
    let k = 0;
    for (let i = 0; i < n; i++) k += a[i]!;
    accepted += k;
    acceptanceTrace[t] = k / n;
    const mask = (t2: Tensor) => accept.reshape([n, ...new Array(t2.ndim - 1).fill(1)]);
    x = noGrad(() => where(mask(y), y, x));
    cur = {
      energy: noGrad(() => where(accept, prop.energy, cur.energy)),
      grad: noGrad(() => where(mask(prop.grad), prop.grad, cur.grad)),
    };
  }
  energyTrace[steps] = cur.energy.mean().item();
  return { x, acceptanceRate: steps > 0 ? accepted / (n * steps) : 0, acceptanceTrace, energyTrace };
}
