// Generic tests driven by one list of example distributions (torch's test_distributions.py style).
import { ArgumentError, Generator, type Tensor, autogradGrad, exp, linspace, noGrad, tensor } from '@likelihood/core';
import { expectClose, gradcheck, maxAbsDiff } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import * as D from './index.js';
import { Bernoulli, Categorical, type Distribution, Normal, klDivergence, klMonteCarlo } from './index.js';
import { gammaincScalar, standardGammaGrad } from './math.js';

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });
const allTrue = (b: Tensor) => Array.from(b.storage as ArrayLike<number>).every((x) => x === 1);

interface Example {
  name: string;
  make: () => Distribution;
  /** A second member of the family, for KL tests. */
  other?: () => Distribution;
  /** Support bounds for numeric integration of 1-D continuous densities. */
  integrate?: [number, number];
  /** Decimal digits the integral must match 1 to (trapezoid rule; fewer where the density jumps). */
  digits?: number;
  /** Has cdf (and icdf, except Gamma) as torch does. */
  cdf?: boolean;
  /** Rebuild from float64 parameters for rsample gradient checks. */
  rsampleFrom?: { params: Tensor[]; make: (...p: Tensor[]) => Distribution };
}

const EXAMPLES: Example[] = [
  {
    name: 'Normal',
    cdf: true,
    make: () => new Normal(f64([0, 2, -1]), f64([1, 0.5, 2])),
    other: () => new Normal(f64([0.5, 1, 0]), f64([2, 1, 0.7])),
    integrate: [-30, 30],
    rsampleFrom: { params: [f64([0.3, -1]), f64([1.2, 0.4])], make: (l, s) => new Normal(l!, s!) },
  },
  {
    name: 'LogNormal',
    cdf: true,
    make: () => new D.LogNormal(f64([0, 0.5]), f64([0.3, 0.2])),
    other: () => new D.LogNormal(f64([0.2, 0]), f64([0.5, 0.4])),
    integrate: [1e-12, 40],
    rsampleFrom: { params: [f64([0.3, -1]), f64([0.5, 0.4])], make: (l, s) => new D.LogNormal(l!, s!) },
  },
  {
    name: 'Laplace',
    cdf: true,
    make: () => new D.Laplace(f64([0, 2]), f64([1, 0.5])),
    other: () => new D.Laplace(f64([1, 0]), f64([2, 1])),
    integrate: [-60, 60],
    digits: 5,
    rsampleFrom: { params: [f64([0.3, -1]), f64([1.2, 0.4])], make: (l, s) => new D.Laplace(l!, s!) },
  },
  {
    name: 'Cauchy',
    cdf: true,
    make: () => new D.Cauchy(f64([0, 2]), f64([1, 0.5])),
    rsampleFrom: { params: [f64([0.3, -1]), f64([1.2, 0.4])], make: (l, s) => new D.Cauchy(l!, s!) },
  },
  {
    name: 'StudentT',
    make: () => new D.StudentT(f64([6, 10]), f64([0, 1]), f64([1, 2])),
    integrate: [-400, 400],
    digits: 5,
  },
  {
    name: 'Uniform',
    cdf: true,
    make: () => new D.Uniform(f64([0, -2]), f64([1, 3])),
    other: () => new D.Uniform(f64([-1, -3]), f64([2, 3])),
    rsampleFrom: { params: [f64([0.3, -1]), f64([1.2, 0.4])], make: (l, h) => new D.Uniform(l!, h!) },
  },
  {
    name: 'Exponential',
    cdf: true,
    make: () => new D.Exponential(f64([0.5, 3])),
    other: () => new D.Exponential(f64([1, 1])),
    integrate: [0, 80],
    digits: 3,
    rsampleFrom: { params: [f64([0.7, 2])], make: (r) => new D.Exponential(r!) },
  },
  {
    name: 'Gamma',
    cdf: true,
    make: () => new D.Gamma(f64([2, 5]), f64([1, 3])),
    other: () => new D.Gamma(f64([1.5, 4]), f64([0.5, 2])),
    integrate: [0, 60],
    digits: 5,
  },
  {
    name: 'Beta',
    make: () => new D.Beta(f64([2, 5]), f64([3, 1.5])),
    other: () => new D.Beta(f64([1.5, 2]), f64([1, 2])),
    integrate: [0, 1],
    digits: 4,
  },
  { name: 'Dirichlet', make: () => new D.Dirichlet(f64([[2, 3, 1], [0.5, 0.5, 4]])), other: () => new D.Dirichlet(f64([[1, 1, 1], [2, 1, 3]])) },
  { name: 'Poisson', make: () => new D.Poisson(f64([0.5, 4, 30])), other: () => new D.Poisson(f64([1, 3, 25])) },
  { name: 'Geometric', make: () => new D.Geometric({ probs: f64([0.3, 0.8]) }) },
  { name: 'Binomial', make: () => new D.Binomial(f64([5, 12]), { probs: f64([0.3, 0.8]) }) },
  { name: 'OneHotCategorical', make: () => new D.OneHotCategorical({ probs: f64([[0.2, 0.3, 0.5]]) }), other: () => new D.OneHotCategorical({ logits: f64([[0, 1, 0]]) }) },
  { name: 'Multinomial', make: () => new D.Multinomial(5, { probs: f64([[0.2, 0.3, 0.5]]) }) },
  {
    name: 'MultivariateNormal',
    make: () => new D.MultivariateNormal(f64([0, 1]), { covarianceMatrix: f64([[2, 0.5], [0.5, 1]]) }),
    other: () => new D.MultivariateNormal(f64([1, 0]), { scaleTril: f64([[1, 0], [0.3, 0.8]]) }),
    rsampleFrom: { params: [f64([0.3, -1]), f64([[1.2, 0], [0.4, 0.9]])], make: (l, L) => new D.MultivariateNormal(l!, { scaleTril: L!.tril() }) },
  },
  {
    name: 'LowRankMultivariateNormal',
    make: () => new D.LowRankMultivariateNormal(f64([0, 1, 2]), f64([[1, 0], [0.5, 0.2], [0, 1]]), f64([0.5, 1, 0.3])),
    rsampleFrom: {
      params: [f64([0.3, -1]), f64([[1.2], [0.4]]), f64([0.5, 0.7])],
      make: (l, W, d) => new D.LowRankMultivariateNormal(l!, W!, d!),
    },
  },
  {
    name: 'Independent(Normal)',
    make: () => new D.Independent(new Normal(f64([[0, 1], [2, 3]]), f64([[1, 2], [0.5, 1]])), 1),
    other: () => new D.Independent(new Normal(f64([[1, 1], [0, 3]]), f64([[1, 1], [1, 1]])), 1),
  },
  {
    name: 'MixtureSameFamily(Normal)',
    make: () => new D.MixtureSameFamily(new Categorical({ probs: f64([0.3, 0.7]) }), new Normal(f64([-2, 1]), f64([0.5, 1]))),
    integrate: [-30, 30],
  },
  {
    name: 'RelaxedBernoulli',
    make: () => new D.RelaxedBernoulli(f64([0.5, 0.5]), { probs: f64([0.3, 0.8]) }),
    rsampleFrom: { params: [f64([0.7, -0.4])], make: (l) => new D.RelaxedBernoulli(0.5, { logits: l! }) },
  },
  {
    name: 'RelaxedOneHotCategorical',
    make: () => new D.RelaxedOneHotCategorical(f64([0.7]), { probs: f64([[0.2, 0.3, 0.5]]) }),
  },
  {
    name: 'Bernoulli',
    make: () => new Bernoulli({ probs: f64([0.1, 0.5, 0.85]) }),
    other: () => new Bernoulli({ logits: f64([0.3, -2, 1]) }),
  },
  {
    name: 'Categorical',
    make: () => new Categorical({ probs: f64([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]]) }),
    other: () => new Categorical({ logits: f64([[0.1, 0.2, 0.3], [1, -1, 0]]) }),
  },
];

describe.each(EXAMPLES)('$name (generic)', (ex) => {
  it('sample shape is sampleShape + batchShape + eventShape', () => {
    const d = ex.make();
    const s = d.sample([4, 2], new Generator(1));
    expect(s.shape).toEqual([4, 2, ...d.batchShape, ...d.eventShape]);
    expect(d.logProb(s).shape).toEqual([4, 2, ...d.batchShape]);
  });

  it('sample moments match mean and variance (20k draws, 5 standard errors)', () => {
    const d = ex.make();
    let mean: Tensor;
    try {
      mean = d.mean;
    } catch {
      return;
    }
    if (Number.isNaN(mean.storage[0])) return; // undefined mean (Categorical)
    const n = 20000;
    const s = d.sample([n], new Generator(7)).to('float64');
    const m = s.mean(0);
    const v = d.variance;
    // |sample mean − mean| < 5·sqrt(var/n): fails by chance with probability < 1e-6 per element
    const bound = v.div(n).sqrt().mul(5).add(1e-12);
    const ok = m.sub(mean).abs().le(bound).storage;
    expect(Array.from(ok as ArrayLike<number>).every((x) => x === 1)).toBe(true);
    const sv = s.sub(m).square().mean(0);
    const vok = sv.sub(v).abs().le(v.mul(0.05).add(1e-9)).storage; // within 5% relative
    expect(Array.from(vok as ArrayLike<number>).every((x) => x === 1)).toBe(true);
  });

  it('expand(batch) broadcasts the parameters: shapes and logProb agree with the original', () => {
    const d = ex.make();
    const e = d.expand([3, ...d.batchShape]);
    expect(e.batchShape).toEqual([3, ...d.batchShape]);
    expect(e.eventShape).toEqual(d.eventShape);
    const s = d.sample([2], new Generator(5));
    const lp = d.logProb(s);
    const lpe = e.logProb(s.reshape([2, 1, ...s.shape.slice(1)]));
    expect(lpe.shape).toEqual([2, 3, ...d.batchShape]);
    for (let k = 0; k < 3; k++) expect(maxAbsDiff(lpe.narrow(1, k, 1).reshape([...lp.shape]), lp)).toBeLessThan(1e-12);
  });

  it('samples and the mode lie in the support', () => {
    const d = ex.make();
    const s = d.sample([50], new Generator(9));
    expect(allTrue(d.support.check(s))).toBe(true);
    let mode: Tensor;
    try {
      mode = d.mode;
    } catch {
      return; // no mode (mixtures, relaxed distributions)
    }
    const finite = Array.from(mode.storage as ArrayLike<number>).every((v) => !Number.isNaN(v));
    if (finite) expect(allTrue(d.support.check(mode))).toBe(true);
  });

  it.runIf(ex.cdf === true)('cdf(icdf(q)) = q, and d cdf / dx = exp(logProb)', () => {
    const d = ex.make();
    let q = f64([0.001, 0.2, 0.5, 0.8, 0.999]).reshape([5, ...d.batchShape.map(() => 1)]).expand([5, ...d.batchShape]);
    if (d instanceof D.Gamma) {
      // no icdf (as torch): check cdf against the integral of the density on a grid instead
      q = q.mul(4);
      const x = q.detach().requiresGrad_();
      const [g] = autogradGrad([d.cdf(x).sum()], [x]);
      expectClose(g!, exp(d.logProb(x.detach())), { rtol: 1e-9, atol: 1e-12, what: 'd cdf / dx' });
      return;
    }
    expectClose(d.cdf(d.icdf(q)), q, { rtol: 1e-9, atol: 1e-12, what: 'cdf(icdf(q))' });
    const x = d.icdf(q).detach().requiresGrad_();
    const [g] = autogradGrad([d.cdf(x).sum()], [x]);
    expectClose(g!, exp(d.logProb(x.detach())), { rtol: 1e-9, atol: 1e-12, what: 'd cdf / dx' });
  });

  it.runIf(ex.integrate !== undefined)('1-D density integrates to 1', () => {
    const d = ex.make();
    const [lo, hi] = ex.integrate!;
    const n = 20001;
    const grid = linspace(lo, hi, n, { dtype: 'float64' }).reshape([n, ...d.batchShape.map(() => 1)]);
    const dens = exp(d.logProb(grid.expand([n, ...d.batchShape]))); // (n, ...batch)
    const h = (hi - lo) / (n - 1);
    // trapezoid rule
    const integral = dens.sum(0).mul(h).sub(dens.narrow(0, 0, 1).add(dens.narrow(0, n - 1, 1)).reshape([...d.batchShape]).mul(h / 2));
    for (const x of integral.storage as Float64Array) expect(x).toBeCloseTo(1, ex.digits ?? 6);
  });

  it.runIf(ex.rsampleFrom !== undefined)('rsample gradients match finite differences', () => {
    const { params, make } = ex.rsampleFrom!;
    // Same generator seed on every evaluation, so the sample is a deterministic function of the parameters.
    gradcheck((...p: Tensor[]) => make(...p).rsample([3], new Generator(3)), params, { rtol: 1e-6, atol: 1e-8 });
  });

  it.runIf(ex.other !== undefined)('KL >= 0, KL(p, p) = 0, closed form agrees with Monte Carlo', () => {
    const p = ex.make();
    const q = ex.other!();
    const kl = klDivergence(p, q);
    for (const x of kl.storage as Float64Array) expect(x).toBeGreaterThanOrEqual(0);
    for (const x of klDivergence(p, p).storage as Float64Array) expect(Math.abs(x)).toBeLessThan(1e-12);
    const mc = noGrad(() => klMonteCarlo(p, q, { samples: 40000, generator: new Generator(11) }));
    kl.storage.forEach((x, i) => expect(Math.abs(mc.storage[i]! - x)).toBeLessThan(0.05 + 0.05 * x));
  });
});

describe('validation', () => {
  it('names the parameter, the constraint and the bad value', () => {
    expect(() => new Normal(f64([0, 0]), f64([1, -2]))).toThrow(/Normal: parameter scale .* GreaterThan\(lower_bound=0\.0\).* -2 at index \[1\]/);
    expect(() => new Bernoulli({ probs: f64([1.5]) })).toThrow(/parameter probs .*Interval/);
    expect(() => new Bernoulli({})).toThrow(/exactly one of probs or logits/);
  });
  it('rejects values outside the support when validating, and not when off', () => {
    const b = new Bernoulli({ probs: f64([0.5]) });
    expect(() => b.logProb(f64([0.5]))).toThrow(/support Boolean/);
    const c = new Categorical({ probs: f64([0.5, 0.5]) });
    expect(() => c.logProb(tensor([2], { dtype: 'int32' }))).toThrow(/support IntegerInterval/);
    const n = new Normal(0, 1, { validateArgs: false });
    expect(Number.isNaN(new Normal(f64([0]), f64([1]), { validateArgs: false }).logProb(f64([Number.NaN])).item())).toBe(true);
    expect(n.batchShape).toEqual([]);
  });
});

describe('bad input throws a typed error naming the problem, never NaN', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['Normal scale 0', () => new Normal(f64([0]), f64([0])), /parameter scale/],
    ['Normal loc NaN', () => new Normal(f64([Number.NaN]), f64([1])), /parameter loc .*Real/],
    ['LogNormal scale < 0', () => new D.LogNormal(f64([0]), f64([-1])), /parameter scale/],
    ['Laplace scale < 0', () => new D.Laplace(f64([0]), f64([-1])), /parameter scale/],
    ['Cauchy scale 0', () => new D.Cauchy(f64([0]), f64([0])), /parameter scale/],
    ['StudentT df 0', () => new D.StudentT(f64([0]), f64([0]), f64([1])), /parameter df/],
    ['Uniform low >= high', () => new D.Uniform(f64([1]), f64([1])), /parameter (low|high)/],
    ['Exponential rate < 0', () => new D.Exponential(f64([-1])), /parameter rate/],
    ['Gamma concentration 0', () => new D.Gamma(f64([0]), f64([1])), /parameter concentration/],
    ['Beta concentration0 < 0', () => new D.Beta(f64([1]), f64([-1])), /parameter concentration0/],
    ['Dirichlet concentration 0', () => new D.Dirichlet(f64([[1, 0]])), /parameter concentration/],
    ['Poisson rate < 0', () => new D.Poisson(f64([-1])), /parameter rate/],
    ['Geometric probs > 1', () => new D.Geometric({ probs: f64([1.2]) }), /parameter probs/],
    ['Binomial count 2.5', () => new D.Binomial(f64([2.5]), { probs: f64([0.5]) }), /parameter totalCount/],
    ['Bernoulli probs < 0', () => new Bernoulli({ probs: f64([-0.1]) }), /parameter probs/],
    ['Categorical probs < 0', () => new Categorical({ probs: f64([[0.5, -0.1]]) }), /parameter probs/],
    ['Multinomial count -1', () => new D.Multinomial(-1, { probs: f64([[0.5, 0.5]]) }), /totalCount/],
    ['MVN not positive definite', () => new D.MultivariateNormal(f64([0, 0]), { covarianceMatrix: f64([[1, 2], [2, 1]]) }), /PositiveDefinite/],
    ['MVN scaleTril not lower', () => new D.MultivariateNormal(f64([0, 0]), { scaleTril: f64([[1, 2], [0, 1]]) }), /LowerCholesky/],
    ['LowRankMVN covDiag 0', () => new D.LowRankMultivariateNormal(f64([0, 0]), f64([[1], [1]]), f64([1, 0])), /parameter covDiag/],
    ['RelaxedBernoulli temperature 0', () => new D.RelaxedBernoulli(f64([0]), { probs: f64([0.5]) }), /parameter temperature/],
    ['Independent ndims too large', () => new D.Independent(new Normal(f64([0]), f64([1])), 2), /reinterpretedBatchNdims/],
    ['Normal logProb NaN value', () => new Normal(f64([0]), f64([1])).logProb(f64([Number.NaN])), /support Real/],
    ['Exponential logProb of −1', () => new D.Exponential(f64([1])).logProb(f64([-1])), /support GreaterThanEq/],
    ['Exponential cdf of −1', () => new D.Exponential(f64([1])).cdf(f64([-1])), /support GreaterThanEq/],
    ['Gamma cdf of −1', () => new D.Gamma(f64([2]), f64([1])).cdf(f64([-1])), /support GreaterThanEq/],
    ['Uniform logProb above high', () => new D.Uniform(f64([0]), f64([1])).logProb(f64([2])), /support Interval/],
    ['Beta logProb of 1.5', () => new D.Beta(f64([2]), f64([2])).logProb(f64([1.5])), /support Interval/],
    ['Dirichlet logProb off the simplex', () => new D.Dirichlet(f64([[1, 1]])).logProb(f64([[0.5, 0.6]])), /support Simplex/],
    ['Poisson logProb of 1.5', () => new D.Poisson(f64([1])).logProb(f64([1.5])), /support IntegerGreaterThan/],
    ['Binomial logProb above n', () => new D.Binomial(f64([3]), { probs: f64([0.5]) }).logProb(f64([4])), /support IntegerInterval/],
    ['LogNormal logProb of −1', () => new D.LogNormal(f64([0]), f64([1])).logProb(f64([-1])), /support GreaterThan/],
    ['Normal icdf of 1.5', () => new Normal(f64([0]), f64([1])).icdf(f64([1.5])), /icdf: argument must be a probability/],
    ['LogNormal icdf of −0.1', () => new D.LogNormal(f64([0]), f64([1])).icdf(f64([-0.1])), /icdf: argument must be a probability/],
    ['MVN value with the wrong event size', () => new D.MultivariateNormal(f64([0, 0]), { scaleTril: f64([[1, 0], [0, 1]]) }).logProb(f64([1, 2, 3])), /event shape/],
  ];
  it.each(bad)('%s', (_, f, msg) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toMatch(/ArgumentError|ShapeError/);
    expect((err as Error).message).toMatch(msg);
  });
  it('errors are the exported ArgumentError class', () => {
    expect(() => new Normal(f64([0]), f64([-1]))).toThrow(ArgumentError);
  });
});

describe('implicit reparameterisation gradients (Gamma, StudentT, Beta, Dirichlet rsample)', () => {
  /**
   * For a statistic h, d/dθ E[h(x)] = E[h'(x)·dx/dθ]: the mean over N draws of the per-draw
   * gradient must match the closed-form derivative within 5 standard errors (estimated from the draws).
   */
  function expectMeanGrad(make: (theta: Tensor) => Distribution, theta0: number, h: (x: Tensor) => Tensor, expected: number, n = 20000) {
    const theta = f64([theta0]).reshape([]).requiresGrad_();
    const x = make(theta).rsample([n], new Generator(21)); // (n) or (n, k)
    const hx = h(x); // (n)
    const [gsum] = autogradGrad([hx.sum()], [theta]);
    const mean = gsum!.item() / n;
    const per: number[] = [];
    for (let c = 0; c < 200; c++) {
      const th = f64([theta0]).reshape([]).requiresGrad_();
      const xs = make(th).rsample([100], new Generator(1000 + c));
      const [g] = autogradGrad([h(xs).sum()], [th]);
      per.push(g!.item() / 100);
    }
    const m = per.reduce((a, b) => a + b, 0) / per.length;
    const sd = Math.sqrt(per.reduce((a, b) => a + (b - m) ** 2, 0) / (per.length - 1));
    // 200 chunk means of 100 draws: their spread gives the standard error of a 20000-draw mean
    const se = sd / Math.sqrt(per.length);
    expect(Math.abs(mean - expected)).toBeLessThan(5 * se + 1e-9);
    expect(Math.abs(m - expected)).toBeLessThan(5 * se + 1e-9);
  }
  it('Gamma: d/dα E[x] = 1/β, d/dα E[x²] = (2α + 1)/β² (α = 0.7 and 3)', () => {
    for (const a of [0.7, 3]) {
      expectMeanGrad((t) => new D.Gamma(t, 2), a, (x) => x, 1 / 2);
      expectMeanGrad((t) => new D.Gamma(t, 2), a, (x) => x.square(), (2 * a + 1) / 4);
    }
  });
  it('StudentT: d/d df E[x²] = −2/(df − 2)² (df = 9)', () => {
    expectMeanGrad((t) => new D.StudentT(t, 0, 1), 9, (x) => x.square(), -2 / 49);
  });
  it('Beta: d/da E[x] = b/(a + b)² (a = 2, b = 3)', () => {
    expectMeanGrad((t) => new D.Beta(t, 3), 2, (x) => x, 3 / 25);
  });
  it('Dirichlet: d/dα₀ E[x₀] = (Σα − α₀)/(Σα)² with α = (θ, 2, 1), θ = 1.5', () => {
    expectMeanGrad((t) => new D.Dirichlet(t.reshape([1]).mul(f64([1, 0, 0])).add(f64([0, 2, 1]))), 1.5, (x) => x.narrow(-1, 0, 1).reshape([-1]), 3 / 4.5 ** 2);
  });
  it('standardGammaGrad agrees with the implicit-function derivative of the cdf (u fixed, α ± h re-solved)', () => {
    // For α and x with F(x; α) = u, solve F(x'; α + h) = u by bisection and compare (x' − x)/h.
    for (const [a, x] of [[0.3, 0.05], [2, 1.7], [20, 23]] as const) {
      const u = gammaincScalar(a, x);
      const solve = (aa: number) => {
        let lo = 0;
        let hi = x * 10 + 10;
        for (let i = 0; i < 200; i++) {
          const mid = (lo + hi) / 2;
          if (gammaincScalar(aa, mid) < u) lo = mid;
          else hi = mid;
        }
        return (lo + hi) / 2;
      };
      const h = 1e-4;
      const fd = (solve(a + h) - solve(a - h)) / (2 * h);
      const g = standardGammaGrad(f64([a]), f64([x])).item();
      expect(Math.abs(g - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });
});
