// The fused sinusoidal embedding (one wasm pass) against the composite it replaces and float64.
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, autogradGrad, getKernelPreference, rand, setKernelPreference, sinusoidalEmbedding, tensor, trace } from '../../index.js';
import type { Tensor } from '../../tensor.js';
import { splitEveryKernelForTests } from './threads.js';

/** The composite's float32 result: its multiply, the wasm cos and sin, and the concat (the fused path needs the `wasm` preference and is skipped for a t that requires grad). */
function composite(t: Tensor, dim: number): Float32Array {
  const tg = t.detach().requiresGrad_();
  return sinusoidalEmbedding(tg, dim).storage as Float32Array;
}

describe('fused sinusoidal embedding', () => {
  const saved = getKernelPreference();
  afterEach(() => {
    setKernelPreference(saved);
    splitEveryKernelForTests(false);
  });
  it('equals the float32 composite bit for bit (even and odd dims, timesteps up to 999, split over threads)', () => {
    setKernelPreference('wasm');
    splitEveryKernelForTests(true);
    const t = rand([300], { generator: new Generator(5) }).mul(999);
    for (const dim of [32, 33, 6, 1]) {
      const fused = sinusoidalEmbedding(t, dim).storage as Float32Array;
      expect(fused.length).toBe(300 * dim);
      expect(Array.from(fused), `dim ${dim}`).toEqual(Array.from(composite(t, dim)));
    }
  });
  it('is within float32 rounding of the float64 embedding (the argument t·f is rounded to float32 first)', () => {
    setKernelPreference('wasm');
    const tv = [0, 1, 2.5, 17, 250, 999];
    const got = sinusoidalEmbedding(tensor(tv, { dtype: 'float32' }), 16).storage;
    const want = sinusoidalEmbedding(tensor(tv, { dtype: 'float64' }), 16).storage;
    tv.forEach((ti, n) => {
      for (let j = 0; j < 16; j++) expect(Math.abs(got[n * 16 + j]! - want[n * 16 + j]!), `t=${ti} j=${j}`).toBeLessThanOrEqual(2e-7 * Math.max(1, ti) + 1e-6);
    });
  });
  it('falls back to the composite for arguments beyond the wasm range, under trace and for a t that needs a gradient', () => {
    setKernelPreference('wasm');
    const big = tensor([1e5, 3], { dtype: 'float32' });
    const y = sinusoidalEmbedding(big, 4).storage;
    expect(y[0]).toBeCloseTo(Math.cos(1e5), 2);
    expect(y[2]).toBeCloseTo(Math.sin(1e5), 2);
    const { graph } = trace((t: Tensor) => sinusoidalEmbedding(t, 8), [tensor([1, 2], { dtype: 'float32' })]);
    expect(graph.nodes.map((n) => n.op)).toContain('Sin');
    const t = tensor([0.5, 2], { dtype: 'float32' }).requiresGrad_();
    const [g] = autogradGrad([sinusoidalEmbedding(t, 2).sum()], [t]); // d/dt (cos t + sin t)
    expect(g!.storage[0]).toBeCloseTo(-Math.sin(0.5) + Math.cos(0.5), 5);
  });
});
