// Test support shared by the distribution test files (not exported from the package).
import { type DType, type Tensor, tensor } from '@likelihood/core';
import * as D from './index.js';

export interface FixtureTensor {
  values: unknown;
  shape: number[];
  dtype: string;
}

const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);

export function fromFixture(t: FixtureTensor | number, requiresGrad = false): Tensor {
  if (typeof t === 'number') return t as unknown as Tensor; // plain numbers (Multinomial's total_count) pass through
  const x = tensor(decode(t.values) as number[], { dtype: t.dtype as DType });
  return requiresGrad && t.dtype !== 'int32' ? x.requiresGrad_() : x;
}

/** Builds our distribution from the name and tensor parameters torch was given. */
export function construct(name: string, p: Record<string, Tensor>): D.Distribution {
  const pl = { probs: p.probs, logits: p.logits };
  switch (name) {
    case 'Normal':
      return new D.Normal(p.loc!, p.scale!);
    case 'LogNormal':
      return new D.LogNormal(p.loc!, p.scale!);
    case 'Laplace':
      return new D.Laplace(p.loc!, p.scale!);
    case 'Cauchy':
      return new D.Cauchy(p.loc!, p.scale!);
    case 'StudentT':
      return new D.StudentT(p.df!, p.loc!, p.scale!);
    case 'Uniform':
      return new D.Uniform(p.low!, p.high!);
    case 'Exponential':
      return new D.Exponential(p.rate!);
    case 'Gamma':
      return new D.Gamma(p.concentration!, p.rate!);
    case 'Beta':
      return new D.Beta(p.concentration1!, p.concentration0!);
    case 'Dirichlet':
      return new D.Dirichlet(p.concentration!);
    case 'Poisson':
      return new D.Poisson(p.rate!);
    case 'Geometric':
      return new D.Geometric(pl);
    case 'Binomial':
      return new D.Binomial(p.total_count!, pl);
    case 'Bernoulli':
      return new D.Bernoulli(pl);
    case 'Categorical':
      return new D.Categorical(pl);
    case 'OneHotCategorical':
      return new D.OneHotCategorical(pl);
    case 'Multinomial':
      return new D.Multinomial(p.total_count as unknown as number, pl);
    case 'MultivariateNormal':
      return new D.MultivariateNormal(p.loc!, { covarianceMatrix: p.covariance_matrix, precisionMatrix: p.precision_matrix, scaleTril: p.scale_tril });
    case 'LowRankMultivariateNormal':
      return new D.LowRankMultivariateNormal(p.loc!, p.cov_factor!, p.cov_diag!);
    default:
      throw new Error(`testing.construct: unknown distribution ${name}; add it here`);
  }
}
export { decode };
