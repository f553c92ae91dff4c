import { Generator, type Tensor, tensor } from '@likelihood/core';
import { gradcheck } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { BernoulliRBM } from './bernoulliRbm.js';
import { binaryStates, logSumExpOverStates } from './enumerate.js';
import { GaussianBernoulliRBM } from './gaussianBernoulliRbm.js';
import { bruteLogZ, randomBernoulliRBM } from './testing/rbmReference.js';

describe('exact log Z of a Bernoulli RBM', () => {
  it('matches brute force over all 2^(V+H) joint states, enumerating either side', () => {
    for (const [v, h, seed] of [[4, 6, 1], [6, 4, 2], [5, 5, 3], [3, 7, 4]] as const) {
      const rbm = randomBernoulliRBM(v, h, seed);
      expect(rbm.exactLogZ().item()).toBeCloseTo(bruteLogZ(rbm), 10);
    }
  });

  it('is the same with large weights (stable logsumexp) and with small chunks', () => {
    const rbm = randomBernoulliRBM(6, 5, 7, 100); // energies of order a thousand: exp overflows without the shift
    const ref = bruteLogZ(rbm);
    expect(ref).toBeGreaterThan(710); // exp(710) overflows a double
    expect(rbm.exactLogZ().item()).toBeCloseTo(ref, 8);
    const chunked = logSumExpOverStates(6, (s) => rbm.freeEnergy(s).neg(), 'float64', { chunkSize: 5 }).item();
    expect(chunked).toBeCloseTo(ref, 8);
  });

  it('normalises the model: Σ_v exp(log p(v)) = 1', () => {
    const rbm = randomBernoulliRBM(7, 9, 11);
    const logZ = rbm.exactLogZ();
    const lp = rbm.logProb(binaryStates(7, 0, 128), logZ);
    expect(lp.exp().sum().item()).toBeCloseTo(1, 12);
  });

  it('float32 models are enumerated in float64', () => {
    const rbm = randomBernoulliRBM(4, 5, 5);
    const r32 = rbm.withDType('float32');
    expect(r32.weight.dtype).toBe('float32');
    expect(r32.exactLogZ().dtype).toBe('float64');
    expect(r32.exactLogZ().item()).toBeCloseTo(bruteLogZ(rbm), 5);
  });

  it('differentiable log Z: d log Z / dθ passes a finite-difference check and equals the model expectation', () => {
    const rbm = randomBernoulliRBM(3, 4, 9, 0.5);
    const b = rbm.visibleBias.detach();
    const c = rbm.hiddenBias.detach();
    const f = (W: Tensor) =>
      logSumExpOverStates(3, (v) => v.matmul(b.unsqueeze(1)).squeeze(1).add(v.matmul(W).add(c).softplus().sum(1)), 'float64', {
        differentiable: true,
      });
    gradcheck(f, [rbm.weight.detach()]);
    // ∂ log Z / ∂b_i = E_model[v_i]
    const logZ = rbm.exactLogZ({ differentiable: true });
    logZ.backward();
    const p = rbm.logProb(binaryStates(3, 0, 8), logZ.detach()).exp(); // [8]
    const ev = p.unsqueeze(1).mul(binaryStates(3, 0, 8)).sum(0).toArray() as number[];
    (rbm.visibleBias.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(ev[i]!, 12));
  });

  it('refuses to enumerate more than maxUnits units', () => {
    const rbm = new BernoulliRBM(30, 30);
    expect(() => rbm.exactLogZ()).toThrow(/exact enumeration over 30 visible units .* exceeds the limit of 24 units; use AIS/);
  });
});

describe('exact log Z of a Gaussian–Bernoulli RBM', () => {
  it('matches numerical integration of exp(−F(v)) over a fine grid (V = 2)', () => {
    const rbm = new GaussianBernoulliRBM(2, 5, { initStd: 0.8, generator: new Generator(4), sigma: [0.7, 1.3] });
    rbm.visibleBias.assign_(tensor([0.4, -0.6], { dtype: 'float64' }));
    rbm.hiddenBias.assign_(tensor([0.2, -0.3, 0.5, -1, 0.1], { dtype: 'float64' }));
    // Midpoint rule on [-12, 12]²: the integrand is smooth and negligible at the edges, so the rule
    // converges faster than any power of dx.
    const n = 240;
    const lo = -12;
    const dx = 24 / n;
    const pts: number[][] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pts.push([lo + (i + 0.5) * dx, lo + (j + 0.5) * dx]);
    const negF = rbm.freeEnergy(tensor(pts, { dtype: 'float64' })).neg();
    const grid = negF.logsumexp(0).item() + 2 * Math.log(dx);
    expect(rbm.exactLogZ().item()).toBeCloseTo(grid, 8);
  });
});
