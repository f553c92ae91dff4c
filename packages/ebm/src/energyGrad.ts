// Gradients of an energy with respect to its input: the score is −∇_x E(x).
import { ArgumentError, type Tensor, autogradGrad, enableGrad } from '@likelihood/core';

/** An energy function: a batch [N, ...] to energies [N]. */
export type EnergyFn = (x: Tensor) => Tensor;

function checkEnergy(op: string, e: Tensor, x: Tensor): void {
  if (e.ndim !== 1 || e.shape[0] !== x.shape[0]) {
    throw new ArgumentError(`${op}: the energy function must return one energy per row, shape [${x.shape[0]}], found [${e.shape.join(', ')}]`);
  }
}

/**
 * E(x) [N] and ∇_x E(x) [N, ...] (rows are independent, so the gradient of Σ E is each row's own).
 * With createGraph the gradient stays differentiable (score matching needs ∂/∂θ of it).
 */
export function energyAndGrad(energy: EnergyFn, x: Tensor, opts: { createGraph?: boolean; op?: string } = {}): { energy: Tensor; grad: Tensor } {
  return enableGrad(() => {
    const xr = opts.createGraph && x.requiresGrad ? x : x.detach().requiresGrad_();
    const e = energy(xr);
    checkEnergy(opts.op ?? 'energyAndGrad', e, xr);
    const [g] = autogradGrad([e.sum()], [xr], { createGraph: opts.createGraph ?? false });
    return { energy: opts.createGraph ? e : e.detach(), grad: g! };
  });
}

/** The score s(x) = −∇_x E(x), differentiable with respect to the energy's parameters. */
export function scoreOf(energy: EnergyFn): (x: Tensor) => Tensor {
  return (x) => energyAndGrad(energy, x, { createGraph: true, op: 'scoreOf' }).grad.neg();
}
