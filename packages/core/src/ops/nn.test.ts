import { describe, expect, it } from 'vitest';
import { expectClose, gradcheck as gradcheckFlat, loadFixture } from '@likelihood/test-utils';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  type Tensor,
  autogradGrad,
  avgPool2d,
  binaryCrossEntropyWithLogits,
  conv1d,
  Generator,
  conv2d,
  convTranspose1d,
  dropout,
  enableGrad,
  convTranspose2d,
  embedding,
  groupNorm,
  layerNorm,
  maxPool2d,
  tensor,
  upsampleNearest,
} from '../index.js';

interface Arr {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  op: string;
  opts: Record<string, any>;
  inputs: Record<string, Arr>;
  intInputs: Record<string, Arr>;
  out: Arr;
  cot: Arr;
  grads: Record<string, Arr>;
}

const fixture = loadFixture<{ cases: Case[] }>(new URL('../../fixtures/nn.json', import.meta.url));
const f64 = (a: Arr, requiresGrad = false) => tensor(Float64Array.from(a.data), { dtype: 'float64', requiresGrad }).reshape(a.shape);
const i32 = (a: Arr) => tensor(Int32Array.from(a.data), { dtype: 'int32' }).reshape(a.shape);

/** Runs case `c`'s op on tensors keyed like the fixture's inputs. */
function run(c: Case, t: Record<string, Tensor>): Tensor {
  const o = c.opts;
  switch (c.op) {
    case 'conv1d':
      return conv1d(t.x!, t.w!, t.b, o);
    case 'conv2d':
      return conv2d(t.x!, t.w!, t.b, o);
    case 'convTranspose1d':
      return convTranspose1d(t.x!, t.w!, t.b, o);
    case 'convTranspose2d':
      return convTranspose2d(t.x!, t.w!, t.b, o);
    case 'avgPool2d':
      return avgPool2d(t.x!, o.kernelSize, o);
    case 'maxPool2d':
      return maxPool2d(t.x!, o.kernelSize, o);
    case 'upsampleNearest':
      return upsampleNearest(t.x!, o.scaleFactor);
    case 'layerNorm':
      return layerNorm(t.x!, o.normalizedShape, t.w, t.b, o.eps);
    case 'groupNorm':
      return groupNorm(t.x!, o.numGroups, t.w, t.b, o.eps);
    case 'embedding':
      return embedding(t.idx!, t.w!);
    case 'binaryCrossEntropyWithLogits':
      return binaryCrossEntropyWithLogits(t.l!, t.x!);
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

describe('nn ops match PyTorch (nn.json)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: value and gradients`, () => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) t[k] = f64(v, true);
      for (const [k, v] of Object.entries(c.intInputs)) t[k] = i32(v);
      const y = run(c, t);
      expect([...y.shape]).toEqual(c.out.shape);
      expectClose(y, f64(c.out), { rtol: 1e-10, atol: 1e-10, what: 'value' });
      const names = Object.keys(c.inputs);
      const grads = autogradGrad([y.mul(f64(c.cot)).sum()], names.map((k) => t[k]!));
      names.forEach((k, i) => expectClose(grads[i]!, f64(c.grads[k]!), { rtol: 1e-9, atol: 1e-10, what: `grad ${k}` }));
    });
  }

  it('float32 conv2d agrees with the float64 golden to float32 precision', () => {
    const c = fixture.cases.find((x) => x.name.startsWith('conv2d groups 2'))!;
    const t = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, f64(v).float()]));
    const y = run(c, t);
    expect(y.dtype).toBe('float32');
    expectClose(y, f64(c.out), { rtol: 1e-4, atol: 1e-4 });
  });
});

// Small shapes; values from a fixed formula so each gradcheck sees distinct, non-tied inputs.
function det(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(seed * 12.9898 + i * 78.233) * 1.5;
  return tensor(v, { dtype: 'float64' }).reshape(shape);
}

/**
 * gradcheck on flattened inputs (reshaped back inside fn): test-utils' gradcheck compares a
 * shaped gradient with a flat numeric one, which its shape check rejects for ndim > 1.
 */
function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: Parameters<typeof gradcheckFlat>[2]): void {
  const shapes = inputs.map((t) => [...t.shape]);
  gradcheckFlat((...xs) => fn(...xs.map((x, i) => x.reshape(shapes[i]!))), inputs.map((t) => t.reshape([-1])), opts);
}

describe('gradcheck (float64 finite differences)', () => {
  it('conv2d: stride 2, padding, dilation, groups, bias', () => {
    gradcheck((x, w, b) => conv2d(x!, w!, b, { stride: 2, padding: 1, groups: 2 }), [det([2, 4, 5, 6]), det([4, 2, 3, 2], 2), det([4], 3)]);
    gradcheck((x, w) => conv2d(x!, w!, null, { stride: [1, 2], padding: [2, 0], dilation: 2 }), [det([1, 2, 6, 7]), det([3, 2, 2, 3], 2)]);
  });
  it('conv1d and convTranspose1d', () => {
    gradcheck((x, w, b) => conv1d(x!, w!, b, { stride: 2, dilation: 2, padding: 1 }), [det([2, 3, 9]), det([2, 3, 3], 2), det([2], 3)]);
    gradcheck((x, w) => convTranspose1d(x!, w!, null, { stride: 2, padding: 1, outputPadding: 1, groups: 3 }), [det([1, 3, 4]), det([3, 2, 3], 2)]);
  });
  it('convTranspose2d with groups, stride, dilation, outputPadding, bias', () => {
    gradcheck(
      (x, w, b) => convTranspose2d(x!, w!, b, { stride: [2, 3], padding: 1, outputPadding: [1, 2], dilation: [1, 2], groups: 2 }),
      [det([2, 4, 3, 3]), det([4, 1, 3, 2], 2), det([2], 3)],
    );
  });
  it('second derivatives of conv2d (gradient of a gradient)', () => {
    // d/dx of <∂L/∂w, v> exercises the ConvTranspose and weight-grad conv rules again.
    const v = det([2, 2, 3, 3], 7);
    gradcheck(
      (x, w) =>
        enableGrad(() => {
          // Finite differences call fn under noGrad: re-enable and make w a grad leaf there.
          const wr = w!.requiresGrad ? w! : w!.detach().requiresGrad_();
          const y = conv2d(x!, wr, null, { stride: 2, padding: 1 });
          const [gw] = autogradGrad([y.mul(y).sum()], [wr], { createGraph: true });
          return gw!.mul(v).sum();
        }),
      [det([1, 2, 5, 5]), det([2, 2, 3, 3], 2)],
      { rtol: 1e-4, atol: 1e-6 },
    );
  });
  it('second derivatives through the weight-grad crop (stride 2, even input), maxPool2d and embedding', () => {
    const hv = (f: (...a: Tensor[]) => Tensor, which: number, v: Tensor) => (...a: Tensor[]) =>
      enableGrad(() => {
        const ar = a.map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
        const [g] = autogradGrad([f(...ar)], [ar[which]!], { createGraph: true });
        return g!.mul(v).sum();
      });
    const conv = (x: Tensor, w: Tensor) => conv2d(x, w, null, { stride: 2 }).square().sum();
    gradcheck(hv(conv, 1, det([2, 2, 3, 3], 8)), [det([1, 2, 6, 6]), det([2, 2, 3, 3], 2)], { rtol: 1e-4, atol: 1e-6 });
    // maxPool's input gradient is linear in the output gradient: differentiate w.r.t. that.
    const pool = (x: Tensor, c: Tensor) => maxPool2d(x, 2, { padding: 1 }).mul(c).sum();
    gradcheck(hv(pool, 0, det([1, 2, 4, 5], 9)), [det([1, 2, 4, 5]), det([1, 2, 3, 3], 4)], { only: [1] });
    const idx = tensor([[0, 2], [2, 1]], { dtype: 'int32' });
    const emb = (w: Tensor) => embedding(idx, w).square().sum();
    gradcheck(hv(emb, 0, det([3, 4], 5)), [det([3, 4])]);
  });
  it('avgPool2d, maxPool2d, upsampleNearest', () => {
    gradcheck((x) => avgPool2d(x!, 3, { stride: 2, padding: 1 }), [det([2, 2, 5, 6])]);
    gradcheck((x) => avgPool2d(x!, [2, 3], { padding: 1, countIncludePad: false }), [det([1, 2, 5, 6])]);
    gradcheck((x) => maxPool2d(x!, 3, { stride: 2, padding: 1 }), [det([2, 2, 5, 6])]);
    gradcheck((x) => maxPool2d(x!, 2, { stride: 1, dilation: 2 }), [det([1, 2, 5, 5])]);
    gradcheck((x) => upsampleNearest(x!, [2, 3]), [det([1, 2, 3, 2])]);
  });
  it('layerNorm, groupNorm', () => {
    gradcheck((x, w, b) => layerNorm(x!, [2, 3], w, b), [det([3, 2, 3]), det([2, 3], 2), det([2, 3], 3)], { rtol: 1e-4 });
    gradcheck((x, w, b) => groupNorm(x!, 2, w, b), [det([2, 4, 3]), det([4], 2), det([4], 3)], { rtol: 1e-4 });
  });
  it('embedding (gradient accumulates over repeated indices)', () => {
    const idx = tensor([[0, 2], [2, 2]], { dtype: 'int32' });
    gradcheck((w) => embedding(idx, w!), [det([3, 4])]);
  });
});

describe('properties over random configurations', () => {
  // Tiny LCG so configurations are fixed across runs.
  let state = 12345;
  const rnd = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ri = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  /** Direct 2-D convolution by its definition (torch semantics), for comparison with im2col + gemm. */
  function naiveConv2d(x: Tensor, w: Tensor, s: number[], p: number[], d: number[], G: number): number[] {
    const [N, C, H, W] = x.shape as number[];
    const [O, Cg, KH, KW] = w.shape as number[];
    const Ho = Math.floor((H! + 2 * p[0]! - d[0]! * (KH! - 1) - 1) / s[0]!) + 1;
    const Wo = Math.floor((W! + 2 * p[1]! - d[1]! * (KW! - 1) - 1) / s[1]!) + 1;
    const X = x.storage;
    const Wt = w.storage;
    const out: number[] = [];
    const Og = O! / G;
    for (let n = 0; n < N!; n++)
      for (let o = 0; o < O!; o++)
        for (let i = 0; i < Ho; i++)
          for (let j = 0; j < Wo; j++) {
            let acc = 0;
            const g = Math.floor(o / Og);
            for (let c = 0; c < Cg!; c++)
              for (let kh = 0; kh < KH!; kh++)
                for (let kw = 0; kw < KW!; kw++) {
                  const ih = i * s[0]! - p[0]! + kh * d[0]!;
                  const iw = j * s[1]! - p[1]! + kw * d[1]!;
                  if (ih < 0 || ih >= H! || iw < 0 || iw >= W!) continue;
                  acc += X[((n * C! + g * Cg! + c) * H! + ih) * W! + iw]! * Wt[((o * Cg! + c) * KH! + kh) * KW! + kw]!;
                }
            out.push(acc);
          }
    return out;
  }

  it('conv2d equals the direct definition, and convTranspose2d is its adjoint (<conv x, y> = <x, convT y>)', () => {
    for (let trial = 0; trial < 25; trial++) {
      const G = ri(1, 3);
      const Cg = ri(1, 2);
      const Og = ri(1, 2);
      const k = [ri(1, 3), ri(1, 3)];
      const s = [ri(1, 3), ri(1, 3)];
      const d = [ri(1, 2), ri(1, 2)];
      const p = [ri(0, 2), ri(0, 2)];
      const H = d[0]! * (k[0]! - 1) + 1 + ri(0, 5);
      const W = d[1]! * (k[1]! - 1) + 1 + ri(0, 5);
      const x = det([ri(1, 2), G * Cg, H, W], trial + 1);
      const w = det([G * Og, Cg, k[0]!, k[1]!], trial + 50);
      const cfg = { stride: s, padding: p, dilation: d, groups: G };
      const y = conv2d(x, w, null, cfg);
      expectClose(y.reshape([-1]), naiveConv2d(x, w, s, p, d, G), { rtol: 1e-12, atol: 1e-12, what: `trial ${trial} ${JSON.stringify(cfg)}` });
      // The output padding that makes convTranspose2d map back onto x's spatial shape.
      const op = [0, 1].map((i) => x.shape[2 + i]! - ((y.shape[2 + i]! - 1) * s[i]! - 2 * p[i]! + d[i]! * (k[i]! - 1) + 1));
      const v = det([...y.shape], trial + 99);
      const xt = convTranspose2d(v, w, null, { ...cfg, outputPadding: op });
      expect([...xt.shape]).toEqual([...x.shape]);
      expectClose(y.mul(v).sum(), x.mul(xt).sum(), { rtol: 1e-10, atol: 1e-10 });
    }
  });
});

describe('argument and shape errors', () => {
  const x = det([1, 4, 5, 5]);
  it('conv2d: wrong channel count names both shapes', () => {
    expect(() => conv2d(x, det([2, 3, 3, 3]))).toThrow(ShapeError);
    expect(() => conv2d(x, det([2, 3, 3, 3]))).toThrow(/\[2, 3, 3, 3\].*\[1, 4, 5, 5\]/);
    expect(() => conv2d(x, det([2, 4, 3, 3]), det([3]))).toThrow(/bias of shape \[2\], found \[3\]/);
    expect(() => conv2d(x, det([2, 4, 7, 7]))).toThrow(ShapeError);
  });
  it('conv2d: bad stride, padding, dilation, groups', () => {
    const w = det([2, 4, 3, 3]);
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow(/conv2d: stride must hold integers >= 1, found 0/);
    expect(() => conv2d(x, w, null, { padding: -1 })).toThrow(ArgumentError);
    expect(() => conv2d(x, w, null, { padding: [1, 1, 1] })).toThrow(/padding must be an int or a list of 2 ints/);
    expect(() => conv2d(x, w, null, { dilation: 1.5 })).toThrow(ArgumentError);
    expect(() => conv2d(x, det([3, 2, 3, 3]), null, { groups: 2 })).toThrow(/groups=2 must divide/);
    expect(() => conv2d(x, w, null, { groups: 0 })).toThrow(ArgumentError);
    expect(() => conv2d(x, w, null, { stride: 2, padding: 'same' })).toThrow(ArgumentError);
    expect(() => conv2d(x.int(), w)).toThrow(DTypeError);
  });
  it('convTranspose2d, pools, norms, embedding', () => {
    expect(() => convTranspose2d(x, det([3, 2, 3, 3]))).toThrow(/weight of shape \[3, 2, 3, 3\].*\[1, 4, 5, 5\]/);
    expect(() => convTranspose2d(x, det([4, 2, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding must be smaller/);
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(/padding should be at most half/);
    expect(() => avgPool2d(x, 0)).toThrow(ArgumentError);
    expect(() => layerNorm(x, [4])).toThrow(ShapeError);
    expect(() => groupNorm(x, 3)).toThrow(/numGroups must be a positive integer dividing the 4 channels/);
    expect(() => embedding(tensor([5], { dtype: 'int32' }), det([5, 2]))).toThrow(/index 5 out of range/);
    expect(() => embedding(tensor([1]), det([5, 2]))).toThrow(DTypeError);
  });
  it('maxPool2d propagates NaN like torch; avgPool2d of a constant is that constant inside', () => {
    const v = tensor([[[[1, NaN, 3, 4], [5, 6, 7, 8]]]], { dtype: 'float64' });
    expect(maxPool2d(v, 2).toArray()).toEqual([[[[NaN, 8]]]]);
    const c = avgPool2d(tensor(new Float64Array(25).fill(2), { dtype: 'float64' }).reshape([1, 1, 5, 5]), 3, { stride: 1, padding: 1, countIncludePad: false });
    expectClose(c.reshape([-1]), new Float64Array(25).fill(2));
  });
  it('unbatched input (C, H, W) works like torch', () => {
    const w = det([2, 4, 3, 3], 3);
    const y = conv2d(det([4, 5, 5]), w, null, { padding: 1 });
    expect([...y.shape]).toEqual([2, 5, 5]);
    expectClose(y, conv2d(x, w, null, { padding: 1 }).reshape([2, 5, 5]));
  });
});

describe('dropout', () => {
  it('is the identity when not training or p = 0; zeros when p = 1', () => {
    const x = det([4, 5]);
    expect(dropout(x, 0.5, false)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    expect(Array.from(dropout(x, 1).storage).every((v) => v === 0)).toBe(true);
  });
  it('drops a fraction p, scales survivors by 1/(1-p), and is reproducible from a seed', () => {
    const n = 20000;
    const p = 0.3;
    const x = tensor(new Float64Array(n).fill(1), { dtype: 'float64' });
    const y = dropout(x, p, true, new Generator(7));
    const s = y.storage;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      if (s[i] === 0) zeros++;
      else expect(s[i]).toBeCloseTo(1 / (1 - p), 12);
    }
    // Binomial(n, p): sd of the fraction is sqrt(p(1-p)/n) ≈ 0.0032; allow 5 sd.
    expect(Math.abs(zeros / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(Array.from(dropout(x, p, true, new Generator(7)).storage)).toEqual(Array.from(s));
    expect(Array.from(dropout(x, p, true, new Generator(8)).storage)).not.toEqual(Array.from(s));
  });
  it('gradient is the same mask times 1/(1-p)', () => {
    const x = det([3, 4]).requiresGrad_();
    const y = dropout(x, 0.5, true, new Generator(3));
    const [g] = autogradGrad([y.sum()], [x]);
    const mask = dropout(tensor(new Float64Array(12).fill(1), { dtype: 'float64' }).reshape([3, 4]), 0.5, true, new Generator(3));
    expectClose(g!, mask);
  });
  it('rejects p outside [0, 1]', () => {
    expect(() => dropout(det([2]), 1.5)).toThrow(/dropout: p must be a probability in \[0, 1\], found 1.5/);
    expect(() => dropout(det([2]), -0.1)).toThrow(ArgumentError);
  });
});
