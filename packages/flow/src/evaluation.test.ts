import { ArgumentError, Generator, Tensor, tensor, zeros } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { LOG_256, bitsPerDim, discreteNllNats, uniformDequantize } from './evaluation.js';

const f64 = { dtype: 'float64' as const };

describe('bits/dim and the log 256 offset', () => {
  it('a uniform density on [0, 1)^D (log p = 0) scores exactly 8 bits/dim, D·log 256 nats', () => {
    for (const d of [1, 2, 784]) {
      expectClose(bitsPerDim(zeros([3], f64), d), [8, 8, 8], { atol: 1e-12 });
      expectClose(discreteNllNats(zeros([1], f64), d), [d * LOG_256], { atol: 1e-9 });
    }
    expect(LOG_256).toBeCloseTo(5.545177444479562, 14);
  });
  it('the same model on [0, 1) and on [0, 256) gives the same bits/dim', () => {
    // p_{[0,256)}(256·y) = p_{[0,1)}(y)/256^D, so log-densities differ by D·log 256
    const lpUnit = tensor([1.5, -20.25, 300], f64);
    const d = 3;
    expectClose(bitsPerDim(lpUnit.sub(d * LOG_256), d, { scale: 1 }), bitsPerDim(lpUnit, d), { atol: 1e-12 });
  });
  it('for a piecewise-constant density on the dequantisation cells the bound is exact: bits/dim = −log₂ P(x)/D', () => {
    // A factorised discrete distribution over 256 levels per dim, D = 2; its histogram density
    // on [0, 1)² is p(y) = 256^D·P(⌊256y⌋). Every dequantised y of x must give −log₂ P(x)/D.
    const g = new Generator(1);
    const probs = Array.from({ length: 256 }, (_, i) => Math.exp(-((i - 100) ** 2) / 800));
    const z = probs.reduce((a, b) => a + b, 0);
    const logP = (v: number) => Math.log(probs[v]! / z);
    const x = tensor([[0, 255], [100, 101], [37, 180]], { dtype: 'int32' });
    const y = uniformDequantize(x, { generator: g }).to('float64');
    const ys = y.storage;
    const logDensity = new Float64Array(3);
    for (let n = 0; n < 3; n++) for (let k = 0; k < 2; k++) logDensity[n]! += logP(Math.floor(256 * ys[n * 2 + k]!)) + LOG_256;
    const xs = x.storage;
    const exact = [0, 1, 2].map((n) => -(logP(xs[2 * n]!) + logP(xs[2 * n + 1]!)) / (2 * Math.LN2));
    expectClose(bitsPerDim(new Tensor(logDensity, [3], 'float64'), 2), exact, { atol: 1e-12 });
  });
});

describe('uniformDequantize', () => {
  it('puts each value uniformly inside its own cell [x/L, (x + 1)/L)', () => {
    const x = tensor(Array.from({ length: 4000 }, (_, i) => i % 256), { dtype: 'int32' });
    const y = uniformDequantize(x, { generator: new Generator(2) });
    const xs = x.storage;
    const ys = y.storage;
    let mean = 0;
    for (let i = 0; i < ys.length; i++) {
      const u = ys[i]! * 256 - xs[i]!;
      expect(u).toBeGreaterThanOrEqual(-1e-4);
      expect(u).toBeLessThan(1 + 1e-4);
      mean += u / ys.length;
    }
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02); // U[0,1): sd 0.289/√4000 ≈ 0.0046
    const raw = uniformDequantize(tensor([3]), { normalize: false, generator: new Generator(3) }).item();
    expect(raw >= 3 && raw < 4).toBe(true);
  });
  it('rejects non-integers and out-of-range values', () => {
    expect(() => uniformDequantize(tensor([0.5]))).toThrow(/integers 0..255, found 0.5 at flat index 0/);
    expect(() => uniformDequantize(tensor([2]), { levels: 2 })).toThrow(ArgumentError);
    expect(() => bitsPerDim(zeros([1]), 0)).toThrow(/dims must be a positive integer/);
  });
});
