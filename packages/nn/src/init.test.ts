import { ArgumentError, DTypeError, Generator, type Tensor, ones, tensor, zeros } from '@likelihood/core';
import { loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import {
  type Nonlinearity, calculateGain, computeFans, constant_, kaimingNormal_, kaimingUniform_, normal_, ones_, truncNormal_, uniform_,
  xavierNormal_, xavierUniform_, zeros_,
} from './init.js';
import { Parameter } from './parameter.js';

const fixture = loadFixture<{ fans: Record<string, { fanIn: number; fanOut: number }>; gains: Record<string, number> }>(
  new URL('../fixtures/layers.json', import.meta.url),
);

function moments(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const s = t.storage as ArrayLike<number>;
  let m = 0;
  for (let i = 0; i < s.length; i++) m += s[i]!;
  m /= s.length;
  let v = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < s.length; i++) {
    v += (s[i]! - m) ** 2;
    min = Math.min(min, s[i]!);
    max = Math.max(max, s[i]!);
  }
  return { mean: m, std: Math.sqrt(v / (s.length - 1)), min, max };
}

describe('computeFans and calculateGain equal torch.nn.init', () => {
  it('fans for linear and conv weights (receptive field) match torch exactly', () => {
    for (const [shape, want] of Object.entries(fixture.fans)) {
      expect(computeFans(zeros(JSON.parse(shape) as number[]))).toEqual(want);
      expect(computeFans(JSON.parse(shape) as number[])).toEqual(want);
    }
  });

  it('gains match torch exactly (camelCase and torch spellings)', () => {
    const alias: Record<string, Nonlinearity> = { conv_transpose2d: 'convTranspose2d', leaky_relu: 'leakyRelu' };
    for (const [key, want] of Object.entries(fixture.gains)) {
      const [nl, p] = key.split(':') as [Nonlinearity, string];
      const param = p === 'None' ? undefined : Number(p);
      expect(calculateGain(nl, param)).toBe(want);
      if (alias[nl]) expect(calculateGain(alias[nl]!, param)).toBe(want);
    }
  });

  it('rejects bad arguments with the op named', () => {
    expect(() => computeFans(zeros([5]))).toThrow(ArgumentError);
    expect(() => computeFans(zeros([5]))).toThrow(/computeFans: .*at least 2 dims, found shape \[5\]/);
    expect(() => calculateGain('softmax' as Nonlinearity)).toThrow(/calculateGain: unsupported nonlinearity 'softmax'/);
    expect(() => kaimingUniform_(zeros([3, 4]), { mode: 'fanMiddle' as 'fanIn' })).toThrow(/kaimingUniform_: mode must be 'fanIn' or 'fanOut', found 'fanMiddle'/);
    expect(() => uniform_(zeros([3], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => uniform_(zeros([3]), 1, 0)).toThrow(/uniform_: expected a <= b, found a 1, b 0/);
    expect(() => normal_(zeros([3]), 0, -1)).toThrow(/normal_: std must be >= 0, found -1/);
    expect(() => truncNormal_(zeros([3]), 0, 1, 2, -2)).toThrow(ArgumentError);
  });
});

// Statistical tests: fixed seeds; the sample std of n draws has relative standard error
// about √((κ − 1) / 4n) (κ = 1.8 uniform, 3 normal), so the tolerances below are ≥ 6 SE.
describe('initialisers draw from the stated distributions (fixed seeds)', () => {
  it('uniform_ and normal_: bounds and moments', () => {
    const g = new Generator(1);
    const u = moments(uniform_(zeros([200, 100]), -2, 3, g)); // n = 20000
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThanOrEqual(3);
    expect(Math.abs(u.mean - 0.5)).toBeLessThan(0.05); // SE 0.0102
    expect(Math.abs(u.std / (5 / Math.sqrt(12)) - 1)).toBeLessThan(0.02); // SE 0.0032
    const n = moments(normal_(zeros([200, 100], { dtype: 'float64' }), 1.5, 0.25, g));
    expect(Math.abs(n.mean - 1.5)).toBeLessThan(0.01); // SE 0.0018
    expect(Math.abs(n.std / 0.25 - 1)).toBeLessThan(0.03); // SE 0.005
  });

  it('kaimingUniform_ defaults (a = 0, fanIn, leakyRelu): bound √(6 / fanIn)', () => {
    const w = kaimingUniform_(zeros([256, 128]), {}, new Generator(2));
    const m = moments(w);
    const bound = Math.sqrt(6 / 128);
    expect(m.max).toBeLessThanOrEqual(bound);
    expect(m.min).toBeGreaterThanOrEqual(-bound);
    expect(m.max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(m.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.02); // n = 32768, SE 0.0025
    expect(Math.abs(m.mean)).toBeLessThan(6 * (bound / Math.sqrt(3)) / Math.sqrt(w.size));
  });

  it('kaimingUniform_ with a = √5 (torch Linear/Conv default) gives U(±1/√fanIn) for a conv weight', () => {
    const w = kaimingUniform_(zeros([32, 8, 3, 3]), { a: Math.sqrt(5) }, new Generator(3)); // fanIn 72
    const m = moments(w);
    expect(m.max).toBeLessThanOrEqual(1 / Math.sqrt(72));
    expect(m.min).toBeGreaterThanOrEqual(-1 / Math.sqrt(72));
    expect(Math.abs(m.std / (1 / Math.sqrt(3 * 72)) - 1)).toBeLessThan(0.04); // n = 2304, SE 0.0093
  });

  it('kaimingNormal_ fanOut relu: std √2 / √fanOut', () => {
    const w = kaimingNormal_(zeros([64, 16, 3, 3]), { mode: 'fanOut', nonlinearity: 'relu' }, new Generator(4)); // fanOut 576, n 9216
    const m = moments(w);
    expect(Math.abs(m.std / (Math.SQRT2 / Math.sqrt(576)) - 1)).toBeLessThan(0.04); // SE 0.0074
    expect(Math.abs(m.mean)).toBeLessThan(6 * (Math.SQRT2 / 24) / Math.sqrt(w.size));
    // torch spelling of the mode
    const w2 = kaimingNormal_(zeros([64, 16, 3, 3]), { mode: 'fan_out', nonlinearity: 'relu' }, new Generator(4));
    expect(Array.from(w2.storage)).toEqual(Array.from(w.storage));
  });

  it('xavierUniform_ / xavierNormal_ with gain: std gain·√(2 / (fanIn + fanOut))', () => {
    const gain = calculateGain('tanh');
    const std = gain * Math.sqrt(2 / (300 + 200));
    const u = moments(xavierUniform_(zeros([200, 300]), gain, new Generator(5))); // n 60000
    expect(u.max).toBeLessThanOrEqual(Math.sqrt(3) * std);
    expect(u.min).toBeGreaterThanOrEqual(-Math.sqrt(3) * std);
    expect(Math.abs(u.std / std - 1)).toBeLessThan(0.015); // SE 0.0018
    const n = moments(xavierNormal_(zeros([200, 300]), gain, new Generator(6)));
    expect(Math.abs(n.std / std - 1)).toBeLessThan(0.02); // SE 0.0029
  });

  it('truncNormal_: inside [a, b], moments of the truncated normal', () => {
    const t = moments(truncNormal_(zeros([100, 200], { dtype: 'float64' }), 0, 1, -2, 2, new Generator(7)));
    expect(t.min).toBeGreaterThanOrEqual(-2);
    expect(t.max).toBeLessThanOrEqual(2);
    // Var of N(0, 1) truncated to [−2, 2]: 1 − 2·2φ(2) / (Φ(2) − Φ(−2)); Φ(2) − Φ(−2) = 0.9544997361036416
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const sd = Math.sqrt(1 - (4 * phi2) / 0.9544997361036416);
    expect(Math.abs(t.std / sd - 1)).toBeLessThan(0.02);
    expect(Math.abs(t.mean)).toBeLessThan(6 * sd / Math.sqrt(20000));
    // one-sided truncation [0, ∞) of N(0, 1): the half-normal, mean √(2/π)
    const h = moments(truncNormal_(zeros([20000]), 0, 1, 0, 50, new Generator(8)));
    expect(h.min).toBeGreaterThanOrEqual(0);
    expect(Math.abs(h.mean - Math.sqrt(2 / Math.PI))).toBeLessThan(0.02); // SE 0.0043
    // the GPT-2/ViT use: std 0.02, truncated at ±2 absolute, so effectively untruncated
    const s = moments(truncNormal_(zeros([20000]), 0, 0.02, -2, 2, new Generator(9)));
    expect(Math.abs(s.std / 0.02 - 1)).toBeLessThan(0.03);
  });
});

describe('initialisers never write storage', () => {
  it('swap in new values, keep requiresGrad, record no autograd history, and return the same tensor', () => {
    const p = new Parameter(zeros([4, 3]));
    const snapshot = p.detach(); // shares the old storage
    const out = kaimingUniform_(p, {}, new Generator(0));
    expect(out).toBe(p);
    expect(p.requiresGrad).toBe(true);
    expect(p.gradFn).toBeNull();
    expect(Array.from(snapshot.storage)).toEqual(new Array(12).fill(0));
    expect(Array.from(p.storage).some((v) => v !== 0)).toBe(true);
  });

  it('zeros_, ones_, constant_ for any dtype', () => {
    const t = ones([2, 2], { dtype: 'int32' });
    expect(zeros_(t).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones_(zeros([3], { dtype: 'float64' })).toArray()).toEqual([1, 1, 1]);
    expect(constant_(tensor([1, 2]), 0.25).toArray()).toEqual([0.25, 0.25]);
    expect(t.dtype).toBe('int32');
  });

  it('the same generator seed gives the same values; float64 tensors are filled in float64', () => {
    const a = normal_(zeros([10], { dtype: 'float64' }), 0, 1, new Generator(42));
    const b = normal_(zeros([10], { dtype: 'float64' }), 0, 1, new Generator(42));
    expect(a.dtype).toBe('float64');
    expect(Array.from(a.storage)).toEqual(Array.from(b.storage));
    const c = normal_(zeros([10], { dtype: 'float64' }), 0, 1, new Generator(43));
    expect(Array.from(a.storage)).not.toEqual(Array.from(c.storage));
  });

  it('kaiming initialisers leave a tensor with no elements alone (as torch)', () => {
    const t = zeros([0, 3]);
    expect(kaimingUniform_(t)).toBe(t);
    expect(kaimingNormal_(t)).toBe(t);
  });
});
