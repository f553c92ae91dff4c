import { Generator, rand } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { binaryStates } from './enumerate.js';
import { bruteEnergy, randomBernoulliRBM } from './testing/rbmReference.js';

/** Index of each binary row (bit i = column i), matching binaryStates. */
function rowIndex(x: ArrayLike<number>, row: number, n: number): number {
  let idx = 0;
  for (let i = 0; i < n; i++) idx += x[row * n + i]! * 2 ** i;
  return idx;
}

function chiSquare(counts: number[], probs: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, i) => s + (c - n * probs[i]!) ** 2 / (n * probs[i]!), 0);
}

// Upper 0.1% points of the chi-square distribution (scipy.stats.chi2.ppf(0.999, df)).
const CHI2_999 = { 15: 37.697 };

describe('block Gibbs sampling', () => {
  // 10,000 independent chains, each run 25 sweeps from a uniform start, give 10,000
  // independent draws from (nearly) the stationary distribution: the chi-square test applies.
  it('draws (v, h) from the exact joint distribution of a 4-unit RBM (V = 2, H = 2; chi-square, p > 0.001)', () => {
    const rbm = randomBernoulliRBM(2, 2, 21, 1.5);
    const n = 10000;
    const gen = new Generator(5);
    const v0 = rand([n, 2], { generator: gen, dtype: 'float64' }).lt(0.5).to('float64');
    const { v, h } = rbm.gibbs(v0, { k: 25, generator: gen });
    const counts = Array(16).fill(0);
    for (let r = 0; r < n; r++) counts[rowIndex(v.storage, r, 2) + 4 * rowIndex(h.storage, r, 2)]++;
    const logZ = rbm.exactLogZ().item();
    const probs = Array.from({ length: 16 }, (_, s) => {
      const bitsOf = (x: number) => [x % 2, Math.floor(x / 2) % 2];
      return Math.exp(-bruteEnergy(rbm, bitsOf(s % 4), bitsOf(Math.floor(s / 4))) - logZ);
    });
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(chiSquare(counts, probs)).toBeLessThan(CHI2_999[15]);
  });

  it('draws v from the exact marginal p(v) = exp(−F(v))/Z of a V = 4, H = 3 RBM (chi-square, p > 0.001)', () => {
    const rbm = randomBernoulliRBM(4, 3, 8, 1);
    const n = 10000;
    const gen = new Generator(6);
    const v0 = rand([n, 4], { generator: gen, dtype: 'float64' }).lt(0.5).to('float64');
    const { v } = rbm.gibbs(v0, { k: 25, generator: gen });
    const counts = Array(16).fill(0);
    for (let r = 0; r < n; r++) counts[rowIndex(v.storage, r, 4)]++;
    const probs = rbm.logProb(binaryStates(4, 0, 16), rbm.exactLogZ()).exp().toArray() as number[];
    expect(chiSquare(counts, probs)).toBeLessThan(CHI2_999[15]);
    // The test has power: a sampler that stops after one sweep from uniform is rejected.
    const { v: v1 } = rbm.gibbs(rand([n, 4], { generator: gen, dtype: 'float64' }).lt(0.5).to('float64'), { k: 1, generator: gen });
    const c1 = Array(16).fill(0);
    for (let r = 0; r < n; r++) c1[rowIndex(v1.storage, r, 4)]++;
    expect(chiSquare(c1, probs)).toBeGreaterThan(CHI2_999[15]);
  });
});
