import { Generator, linspace, stack } from '@likelihood/core';
import { EIGHT_GAUSSIANS_STD, eightGaussians, toy2d } from '@likelihood/datasets';
import { describe, expect, it } from 'vitest';
import { meanAndStderr, moonsLogProb, toyEntropy, toyLogProb } from './toyDensity.js';
import { trainToyFlow } from './toy.js';

/** Cell centres of an n×n grid over [lo, hi]², float64 [n², 2], and the cell area. */
function grid(lo: number, hi: number, n: number) {
  const h = (hi - lo) / n;
  const ax = linspace(lo + h / 2, hi - h / 2, n, { dtype: 'float64' });
  return { pts: stack([ax.unsqueeze(0).expand([n, n]).reshape([n * n]), ax.unsqueeze(1).expand([n, n]).reshape([n * n])], 1), area: h * h };
}

describe('exact toy log-densities and entropies', () => {
  it('the moons quadrature density integrates to 1 and puts its mass where the samples are', () => {
    const { pts, area } = grid(-5, 5, 80);
    const lp = moonsLogProb(pts).storage;
    let z = 0;
    for (const v of lp) z += Math.exp(v) * area;
    // h/σ = 0.625: the midpoint rule on a σ = 0.2 Gaussian-smoothed density is accurate far below this.
    expect(Math.abs(z - 1)).toBeLessThan(1e-4);
    // The Monte-Carlo entropy of moons is 2.391 ± 0.002 (100 000 samples).
    const x = toy2d('moons').sample(4000, new Generator(5)).to('float64');
    const h = meanAndStderr(moonsLogProb(x).storage, (v) => -v);
    expect(h.mean).toBeGreaterThan(2.3);
    expect(h.mean).toBeLessThan(2.5);
  });
  it('entropy: log 32 exactly for the checkerboard; two independent 8-gaussian estimates agree within their errors', () => {
    const c = toyEntropy('checkerboard', { samples: 2000 });
    expect(c.entropy).toBeCloseTo(Math.log(32), 12);
    const a = toyEntropy('8gaussians', { samples: 20000, generator: new Generator(1) });
    const b = toyEntropy('8gaussians', { samples: 20000, generator: new Generator(2) });
    expect(a.stderr).toBeGreaterThan(0.004);
    expect(a.stderr).toBeLessThan(0.01);
    expect(Math.abs(a.entropy - b.entropy)).toBeLessThan(4 * Math.hypot(a.stderr, b.stderr));
    expect(toyLogProb('8gaussians')).not.toBeNull();
    expect(toyLogProb('swissroll')).toBeNull();
    expect(() => toyEntropy('pinwheel')).toThrow(/pinwheel.*no known log-density/);
  });
  it('8 gaussians: the closed-form entropy H = log 8 + log(2πeσ²) when the modes barely overlap', () => {
    const s2 = EIGHT_GAUSSIANS_STD ** 2;
    const a = toyEntropy('8gaussians', { samples: 20000 });
    expect(Math.abs(a.entropy - (Math.log(8) + Math.log(2 * Math.PI * Math.E * s2)))).toBeLessThan(4 * a.stderr);
    expect(eightGaussians.logProb).toBeDefined();
  });
  it('trainToyFlow reports the paired gap NLL − entropy with its standard error, and the cosine schedule ends at minLr', () => {
    const evals: number[] = [];
    const r = trainToyFlow('moons', { kind: 'realnvp', layers: 2, hidden: [8], steps: 20, batchSize: 64, lr: 1e-2, schedule: 'cosine', testSize: 300, evalEvery: 10, onEval: (_, v) => evals.push(v) });
    expect(evals).toHaveLength(2);
    expect(evals[1]).toBeCloseTo(r.testNll, 12);
    expect(r.trueEntropy).not.toBeNull();
    expect(r.gap!).toBeCloseTo(r.testNll - r.trueEntropy!, 10);
    expect(r.gap!).toBeGreaterThan(0);
    expect(r.gapStderr!).toBeGreaterThan(0);
  });
});
