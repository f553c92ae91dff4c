import { ArgumentError, Generator, ShapeError, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { BernoulliRBM } from './bernoulliRbm.js';
import { binaryStates } from './enumerate.js';
import { GaussianBernoulliRBM } from './gaussianBernoulliRbm.js';
import { bits, bruteEnergy, randomBernoulliRBM } from './testing/rbmReference.js';


describe('BernoulliRBM', () => {
  const rbm = randomBernoulliRBM(5, 3, 1);

  it('energy matches the brute-force sum for every (v, h) pair', () => {
    const V = binaryStates(5, 0, 32);
    for (let hi = 0; hi < 8; hi++) {
      const h = bits(hi, 3);
      const e = rbm.energy(V, tensor(Array(32).fill(h), { dtype: 'float64' })).toArray() as number[];
      for (let vi = 0; vi < 32; vi++) expect(e[vi]).toBeCloseTo(bruteEnergy(rbm, bits(vi, 5), h), 12);
    }
  });

  it('free energy equals −log Σ_h exp(−E(v, h)) summed by brute force', () => {
    const V = binaryStates(5, 0, 32);
    const f = rbm.freeEnergy(V).toArray() as number[];
    for (let vi = 0; vi < 32; vi++) {
      let s = 0;
      for (let hi = 0; hi < 8; hi++) s += Math.exp(-bruteEnergy(rbm, bits(vi, 5), bits(hi, 3)));
      expect(f[vi]).toBeCloseTo(-Math.log(s), 12);
    }
  });

  it('conditionals are the ratios of joint probabilities', () => {
    // p(h_j = 1 | v) = Σ_{h: h_j=1} e^{−E} / Σ_h e^{−E}; p(v_i = 1 | h) likewise.
    const V = binaryStates(5, 0, 32);
    const ph = rbm.hiddenProbs(V).toArray() as number[][];
    for (let vi = 0; vi < 32; vi++) {
      for (let j = 0; j < 3; j++) {
        let num = 0;
        let den = 0;
        for (let hi = 0; hi < 8; hi++) {
          const h = bits(hi, 3);
          const w = Math.exp(-bruteEnergy(rbm, bits(vi, 5), h));
          den += w;
          if (h[j] === 1) num += w;
        }
        expect(ph[vi]![j]).toBeCloseTo(num / den, 12);
      }
    }
    const H = binaryStates(3, 0, 8);
    const pv = rbm.visibleMean(H).toArray() as number[][];
    for (let hi = 0; hi < 8; hi++) {
      for (let i = 0; i < 5; i++) {
        let num = 0;
        let den = 0;
        for (let vi = 0; vi < 32; vi++) {
          const v = bits(vi, 5);
          const w = Math.exp(-bruteEnergy(rbm, v, bits(hi, 3)));
          den += w;
          if (v[i] === 1) num += w;
        }
        expect(pv[hi]![i]).toBeCloseTo(num / den, 12);
      }
    }
  });

  it('rejects non-binary data and mismatched visible sizes with clear errors', () => {
    expect(() => rbm.freeEnergy(tensor([[0, 1, 0.5, 0, 1]], { dtype: 'float64' }))).toThrow(ArgumentError);
    expect(() => rbm.freeEnergy(tensor([[0, 1, 0.5, 0, 1]], { dtype: 'float64' }))).toThrow(/binary.*found 0.5 at row 0, column 2/);
    expect(() => rbm.freeEnergy(tensor([[0, 1, 1]]))).toThrow(ShapeError);
    expect(() => rbm.freeEnergy(tensor([[0, 1, 1]]))).toThrow(/must have shape \[N, 5\], found \[1, 3\]/);
    expect(() => rbm.gibbs(tensor([[0, 1, 2, 0, 1]]))).toThrow(/binary/);
    expect(() => new BernoulliRBM(0, 3)).toThrow(/nVisible must be an integer >= 1, found 0/);
    const v2 = tensor([[0, 1, 1, 0, 1], [1, 1, 1, 0, 0]], { dtype: 'float64' });
    expect(() => rbm.energy(v2, tensor([[0, 1, 1]], { dtype: 'float64' }))).toThrow(/v and h must have the same number of rows, found 2 and 1/);
    expect(() => rbm.energy(v2, tensor([[0, 1], [1, 0]], { dtype: 'float64' }))).toThrow(/h must have shape \[N, 3\], found \[2, 2\]/);
  });
});

describe('GaussianBernoulliRBM', () => {
  it('free energy equals the brute-force sum over hidden states, and conditionals are Gaussian/sigmoid', () => {
    const gen = new Generator(3);
    const rbm = new GaussianBernoulliRBM(3, 4, { initStd: 0.7, generator: gen, sigma: [0.5, 1, 2] });
    rbm.visibleBias.assign_(tensor([0.3, -0.2, 1], { dtype: 'float64' }));
    rbm.hiddenBias.assign_(tensor([0.1, -0.5, 0.2, 0.4], { dtype: 'float64' }));
    const v = tensor([[0.1, 2, -1], [1.5, -0.3, 0.7]], { dtype: 'float64' });
    const f = rbm.freeEnergy(v).toArray() as number[];
    const H = binaryStates(4, 0, 16);
    for (let r = 0; r < 2; r++) {
      const vr = tensor(Array(16).fill((v.toArray() as number[][])[r]), { dtype: 'float64' });
      const e = rbm.energy(vr, H).toArray() as number[];
      expect(f[r]).toBeCloseTo(-Math.log(e.reduce((s, x) => s + Math.exp(-x), 0)), 12);
    }
    expect(() => new GaussianBernoulliRBM(2, 2, { sigma: [1, -1] })).toThrow(/sigma must be a positive number or 2 positive numbers/);
  });
});
