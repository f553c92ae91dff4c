// Against references computed independently in Python (fixtures/gen_rbm.py): torch free energies,
// log Z by brute force over all 2^22 joint states, and a Gaussian–Bernoulli log Z by adaptive
// quadrature (scipy dblquad) instead of the closed form.
import { tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { BernoulliRBM } from './bernoulliRbm.js';
import { GaussianBernoulliRBM } from './gaussianBernoulliRbm.js';

interface Fixture {
  bernoulli: { W: number[][]; b: number[]; c: number[]; v: number[][]; freeEnergy: number[]; hiddenProbs: number[][]; logZ: number };
  gaussian: { W: number[][]; b: number[]; c: number[]; sigma: number[]; logZ: number };
}
const fx = loadFixture<Fixture>(new URL('../fixtures/rbm.json', import.meta.url));
const f64 = (x: number[] | number[][]) => tensor(x, { dtype: 'float64' });

describe('RBMs against Python references', () => {
  it('Bernoulli RBM (V = 10, H = 12): free energy, p(h | v) and log Z over all 2^22 joint states', () => {
    const r = fx.bernoulli;
    const rbm = new BernoulliRBM(10, 12);
    rbm.weight.assign_(f64(r.W));
    rbm.visibleBias.assign_(f64(r.b));
    rbm.hiddenBias.assign_(f64(r.c));
    expectClose(rbm.freeEnergy(f64(r.v)), r.freeEnergy, { rtol: 1e-12, atol: 1e-12 });
    expectClose(rbm.hiddenProbs(f64(r.v)), r.hiddenProbs, { rtol: 1e-12, atol: 1e-14 });
    expect(rbm.exactLogZ().item()).toBeCloseTo(r.logZ, 10);
  });

  it('Gaussian–Bernoulli RBM (V = 2, H = 3): closed-form log Z equals 2-D adaptive quadrature', () => {
    const g = fx.gaussian;
    const rbm = new GaussianBernoulliRBM(2, 3, { sigma: g.sigma });
    rbm.weight.assign_(f64(g.W));
    rbm.visibleBias.assign_(f64(g.b));
    rbm.hiddenBias.assign_(f64(g.c));
    expect(rbm.exactLogZ().item()).toBeCloseTo(g.logZ, 9);
  });
});
