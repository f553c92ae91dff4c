import { Adam } from '@likelihood/nn';
import { Generator, rand, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { BoltzmannMachine } from './boltzmannMachine.js';
import { bits } from './testing/rbmReference.js';

function randomMachine(n: number, seed: number, spins: boolean): BoltzmannMachine {
  const gen = new Generator(seed);
  const bm = new BoltzmannMachine(n, { spins, initStd: 0.8, generator: gen });
  bm.bias.assign_(tensor(Array.from({ length: n }, () => 0.5 * gen.normal()), { dtype: 'float64' }));
  return bm;
}

/** −E(x) with plain loops over i < j. */
function bruteNegEnergy(bm: BoltzmannMachine, x: number[]): number {
  const W = bm.weight.storage;
  let s = 0;
  for (let i = 0; i < bm.n; i++) {
    s += bm.bias.storage[i]! * x[i]!;
    for (let j = i + 1; j < bm.n; j++) s += W[i * bm.n + j]! * x[i]! * x[j]!;
  }
  return s;
}

function bruteLogZ(bm: BoltzmannMachine): number {
  const t: number[] = [];
  for (let k = 0; k < 2 ** bm.n; k++) t.push(bruteNegEnergy(bm, bits(k, bm.n).map((b) => (bm.spins ? 2 * b - 1 : b))));
  const m = Math.max(...t);
  return m + Math.log(t.reduce((s, v) => s + Math.exp(v - m), 0));
}

describe('BoltzmannMachine (fully visible, Ising)', () => {
  for (const spins of [false, true]) {
    it(`exact log Z and energies match brute force (${spins ? '±1 spins' : '{0,1} units'})`, () => {
      const bm = randomMachine(9, 3, spins);
      expect(bm.exactLogZ().item()).toBeCloseTo(bruteLogZ(bm), 10);
      const x = [1, 0, 1, 1, 0, 0, 1, 0, 1].map((b) => (spins ? 2 * b - 1 : b));
      expect(bm.energy(tensor([x], { dtype: 'float64' })).item()).toBeCloseTo(-bruteNegEnergy(bm, x), 12);
    });

    it(`single-site Gibbs matches the exact distribution on 4 units (${spins ? 'spins' : 'binary'}; chi-square, p > 0.001)`, () => {
      const bm = randomMachine(4, 5, spins);
      const n = 10000;
      const gen = new Generator(2);
      const x0 = rand([n, 4], { generator: gen, dtype: 'float64' }).lt(0.5).to('float64');
      const x = bm.gibbs(spins ? x0.mul(2).sub(1) : x0, { sweeps: 20, generator: gen });
      const counts = Array(16).fill(0);
      const s = x.storage;
      for (let r = 0; r < n; r++) {
        let k = 0;
        for (let i = 0; i < 4; i++) k += (spins ? (s[r * 4 + i]! + 1) / 2 : s[r * 4 + i]!) * 2 ** i;
        counts[k]++;
      }
      const logZ = bruteLogZ(bm);
      const chi = counts.reduce((acc, c, k) => {
        const p = Math.exp(bruteNegEnergy(bm, bits(k, 4).map((b) => (spins ? 2 * b - 1 : b))) - logZ);
        return acc + (c - n * p) ** 2 / (n * p);
      }, 0);
      expect(chi).toBeLessThan(37.697); // chi2.ppf(0.999, 15)
    });
  }

  it('exact maximum likelihood (autograd through log Z) recovers the couplings that generated the data', () => {
    const teacher = randomMachine(5, 11, false);
    const data = teacher.gibbs(tensor(Array(3000).fill([0, 0, 0, 0, 0]), { dtype: 'float64' }), { sweeps: 30, generator: new Generator(1) });
    const student = new BoltzmannMachine(5, { generator: new Generator(2) });
    const opt = new Adam(student.parameters(), { lr: 0.1 });
    const nll = () => student.logProb(data, student.exactLogZ({ differentiable: true })).mean().neg();
    for (let i = 0; i < 120; i++) {
      opt.zeroGrad();
      nll().backward();
      opt.step();
    }
    const J = student.couplings().toArray() as number[][];
    const T = teacher.couplings().toArray() as number[][];
    let err = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) err = Math.max(err, Math.abs(J[i]![j]! - T[i]![j]!));
    expect(err).toBeLessThan(0.25); // 3000 samples: the MLE's standard error is about 0.05–0.1 per coupling
    expect(() => student.energy(tensor([[0, 1, 2, 0, 1]]))).toThrow(/x must hold 0 or 1 .* found 2 at flat position 2/);
  });
});
