import { autogradGrad, linspace } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { klDivergence } from './index.js';
import { type FixtureTensor, construct, decode, fromFixture } from './testing.js';

interface Example {
  name: string;
  params: Record<string, FixtureTensor>;
  values: FixtureTensor;
  batchShape: number[];
  eventShape: number[];
  logProb: unknown;
  logProbGrads: Record<string, unknown>;
  entropy: unknown;
  entropyGrads: Record<string, unknown>;
  mean: unknown;
  variance: unknown;
  cdf?: unknown;
  icdf?: unknown;
  icdfAt?: FixtureTensor;
}
interface KlCase {
  p: { name: string; params: Record<string, FixtureTensor> };
  q: { name: string; params: Record<string, FixtureTensor> };
  kl: unknown;
  gradsP: Record<string, unknown>;
  gradsQ: Record<string, unknown>;
}

const fx = loadFixture<{ examples: Example[]; kl: KlCase[] }>(new URL('../fixtures/distributions.json', import.meta.url));
const tol = { rtol: 1e-9, atol: 1e-10 };
// Gradients: torch's own float64 rounding reaches ~1e-9 on some of them (digamma/trigamma chains).
const gtol = { rtol: 1e-8, atol: 1e-8 };

const build = (name: string, params: Record<string, FixtureTensor>) => {
  const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, fromFixture(v, k !== 'total_count')]));
  return { p, dist: construct(name, p) };
};

describe('distributions match torch.distributions', () => {
  for (const [i, ex] of fx.examples.entries()) {
    describe(`${i}: ${ex.name}(${Object.keys(ex.params).join(', ')})`, () => {
      it('shapes, logProb and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        expect(dist.batchShape).toEqual(ex.batchShape);
        expect(dist.eventShape).toEqual(ex.eventShape);
        const lp = dist.logProb(fromFixture(ex.values));
        expectClose(lp, decode(ex.logProb) as number[], { ...tol, what: 'logProb' });
        const w = linspace(0.5, 1.5, lp.size, { dtype: lp.dtype }).reshape([...lp.shape]);
        const names = Object.keys(ex.logProbGrads).filter((k) => ex.logProbGrads[k] !== null);
        const g = autogradGrad([lp.mul(w).sum()], names.map((k) => p[k]!));
        names.forEach((k, j) => expectClose(g[j]!, decode(ex.logProbGrads[k]) as number[], { ...gtol, what: `d logProb / d ${k}` }));
      });
      it.runIf(ex.entropy !== null)('entropy and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        const h = dist.entropy();
        expectClose(h, decode(ex.entropy) as number[], { ...tol, what: 'entropy' });
        const names = Object.keys(ex.entropyGrads).filter((k) => ex.entropyGrads[k] !== null);
        const g = autogradGrad([h.sum()], names.map((k) => p[k]!));
        names.forEach((k, j) => expectClose(g[j]!, decode(ex.entropyGrads[k]) as number[], { ...gtol, what: `d entropy / d ${k}` }));
      });
      it('mean, variance, cdf, icdf', () => {
        const { dist } = build(ex.name, ex.params);
        if (ex.mean !== null) expectClose(dist.mean, decode(ex.mean) as number[], { ...tol, what: 'mean' });
        if (ex.variance !== null) expectClose(dist.variance, decode(ex.variance) as number[], { ...tol, what: 'variance' });
        if (ex.cdf != null) expectClose(dist.cdf(fromFixture(ex.values)), decode(ex.cdf) as number[], { ...tol, what: 'cdf' });
        if (ex.icdf != null) expectClose(dist.icdf(fromFixture(ex.icdfAt!)), decode(ex.icdf) as number[], { rtol: 1e-8, atol: 1e-9, what: 'icdf' });
      });
    });
  }
});

describe('klDivergence matches torch.distributions.kl_divergence', () => {
  for (const [i, c] of fx.kl.entries()) {
    it(`${i}: KL(${c.p.name} ‖ ${c.q.name}) and its gradients`, () => {
      const P = build(c.p.name, c.p.params);
      const Q = build(c.q.name, c.q.params);
      const kl = klDivergence(P.dist, Q.dist);
      expectClose(kl, decode(c.kl) as number[], { ...tol, what: 'KL' });
      const pn = Object.keys(c.gradsP);
      const qn = Object.keys(c.gradsQ);
      const g = autogradGrad([kl.sum()], [...pn.map((k) => P.p[k]!), ...qn.map((k) => Q.p[k]!)]);
      pn.forEach((k, j) => expectClose(g[j]!, decode(c.gradsP[k]) as number[], { ...gtol, what: `dKL/d p.${k}` }));
      qn.forEach((k, j) => expectClose(g[pn.length + j]!, decode(c.gradsQ[k]) as number[], { ...gtol, what: `dKL/d q.${k}` }));
    });
  }
});
