// Plain-loop references for tests: the tensor code is checked against these.
import { Generator, tensor } from '@likelihood/core';
import { BernoulliRBM } from '../bernoulliRbm.js';

/** The n bits of idx, least significant first (the order binaryStates uses). */
export const bits = (idx: number, n: number): number[] => Array.from({ length: n }, (_, i) => Math.floor(idx / 2 ** i) % 2);

/** A Bernoulli RBM with N(0, scale²) weights and biases, so the test is not near the trivial model. */
export function randomBernoulliRBM(v: number, h: number, seed: number, scale = 1): BernoulliRBM {
  const gen = new Generator(seed);
  const rbm = new BernoulliRBM(v, h, { initStd: scale, generator: gen });
  rbm.visibleBias.assign_(tensor(Array.from({ length: v }, () => scale * gen.normal()), { dtype: 'float64' }));
  rbm.hiddenBias.assign_(tensor(Array.from({ length: h }, () => scale * gen.normal()), { dtype: 'float64' }));
  return rbm;
}

/** E(v, h) = −bᵀv − cᵀh − vᵀWh with plain loops: the reference the tensor code is checked against. */
export function bruteEnergy(rbm: BernoulliRBM, v: number[], h: number[]): number {
  const W = rbm.weight.storage;
  const b = rbm.visibleBias.storage;
  const c = rbm.hiddenBias.storage;
  const H = rbm.nHidden;
  let e = 0;
  for (let i = 0; i < v.length; i++) e -= b[i]! * v[i]!;
  for (let j = 0; j < H; j++) e -= c[j]! * h[j]!;
  for (let i = 0; i < v.length; i++) for (let j = 0; j < H; j++) e -= v[i]! * W[i * H + j]! * h[j]!;
  return e;
}


/** log Σ_v Σ_h exp(−E(v, h)) over all 2^(V+H) joint states, with a running max for stability. */
export function bruteLogZ(rbm: BernoulliRBM): number {
  const terms: number[] = [];
  for (let vi = 0; vi < 2 ** rbm.nVisible; vi++) {
    for (let hi = 0; hi < 2 ** rbm.nHidden; hi++) terms.push(-bruteEnergy(rbm, bits(vi, rbm.nVisible), bits(hi, rbm.nHidden)));
  }
  const m = Math.max(...terms);
  return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
}
