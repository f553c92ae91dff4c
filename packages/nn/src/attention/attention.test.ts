import { Generator, type Tensor, autogradGrad, linspace, randn, tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { sinusoidalEmbedding } from '../timeEmbedding.js';
import { CausalSelfAttention } from './causalSelfAttention.js';
import { KVCache } from './kvCache.js';
import { scaledDotProductAttention } from './sdpa.js';

type Nested = number[] | Nested[];
interface SdpaCase {
  q: Nested; k: Nested; v: Nested; shape: number[]; causal: boolean; scale: number | null;
  mask: { values: Nested; dtype: 'bool' | 'float64'; shape: number[] } | null;
  out: Nested; gq: Nested; gk: Nested; gv: Nested;
}
interface Fixture {
  causal: SdpaCase; bool_mask: SdpaCase; float_mask_scale: SdpaCase;
  module: { nEmbd: number; nHead: number; state: Record<string, { values: Nested; shape: number[] }>; x: Nested; out: Nested; grads: Record<string, Nested> };
  timestep: { t: number[]; dim8: Nested; dim7: Nested };
}
const fx = loadFixture<Fixture>(new URL('../../fixtures/attention.json', import.meta.url));
const f64 = (v: Nested) => tensor(v, { dtype: 'float64' });
/** sum(y · w) with torch's w = linspace(0.5, 1.5) over y. */
const wsum = (y: Tensor) => y.mul(linspace(0.5, 1.5, y.size, { dtype: y.dtype }).reshape([...y.shape])).sum();

describe('scaledDotProductAttention vs torch', () => {
  for (const name of ['causal', 'bool_mask', 'float_mask_scale'] as const) {
    it(name, () => {
      const c = fx[name];
      const [q, k, v] = [c.q, c.k, c.v].map((a) => f64(a).requiresGrad_()) as [Tensor, Tensor, Tensor];
      const attnMask = c.mask ? tensor(c.mask.values, { dtype: c.mask.dtype }) : null;
      const y = scaledDotProductAttention(q, k, v, { causal: c.causal, attnMask, scale: c.scale ?? undefined });
      expectClose(y, c.out, { atol: 1e-12 });
      const [gq, gk, gv] = autogradGrad([wsum(y)], [q, k, v]);
      expectClose(gq!, c.gq, { atol: 1e-12 });
      expectClose(gk!, c.gk, { atol: 1e-12 });
      expectClose(gv!, c.gv, { atol: 1e-12 });
    });
  }

  it('rejects mismatched shapes with both shapes named', () => {
    const q = randn([2, 3, 4]);
    expect(() => scaledDotProductAttention(q, randn([2, 5, 3]), randn([2, 5, 3]))).toThrow(/q has feature size 4 but k has 3/);
    expect(() => scaledDotProductAttention(q, randn([2, 5, 4]), randn([2, 6, 3]))).toThrow(/k has 5 positions but v has 6/);
    expect(() => scaledDotProductAttention(q, randn([2, 2, 4]), randn([2, 2, 4]), { causal: true })).toThrow(/at least as many keys as queries/);
  });
});

describe('CausalSelfAttention', () => {
  const m = fx.module;
  const build = () => {
    const attn = new CausalSelfAttention({ nEmbd: m.nEmbd, nHead: m.nHead, dtype: 'float64', generator: new Generator(0) });
    attn.loadStateDict(Object.fromEntries(Object.entries(m.state).map(([k, v]) => [k, f64(v.values)])));
    return attn;
  };

  it("has nanoGPT's state-dict keys and matches torch's output and gradients", () => {
    const attn = build();
    expect(Object.keys(attn.stateDict()).sort()).toEqual(Object.keys(m.state).sort());
    const x = f64(m.x).requiresGrad_();
    const y = attn.forward(x);
    expectClose(y, m.out, { atol: 1e-12 });
    const named = attn.namedParameters();
    const grads = autogradGrad([wsum(y)], [x, ...named.map(([, p]) => p)]);
    expectClose(grads[0]!, m.grads.x!, { atol: 1e-12 });
    named.forEach(([n], i) => expectClose(grads[i + 1]!, m.grads[n]!, { atol: 1e-12 }));
  });

  it('incremental decoding with a KV cache equals the full forward, position by position', () => {
    const attn = build().eval();
    const x = f64(m.x); // [2, 6, 8]
    const full = attn.forward(x);
    const cache = new KVCache();
    const first = attn.forward(x.narrow(1, 0, 2), { cache }); // a 2-token prompt, then one token at a time
    expectClose(first, full.narrow(1, 0, 2).toArray() as Nested, { atol: 1e-12 });
    for (let t = 2; t < 6; t++) {
      const step = attn.forward(x.narrow(1, t, 1), { cache });
      expectClose(step, full.narrow(1, t, 1).toArray() as Nested, { atol: 1e-12 });
    }
    expect(cache.length).toBe(6);
  });

  it('validates its configuration and input', () => {
    expect(() => new CausalSelfAttention({ nEmbd: 10, nHead: 3 })).toThrow(/multiple of nHead \(3\), found 10/);
    const attn = new CausalSelfAttention({ nEmbd: 8, nHead: 2 });
    expect(() => attn.forward(randn([2, 5, 6]))).toThrow(/expected input \[B, T, 8\], found \[2, 5, 6\]/);
  });
});

describe('sinusoidalEmbedding', () => {
  it("matches guided-diffusion's timestep_embedding for even and odd dims", () => {
    const t = f64(fx.timestep.t);
    expectClose(sinusoidalEmbedding(t, 8), fx.timestep.dim8, { atol: 1e-12 });
    expectClose(sinusoidalEmbedding(t, 7), fx.timestep.dim7, { atol: 1e-12 });
  });
});
