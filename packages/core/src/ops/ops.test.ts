// Forward values of the elementwise, reduction and shape ops against PyTorch (fixtures/gen_ops.py).
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import * as core from '../index.js';
import type { DType, Tensor } from '../index.js';

interface FixtureTensor {
  tensor: unknown;
  dtype: DType;
  shape: number[];
}
interface Case {
  op: string;
  args: unknown[];
  out: FixtureTensor[];
  multi: boolean;
  note: string;
}

const fx = loadFixture<{ cases: Case[] }>(new URL('../../fixtures/ops.json', import.meta.url));
const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);
const isT = (a: unknown): a is FixtureTensor => typeof a === 'object' && a !== null && 'tensor' in a;
const toTensor = (a: FixtureTensor): Tensor => {
  const v = decode(a.tensor);
  return a.shape.length === 0 ? core.tensor(v as number, { dtype: a.dtype }) : core.tensor(v as number[], { dtype: a.dtype });
};
const toArg = (a: unknown): unknown => (isT(a) ? toTensor(a) : Array.isArray(a) && a.length > 0 && isT(a[0]) ? a.map(toArg) : a === null ? undefined : a);

/** Float32 to float32 rounding; float64 to ~1e-12 relative (special functions are within 1e-13 of torch). */
const tolFor = (dtype: DType) => (dtype === 'float32' ? { rtol: 2e-6, atol: 1e-6 } : { rtol: 1e-11, atol: 1e-12 });

describe('ops match PyTorch', () => {
  for (const [i, c] of fx.cases.entries()) {
    it(`${i}: ${c.op}(${c.args.map((a) => (isT(a) ? `${a.dtype}[${a.shape}]` : Array.isArray(a) && isT(a[0]) ? '[tensors]' : JSON.stringify(a))).join(', ')}) ${c.note}`, () => {
      const fn = (core as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op];
      expect(fn, `core.${c.op}`).toBeTypeOf('function');
      let out = fn!(...c.args.map(toArg));
      if (out && typeof out === 'object' && !Array.isArray(out) && !(out instanceof core.Tensor) && 'indices' in (out as object)) out = [(out as { values: Tensor }).values, (out as { indices: Tensor }).indices];
      const outs = (c.multi ? out : [out]) as Tensor[];
      expect(outs.length).toBe(c.out.length);
      outs.forEach((o, k) => {
        const e = c.out[k]!;
        expect(o.shape, `shape of output ${k}`).toEqual(e.shape);
        expect(o.dtype, `dtype of output ${k}`).toBe(e.dtype);
        if (e.dtype === 'bool') expect(o.toArray()).toEqual(e.tensor);
        else if (e.dtype === 'int32') expect(Array.from(o.storage as Int32Array)).toEqual([e.tensor].flat(Infinity as 1));
        else expectClose(o, decode(e.tensor) as number[], { ...tolFor(e.dtype), what: `${c.op} output ${k}` });
      });
    });
  }
});
