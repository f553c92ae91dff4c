// Every layer against torch.nn: state dict loaded with loadStateDict (so the keys are torch's),
// then forward values, gradients of sum(out * w) w.r.t. the input and every parameter, and the
// state after the forward (BatchNorm running statistics) compared with PyTorch's.
import { type DType, type Tensor, autogradGrad, linspace, tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import type { Module } from '../module.js';
import * as L from './index.js';

interface Enc {
  values: unknown;
  shape: number[];
  dtype: string;
}

interface Case {
  name: string;
  ts: { layer: string; args: unknown[]; options: Record<string, unknown> };
  dtype: 'float32' | 'float64';
  mode: 'train' | 'eval';
  stateDict: Record<string, Enc>;
  warmup: Enc[];
  input: Enc;
  output: unknown;
  outputShape: number[];
  grads: Record<string, unknown>;
  stateAfter: Record<string, Enc>;
}

const fixture = loadFixture<{ torch: string; cases: Case[] }>(new URL('../../fixtures/layers.json', import.meta.url));

const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);

function toTensor(e: Enc): Tensor {
  const t = tensor(decode(e.values) as number[], { dtype: e.dtype as DType });
  return e.shape.length === 0 ? t.reshape([]) : t;
}

type Ctor = new (...args: unknown[]) => Module & { forward(x: Tensor): Tensor };

function build(c: Case): Module & { forward(x: Tensor): Tensor } {
  const Cls = (L as unknown as Record<string, Ctor>)[c.ts.layer];
  if (!Cls) throw new Error(`no layer ${c.ts.layer}`);
  const takesOptions = !['ReLU', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'LeakyReLU', 'ELU', 'Softplus', 'Softmax', 'LogSoftmax', 'Identity', 'Flatten', 'Unflatten'].includes(c.ts.layer);
  if (!takesOptions) return new Cls(...c.ts.args);
  // MLP's options come after its optional outFeatures
  const args = [...c.ts.args];
  if (c.ts.layer === 'MLP' && args.length === 2) args.push(null);
  return new Cls(...args, { ...c.ts.options });
}

/** Worst errors seen per dtype and kind, printed at the end for the record. */
const worst: Record<string, { abs: number; absAt: string; rel: number; relAt: string }> = {};
function record(dtype: string, kind: string, actual: Tensor, expected: unknown, name: string): void {
  const a = Array.from(actual.storage as ArrayLike<number>);
  const e = (decode(expected) as unknown[]).flat(Infinity as 1) as number[];
  const key = `${dtype} ${kind}`;
  const w = (worst[key] ??= { abs: 0, absAt: '', rel: 0, relAt: '' });
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    if (d > w.abs) [w.abs, w.absAt] = [d, `${name}, expected ${e[i]}`];
    // relative error where the expected value is not itself rounding noise
    const r = Math.abs(e[i]!) > (dtype === 'float32' ? 1e-4 : 1e-10) ? d / Math.abs(e[i]!) : 0;
    if (r > w.rel) [w.rel, w.relAt] = [r, `${name}, expected ${e[i]}`];
  }
}

describe(`layers match torch.nn ${fixture.torch} (state dict, values, gradients, running stats)`, () => {
  for (const [i, c] of fixture.cases.entries()) {
    it(`${i}: ${c.name}`, () => {
      const m = build(c);
      const sd = Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, toTensor(v)]));
      expect(Object.keys(m.stateDict()).sort()).toEqual(Object.keys(sd).sort());
      m.loadStateDict(sd);
      m.train();
      for (const w of c.warmup) m.forward(toTensor(w));
      m.train(c.mode === 'train');
      const x = toTensor(c.input);
      if (x.dtype !== 'int32') x.requiresGrad_();
      const out = m.forward(x);
      expect(out.shape).toEqual(c.outputShape);
      expect(out.dtype).toBe(c.dtype);
      const tol = c.dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-11, atol: 1e-12 };
      expectClose(out, decode(c.output) as number[], { ...tol, what: 'output' });
      record(c.dtype, 'output', out, c.output, c.name);

      const params = Object.fromEntries(m.namedParameters());
      const names = Object.keys(c.grads);
      const wrt = names.map((k) => (k === 'input' ? x : params[k]!));
      expect(names.filter((k) => k !== 'input').sort()).toEqual(Object.keys(params).sort());
      if (names.length > 0) {
        const w = linspace(0.5, 1.5, out.size, { dtype: out.dtype }).reshape([...out.shape]);
        const grads = autogradGrad([out.mul(w).sum()], wrt, { allowUnused: true });
        names.forEach((k, j) => {
          const g = grads[j] ?? wrt[j]!.mul(0);
          expectClose(g, decode(c.grads[k]) as number[], { ...tol, what: `gradient of ${k}` });
          record(c.dtype, 'gradient', g, c.grads[k], `${c.name} d/d${k}`);
        });
      }
      const after = m.stateDict();
      for (const [k, v] of Object.entries(c.stateAfter)) {
        expect(after[k]!.dtype).toBe(v.dtype);
        expect(after[k]!.shape).toEqual(v.shape);
        const e = decode(v.values);
        expectClose(after[k]!, Array.isArray(e) ? (e as number[]) : [e as number], { ...tol, what: `state ${k} after forward` });
        record(c.dtype, 'state', after[k]!, Array.isArray(e) ? e : [e], `${c.name} ${k}`);
      }
    });
  }
  afterAll(() => {
    for (const [k, w] of Object.entries(worst)) {
      console.log(`layers vs torch, ${k}: max |diff| ${w.abs.toExponential(2)} (${w.absAt}); max rel ${w.rel.toExponential(2)} (${w.relAt})`);
    }
  });
});
