import { Generator, Tensor, tensor } from '@likelihood/core';
import { gradcheck } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { binarize, dequantize, inverseLogitTransform, logitTransform, stochasticBinarize } from './preprocess.js';

describe('preprocessing', () => {
  it('binarize: x > threshold', () => {
    const x = tensor([0, 0.5, 0.51, 1]);
    expect(binarize(x).toArray()).toEqual([0, 0, 1, 1]);
    expect(binarize(x, 0.2).toArray()).toEqual([0, 1, 1, 1]);
    expect(() => binarize(tensor([1], { dtype: 'int32' }))).toThrow(/x must be a float tensor, found int32/);
  });

  it('stochasticBinarize: 0/1, mean ≈ pixel, seeded; 0 and 1 stay fixed', () => {
    const p = new Float32Array(30000).fill(0.3);
    p[0] = 0;
    p[1] = 1;
    const b = stochasticBinarize(new Tensor(p, [30000]), new Generator(9));
    const s = b.storage;
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(1);
    let m = 0;
    for (const v of s) {
      expect(v === 0 || v === 1).toBe(true);
      m += v;
    }
    // mean of 30000 Bernoulli(0.3): sd 0.0026; tolerance 4 sd
    expect(Math.abs((m - 1) / 29998 - 0.3)).toBeLessThan(0.0106);
    expect(stochasticBinarize(new Tensor(p, [30000]), new Generator(9)).storage).toEqual(s);
  });

  it('dequantize: (x + U[0,1))/256 lies in [x/256, (x+1)/256), mean offset ½/256', () => {
    const n = 20000;
    const x = new Tensor(Int32Array.from({ length: n }, (_, i) => i % 256), [n], 'int32');
    const y = dequantize(x, { generator: new Generator(2) });
    expect(y.dtype).toBe('float32');
    let off = 0;
    for (let i = 0; i < n; i++) {
      const v = y.storage[i]! * 256 - (i % 256);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      off += v;
    }
    expect(Math.abs(off / n - 0.5)).toBeLessThan(0.01); // sd of the mean 0.002
    expect(dequantize(tensor([3]), { bits: 2, generator: new Generator(0) }).item()).toBeLessThan(1);
    expect(() => dequantize(tensor([256], { dtype: 'int32' }))).toThrow(/integers 0..255 \(8-bit data\), found 256 at flat position 0/);
    expect(() => dequantize(tensor([0.5]))).toThrow(/found 0.5/);
  });

  it('logitTransform: inverse round trip; log-det equals the sum of log dy/dx (autograd) per example', () => {
    const x = tensor([[[0, 0.25], [0.5, 1]], [[0.1, 0.9], [0.3, 0.7]]], { dtype: 'float64' }); // [2, 2, 2]
    const alpha = 0.05;
    const { y, logDet } = logitTransform(x, alpha);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(logDet.shape).toEqual([2]);
    const back = inverseLogitTransform(y, alpha).storage;
    x.storage.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 12));
    // y is elementwise, so log|det J| = Σ log(dy_i/dx_i); get dy/dx by autograd of Σ y.
    const xr = x.detach().requiresGrad_();
    logitTransform(xr, alpha).y.sum().backward();
    const g = xr.grad!.storage;
    for (let b = 0; b < 2; b++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += Math.log(g[b * 4 + k]!);
      expect(logDet.storage[b]).toBeCloseTo(s, 10);
    }
    gradcheck((t: Tensor) => logitTransform(t, alpha).logDet, [x]); // throws on mismatch
    expect(() => logitTransform(x, 0.5)).toThrow(/alpha must be in \[0, 0.5\), found 0.5/);
  });
});
