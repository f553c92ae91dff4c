import { LikelihoodError, type Generator, type Tensor, noGrad } from '@likelihood/core';
import type { Distribution } from './distribution.js';

type Ctor<T> = abstract new (...args: never[]) => T;
type KLFn = (p: any, q: any) => Tensor;

const registry: Array<{ p: Ctor<Distribution>; q: Ctor<Distribution>; fn: KLFn }> = [];

/** Registers the closed-form KL(p ‖ q) for a pair of distribution classes (torch's register_kl). */
export function registerKL<P extends Distribution, Q extends Distribution>(p: Ctor<P>, q: Ctor<Q>, fn: (p: P, q: Q) => Tensor): void {
  registry.push({ p, q, fn });
}

/** Inheritance distance from `obj`'s class to `cls`, or Infinity when not an instance. */
function distance(obj: object, cls: Ctor<unknown>): number {
  let d = 0;
  for (let proto = Object.getPrototypeOf(obj); proto; proto = Object.getPrototypeOf(proto), d++) {
    if (proto === cls.prototype) return d;
  }
  return Infinity;
}

export class KLNotImplementedError extends LikelihoodError {
  override name = 'KLNotImplementedError';
}

/**
 * KL(p ‖ q) in closed form, batched over the batch shape. The most specific registered pair
 * wins (smallest total inheritance distance, as torch's dispatch). A missing pair throws an
 * error naming both types; use `klMonteCarlo` for an estimate.
 */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  let best: KLFn | null = null;
  let bestScore = Infinity;
  for (const r of registry) {
    const score = distance(p, r.p) + distance(q, r.q);
    if (score < bestScore) {
      bestScore = score;
      best = r.fn;
    }
  }
  if (!best) {
    throw new KLNotImplementedError(
      `klDivergence: no closed form registered for KL(${p.constructor.name} ‖ ${q.constructor.name}); register one with registerKL or use klMonteCarlo`,
    );
  }
  return best(p, q);
}

/** Monte-Carlo estimate of KL(p ‖ q) = E_p[log p(x) − log q(x)] from `samples` draws (rsample when available, so it has gradients). */
export function klMonteCarlo(p: Distribution, q: Distribution, { samples = 1000, generator }: { samples?: number; generator?: Generator } = {}): Tensor {
  const x = p.hasRsample ? p.rsample([samples], generator) : noGrad(() => p.sample([samples], generator));
  return p.logProb(x).sub(q.logProb(x)).mean(0);
}
