// Test support shared by the distribution test files (not exported from the package).
import { type DType, type Tensor, tensor } from '@likelihood/core';
import { Bernoulli } from './bernoulli.js';
import { Categorical } from './categorical.js';
import type { Distribution } from './distribution.js';
import { Normal } from './normal.js';

export interface FixtureTensor {
  values: unknown;
  shape: number[];
  dtype: string;
}

const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);

export function fromFixture(t: FixtureTensor, requiresGrad = false): Tensor {
  const x = tensor(decode(t.values) as number[], { dtype: t.dtype as DType });
  return requiresGrad && t.dtype !== 'int32' ? x.requiresGrad_() : x;
}

/** Builds our distribution from the name and tensor parameters torch was given. */
export function construct(name: string, p: Record<string, Tensor>): Distribution {
  switch (name) {
    case 'Normal':
      return new Normal(p.loc!, p.scale!);
    case 'Bernoulli':
      return new Bernoulli(p);
    case 'Categorical':
      return new Categorical(p);
    default:
      throw new Error(`testing.construct: unknown distribution ${name}; add it here`);
  }
}
export { decode };
