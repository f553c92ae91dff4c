import { type DType, type Tensor, autogradGrad, linspace, tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import * as L from './index.js';

interface Case {
  loss: string;
  note: string;
  dtype: DType;
  options: Record<string, unknown>;
  inputs: Record<string, { values: unknown; dtype: string; shape: number[] }>;
  value: unknown;
  shape: number[];
  grads: Record<string, unknown>;
}

const fixture = loadFixture<{ cases: Case[] }>(new URL('../fixtures/losses.json', import.meta.url));

const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);

/** Calls our loss the way the fixture called torch's. */
function call(c: Case, t: Record<string, Tensor>): Tensor {
  const o = { ...c.options, ...(t.weight ? { weight: t.weight } : {}), ...(t.posWeight ? { posWeight: t.posWeight } : {}) } as never;
  switch (c.loss) {
    case 'gaussianNll':
      return L.gaussianNll(t.input!, t.target!, t.variance!, o);
    default:
      return (L as unknown as Record<string, (a: Tensor, b: Tensor, o: unknown) => Tensor>)[c.loss]!(t.input!, t.target!, o);
  }
}

describe('losses match torch.nn.functional (values and gradients)', () => {
  for (const [i, c] of fixture.cases.entries()) {
    it(`${i}: ${c.loss} ${JSON.stringify(c.options)} ${c.note}`, () => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) {
        const dtype = (v.dtype === 'int32' ? 'int32' : v.dtype) as DType;
        const x = v.shape.length === 0 ? tensor(decode(v.values) as number, { dtype }) : tensor(decode(v.values) as number[], { dtype });
        t[k] = c.grads[k] !== undefined ? x.requiresGrad_() : x;
      }
      const out = call(c, t);
      expect(out.shape).toEqual(c.shape);
      const tol = c.dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-10, atol: 1e-12 };
      expectClose(out, decode(c.value) as number[], { ...tol, what: 'value' });
      const names = Object.keys(c.grads);
      if (names.length === 0) return;
      const n = out.size;
      const w = n > 1 ? linspace(0.5, 1.5, n, { dtype: out.dtype }).reshape([...out.shape]) : out.mul(0).add(1);
      const grads = autogradGrad([out.mul(w).sum()], names.map((k) => t[k]!));
      names.forEach((k, j) => expectClose(grads[j]!, decode(c.grads[k]) as number[], { ...tol, what: `gradient of ${k}` }));
    });
  }
});
