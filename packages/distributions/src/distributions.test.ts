import { type Tensor, autogradGrad, fullLike, isfinite, linspace, where, zerosLike } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { klDivergence } from './index.js';
import { type FixtureTensor, construct, decode, fromFixture } from './testing.js';

type Grads = Record<string, unknown>;
interface Example {
  name: string;
  params: Record<string, FixtureTensor>;
  values: FixtureTensor;
  batchShape: number[];
  eventShape: number[];
  logProb: unknown;
  logProbGrads: Grads;
  entropy: unknown;
  entropyGrads: Grads;
  /** Looser gradient rtol where the fixture script documents that torch's own value is ill-conditioned. */
  entropyGradRtol?: number;
  mean: unknown;
  meanGrads: Grads;
  variance: unknown;
  varianceGrads: Grads;
  cdf?: unknown;
  cdfGrads?: Grads;
  icdf?: unknown;
  icdfGrads?: Grads;
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

/** Largest |ours − torch| seen per statistic, printed after the suite (for the report). */
const worst: Record<string, number> = {};
const track = (what: string, actual: Tensor, expected: unknown) => {
  const d = decode(expected);
  const e = (Array.isArray(d) ? d.flat(8) : [d]) as number[];
  const a = Array.from(actual.storage as ArrayLike<number>);
  let m = worst[what] ?? 0;
  a.forEach((x, i) => {
    const y = e[i] ?? (e.length === 1 ? e[0]! : Number.NaN);
    if (Number.isFinite(x) && Number.isFinite(y)) m = Math.max(m, Math.abs(x - y) / Math.max(1, Math.abs(y)));
  });
  worst[what] = m;
};

/** torch.linspace(0.5, 1.5, n) (core's linspace returns [end] for n = 1 where torch returns [start]). */
const weights = (t: Tensor) => (t.size === 1 ? fullLike(t, 0.5) : linspace(0.5, 1.5, t.size, { dtype: t.dtype }).reshape([...t.shape]));

/**
 * torch's gradient is NaN at a few boundary points where ours is the finite one-sided derivative
 * (xlogy(x, y) at x = y = 0: torch's ∂/∂y is 0/0; Gamma(α = 1) and Poisson(λ = 0) at value 0).
 * Those entries accept any finite value of ours; every other entry must match.
 */
function nanAsOurs(ours: Tensor, expected: unknown): number[] {
  const d = decode(expected);
  const e = (Array.isArray(d) ? d.flat(8) : [d]) as number[];
  const o = ours.storage as ArrayLike<number>;
  return e.map((y, i) => (Number.isNaN(y) && Number.isFinite(o[i]!) ? o[i]! : y));
}

/**
 * Compares a statistic with torch, then d sum(stat · w) / d input (w = linspace(0.5, 1.5), NaN/Inf
 * entries masked out as the script does) for every input torch differentiated.
 */
function checkStat(what: string, out: Tensor, expected: unknown, grads: Grads | undefined, inputs: Record<string, Tensor>, t = tol, gradTol: { rtol?: number } = {}) {
  expectClose(out, decode(expected) as number[], { ...t, what });
  track(what, out, expected);
  const names = Object.keys(grads ?? {}).filter((k) => grads![k] !== null && inputs[k]?.requiresGrad);
  if (names.length === 0 || !out.requiresGrad) return;
  const w = weights(out);
  const masked = where(isfinite(out), out, 0);
  const g = autogradGrad([masked.mul(w).sum()], names.map((k) => inputs[k]!), { allowUnused: true });
  names.forEach((k, j) => {
    const gk = g[j] ?? zerosLike(inputs[k]!);
    expectClose(gk.reshape([-1]), nanAsOurs(gk, grads![k]), { ...gtol, ...gradTol, what: `d ${what} / d ${k}` });
    track(`d ${what}`, gk, grads![k]);
  });
}

afterAll(() => {
  console.log(`max relative error vs torch (|diff| / max(1, |torch|)): ${JSON.stringify(worst, (_, v) => (typeof v === 'number' ? Number(v.toExponential(2)) : v))}`);
});

describe('distributions match torch.distributions (values and gradients)', () => {
  for (const [i, ex] of fx.examples.entries()) {
    describe(`${i}: ${ex.name}(${Object.keys(ex.params).join(', ')})`, () => {
      it('shapes, logProb and its gradients (parameters and value)', () => {
        const { p, dist } = build(ex.name, ex.params);
        expect(dist.batchShape).toEqual(ex.batchShape);
        expect(dist.eventShape).toEqual(ex.eventShape);
        const value = fromFixture(ex.values, 'value' in ex.logProbGrads);
        checkStat('logProb', dist.logProb(value), ex.logProb, ex.logProbGrads, { ...p, value });
      });
      it.runIf(ex.entropy !== null)('entropy and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        checkStat('entropy', dist.entropy(), ex.entropy, ex.entropyGrads, p, tol, ex.entropyGradRtol ? { rtol: ex.entropyGradRtol } : {});
      });
      it.runIf(ex.mean !== null)('mean and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        checkStat('mean', dist.mean, ex.mean, ex.meanGrads, p);
      });
      it.runIf(ex.variance !== null)('variance and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        checkStat('variance', dist.variance, ex.variance, ex.varianceGrads, p);
      });
      it.runIf(ex.cdf != null)('cdf and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        const value = fromFixture(ex.values, true);
        checkStat('cdf', dist.cdf(value), ex.cdf, ex.cdfGrads, { ...p, value });
      });
      it.runIf(ex.icdf != null)('icdf and its gradients', () => {
        const { p, dist } = build(ex.name, ex.params);
        const value = fromFixture(ex.icdfAt!, true);
        checkStat('icdf', dist.icdf(value), ex.icdf, ex.icdfGrads, { ...p, value }, { rtol: 1e-8, atol: 1e-9 });
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
      track('KL', kl, c.kl);
      const pn = Object.keys(c.gradsP);
      const qn = Object.keys(c.gradsQ);
      const g = autogradGrad([kl.sum()], [...pn.map((k) => P.p[k]!), ...qn.map((k) => Q.p[k]!)]);
      pn.forEach((k, j) => {
        expectClose(g[j]!, decode(c.gradsP[k]) as number[], { ...gtol, what: `dKL/d p.${k}` });
        track('d KL', g[j]!, c.gradsP[k]);
      });
      qn.forEach((k, j) => {
        expectClose(g[pn.length + j]!, decode(c.gradsQ[k]) as number[], { ...gtol, what: `dKL/d q.${k}` });
        track('d KL', g[pn.length + j]!, c.gradsQ[k]);
      });
    });
  }
});
