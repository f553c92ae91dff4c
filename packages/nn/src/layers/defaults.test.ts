// Default initialisation statistics, buffers, state-dict keys, Dropout, generators and the
// error messages of every layer.
import { ArgumentError, DTypeError, Generator, ShapeError, type Tensor, interpret, manualSeed, ones, randn, tensor, trace, zeros } from '@likelihood/core';
import { gradcheck } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { Sequential } from '../containers.js';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, ConvTranspose2d, Dropout, Embedding, Flatten, GELU, GroupNorm, Identity, LayerNorm, Linear, MLP, MaxPool2d, RMSNorm, ReLU,
  Unflatten,
} from './index.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  const s = Array.from(t.storage as ArrayLike<number>);
  const m = s.reduce((a, b) => a + b, 0) / s.length;
  const v = s.reduce((a, b) => a + (b - m) ** 2, 0) / (s.length - 1);
  return { mean: m, std: Math.sqrt(v), maxAbs: s.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

describe('default initialisation as torch (fixed seeds)', () => {
  it('Linear: weight and bias U(±1/√inFeatures), weight std ≈ 1/√(3·inFeatures)', () => {
    const l = new Linear(512, 256, { generator: new Generator(1) });
    expect(l.weight.shape).toEqual([256, 512]);
    expect(l.bias!.shape).toEqual([256]);
    const bound = 1 / Math.sqrt(512);
    const w = stats(l.weight); // n = 131072: SE of the std ≈ 0.12 %
    expect(w.maxAbs).toBeLessThanOrEqual(bound);
    expect(w.maxAbs).toBeGreaterThan(0.999 * bound);
    expect(Math.abs(w.std / (1 / Math.sqrt(3 * 512)) - 1)).toBeLessThan(0.01);
    expect(Math.abs(w.mean)).toBeLessThan(6 * (bound / Math.sqrt(3)) / Math.sqrt(131072));
    const b = stats(l.bias!);
    expect(b.maxAbs).toBeLessThanOrEqual(bound);
    expect(Math.abs(b.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.15); // n = 256, SE 2.8 %
    expect(l.weight.requiresGrad && l.bias!.requiresGrad).toBe(true);
  });

  it('Conv2d: U(±1/√(inChannels/groups·kH·kW)); ConvTranspose2d: fanIn from weight dim 1 (outChannels/groups·kH·kW), as torch', () => {
    const c = new Conv2d(16, 32, 3, { groups: 2, generator: new Generator(2) });
    expect(c.weight.shape).toEqual([32, 8, 3, 3]);
    const bc = 1 / Math.sqrt(8 * 9);
    const sc = stats(c.weight); // n = 2304
    expect(sc.maxAbs).toBeLessThanOrEqual(bc);
    expect(Math.abs(sc.std / (bc / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    expect(stats(c.bias!).maxAbs).toBeLessThanOrEqual(bc);
    const t = new ConvTranspose2d(16, 32, 3, { groups: 2, generator: new Generator(3) });
    expect(t.weight.shape).toEqual([16, 16, 3, 3]);
    const bt = 1 / Math.sqrt(16 * 9);
    const st = stats(t.weight);
    expect(st.maxAbs).toBeLessThanOrEqual(bt);
    expect(Math.abs(st.std / (bt / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    const c1 = new Conv1d(6, 4, 5, { generator: new Generator(4) });
    expect(c1.weight.shape).toEqual([4, 6, 5]);
    expect(stats(c1.weight).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(30));
  });

  it('Embedding: N(0, 1), padding row zero', () => {
    const e = new Embedding(1000, 32, { paddingIdx: 7, generator: new Generator(5) });
    const s = stats(e.weight); // n = 32000
    expect(Math.abs(s.mean)).toBeLessThan(0.035);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.025);
    expect(e.weight.narrow(0, 7, 1).toArray()).toEqual([new Array(32).fill(0)]);
    expect(e.weight.requiresGrad).toBe(true);
  });

  it('norm layers: weight ones, bias zeros, BatchNorm buffers with torch names (num_batches_tracked int32 scalar)', () => {
    expect(Object.keys(new LayerNorm([2, 3]).stateDict())).toEqual(['weight', 'bias']);
    expect(new LayerNorm(3).weight!.toArray()).toEqual([1, 1, 1]);
    expect(Object.keys(new LayerNorm(3, { bias: false }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new LayerNorm(3, { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(Object.keys(new RMSNorm(3).stateDict())).toEqual(['weight']);
    expect(Object.keys(new GroupNorm(2, 4).stateDict())).toEqual(['weight', 'bias']);
    const bn = new BatchNorm2d(3);
    const sd = bn.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(sd.running_mean!.toArray()).toEqual([0, 0, 0]);
    expect(sd.running_var!.toArray()).toEqual([1, 1, 1]);
    expect(sd.num_batches_tracked!.dtype).toBe('int32');
    expect(sd.num_batches_tracked!.shape).toEqual([]);
    expect(bn.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    expect(Object.keys(new BatchNorm1d(3, { affine: false, trackRunningStats: false }).stateDict())).toEqual([]);
    expect(new LayerNorm(3, { dtype: 'float64' }).weight!.dtype).toBe('float64');
  });

  it('the global seed or an explicit generator reproduces a layer', () => {
    manualSeed(11);
    const a = new Linear(4, 3);
    manualSeed(11);
    const b = new Linear(4, 3);
    expect(a.weight.toArray()).toEqual(b.weight.toArray());
    const c = new Linear(4, 3, { generator: new Generator(11) });
    const d = new Linear(4, 3, { generator: new Generator(11) });
    expect(c.weight.toArray()).toEqual(d.weight.toArray());
    expect(c.bias!.toArray()).toEqual(d.bias!.toArray());
  });
});

describe('Dropout', () => {
  it('train: zeroes a fraction p and scales the rest by 1/(1 − p); eval: returns the input itself', () => {
    const x = ones([100, 100]);
    const d = new Dropout(0.3, { generator: new Generator(1) });
    const y = d.forward(x);
    const s = Array.from(y.storage);
    const zeros = s.filter((v) => v === 0).length;
    expect(Math.abs(zeros / 10000 - 0.3)).toBeLessThan(0.03); // SE 0.0046
    for (const v of s) expect(v === 0 || Math.abs(v - 1 / 0.7) < 1e-6).toBe(true);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(Array.from(new Dropout(1).forward(x).storage).every((v) => v === 0)).toBe(true);
  });

  it('masks repeat with the same generator seed, differ between calls', () => {
    const x = randn([50], { generator: new Generator(0) });
    const a = new Dropout(0.5, { generator: new Generator(3) });
    const b = new Dropout(0.5, { generator: new Generator(3) });
    const ya = a.forward(x).toArray();
    expect(b.forward(x).toArray()).toEqual(ya);
    expect(a.forward(x).toArray()).not.toEqual(ya);
  });

  it('gradient passes through kept elements only, scaled', () => {
    const x = ones([20]).requiresGrad_();
    const y = new Dropout(0.5, { generator: new Generator(4) }).forward(x);
    y.sum().backward();
    expect(Array.from(x.grad!.storage)).toEqual(Array.from(y.storage));
  });

  it('train/eval propagate through Sequential and MLP', () => {
    const m = new MLP(4, [8], 2, { dropout: 0.5, generator: new Generator(5) });
    const x = randn([3, 4], { generator: new Generator(6) });
    m.eval();
    const e1 = m.forward(x).toArray();
    expect(m.forward(x).toArray()).toEqual(e1);
    m.train();
    expect(m.forward(x).toArray()).not.toEqual(e1);
  });
});

describe('MLP is laid out as torchvision.ops.MLP', () => {
  it('keys and shapes', () => {
    const m = new MLP(784, [256, 256], 10);
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '6.weight', '6.bias']);
    expect(m.forward(zeros([5, 784])).shape).toEqual([5, 10]);
    const n = new MLP(3, [4, 2], null, { norm: 'layerNorm', activation: 'gelu', bias: false });
    expect(Object.keys(n.stateDict())).toEqual(['0.weight', '1.weight', '1.bias', '4.weight']);
    expect(n.outFeatures).toBe(2);
    const f = new MLP(3, [], 2, { activation: () => new ReLU() });
    expect(Object.keys(f.stateDict())).toEqual(['0.weight', '0.bias']);
    expect(String(new MLP(2, [3], 1))).toContain('(0): Linear(inFeatures=2, outFeatures=3, bias=true)');
  });

  it("runs Linear → SiLU / ReLU pairs fused, with the module-by-module result and gradients (float32, large enough for the wasm kernels)", () => {
    for (const activation of ['silu', 'relu'] as const) {
      const m = new MLP(24, [64, 64], 3, { activation, generator: new Generator(11) });
      const x = randn([200, 24], { generator: new Generator(12) });
      const run = (fused: boolean) => {
        m.zeroGrad();
        const y = fused ? m.forward<Tensor>(x) : Sequential.prototype.forward.call(m, x) as Tensor;
        y.square().sum().backward();
        return [y, ...m.parameters().map((p) => p.grad!)].map((t) => Array.from(t.data() as Float32Array));
      };
      const [fused, unfused] = [run(true), run(false)];
      fused.forEach((f, i) => {
        const want = unfused[i]!;
        const scale = Math.max(1, ...want.map(Math.abs));
        f.forEach((v, j) => expect(Math.abs(v - want[j]!), `${activation} output ${i}`).toBeLessThanOrEqual(1e-5 * scale));
      });
    }
  });

  it('Sequential of layers (Flatten → Linear → GELU) and Identity', () => {
    const s = new Sequential(new Flatten(), new Linear(12, 5), new GELU('tanh'), new Identity());
    expect(s.forward<Tensor>(zeros([2, 3, 4])).shape).toEqual([2, 5]);
    expect(Object.keys(s.stateDict())).toEqual(['1.weight', '1.bias']);
  });
});

describe('gradients against float64 finite differences', () => {
  it('BatchNorm1d (train, through batch statistics), RMSNorm, GroupNorm, Embedding with padding', () => {
    const g = new Generator(9);
    const bn = new BatchNorm1d(3, { dtype: 'float64' });
    gradcheck((x) => bn.forward(x), [randn([4, 3, 2], { generator: g, dtype: 'float64' })]);
    const rms = new RMSNorm(4, { dtype: 'float64' });
    gradcheck((x) => rms.forward(x), [randn([3, 4], { generator: g, dtype: 'float64' })]);
    const gn = new GroupNorm(2, 4, { dtype: 'float64' });
    gradcheck((x) => gn.forward(x), [randn([2, 4, 3], { generator: g, dtype: 'float64' })]);
    const emb = new Embedding(5, 3, { paddingIdx: 1, dtype: 'float64' });
    const idx = tensor([1, 3, 1, 0], { dtype: 'int32' });
    emb.forward(idx).sum().backward();
    expect(emb.weight.grad!.toArray()).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], [0, 0, 0]]);
  });
});

describe('errors name the layer, what was expected and what was found', () => {
  const cases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['Linear input', () => new Linear(784, 10).forward(zeros([32, 100])), ShapeError, /^Linear: expected input with last dim 784, found shape \[32, 100\]$/],
    ['Linear int input', () => new Linear(2, 1).forward(zeros([2], { dtype: 'int32' })), DTypeError, /Linear: expected a float32 or float64 input tensor, found dtype int32/],
    ['Linear size', () => new Linear(-1, 3), ArgumentError, /Linear: inFeatures must be an integer >= 0, found -1/],
    ['Embedding range', () => new Embedding(10, 4).forward(tensor([3, 10], { dtype: 'int32' })), ArgumentError, /Embedding: expected indices in \[0, 9\], found 10 at flat position 1/],
    ['Embedding dtype', () => new Embedding(10, 4).forward(tensor([1])), DTypeError, /Embedding: expected int32 indices, found dtype float32/],
    ['Embedding paddingIdx', () => new Embedding(10, 4, { paddingIdx: 10 }), ArgumentError, /Embedding: paddingIdx must be an integer in \[-10, 9\], found 10/],
    ['LayerNorm input', () => new LayerNorm([3, 4]).forward(zeros([2, 4, 3])), ShapeError, /LayerNorm: expected input with trailing dims \[3, 4\] \(normalizedShape\), found shape \[2, 4, 3\]/],
    ['LayerNorm shape', () => new LayerNorm([]), ArgumentError, /LayerNorm: normalizedShape must be/],
    ['RMSNorm input', () => new RMSNorm(5).forward(zeros([2, 4])), ShapeError, /RMSNorm: expected input with trailing dims \[5\]/],
    ['GroupNorm groups', () => new GroupNorm(4, 6), ArgumentError, /GroupNorm: numChannels must be divisible by numGroups, found numChannels 6, numGroups 4/],
    ['GroupNorm input', () => new GroupNorm(2, 6).forward(zeros([2, 4, 3])), ShapeError, /GroupNorm: expected input of shape \(N, 6, \*\), found shape \[2, 4, 3\]/],
    ['BatchNorm2d input', () => new BatchNorm2d(3).forward(zeros([2, 3, 4])), ShapeError, /BatchNorm2d: expected input of shape \(N, 3, H, W\), found shape \[2, 3, 4\]/],
    ['BatchNorm1d channels', () => new BatchNorm1d(3).forward(zeros([2, 4])), ShapeError, /BatchNorm1d: expected input of shape \(N, 3\) or \(N, 3, L\), found shape \[2, 4\]/],
    ['BatchNorm1d one value', () => new BatchNorm1d(3).forward(zeros([1, 3])), ArgumentError, /BatchNorm1d: expected more than 1 value per channel when training, found input of shape \[1, 3\]/],
    ['BatchNorm momentum', () => new BatchNorm1d(3, { momentum: 2 }), ArgumentError, /BatchNorm1d: momentum must be a number in \[0, 1\] or null/],
    ['Conv2d channels', () => new Conv2d(3, 8, 3).forward(zeros([1, 4, 8, 8])), ShapeError, /Conv2d: expected input of shape \(N, 3, H, W\) or \(3, H, W\), found shape \[1, 4, 8, 8\]/],
    ['Conv2d groups', () => new Conv2d(3, 8, 3, { groups: 2 }), ArgumentError, /Conv2d: inChannels must be divisible by groups, found inChannels 3, groups 2/],
    ['Conv2d same+stride', () => new Conv2d(3, 8, 3, { padding: 'same', stride: 2 }), ArgumentError, /Conv2d: padding 'same' is not supported for strided convolutions/],
    ['Conv2d kernel', () => new Conv2d(3, 8, [3, 3, 3]), ArgumentError, /Conv2d: kernelSize must be an integer >= 1 or a list of 2 such integers, found \[3,3,3\]/],
    ['Conv1d rank', () => new Conv1d(3, 8, 3).forward(zeros([1, 3, 8, 8])), ShapeError, /Conv1d: expected input of shape \(N, 3, L\) or \(3, L\), found shape \[1, 3, 8, 8\]/],
    ['Conv1d paddingMode', () => new Conv1d(3, 8, 3, { paddingMode: 'mirror' as 'zeros' }), ArgumentError, /Conv1d: paddingMode must be/],
    ['ConvTranspose2d outputPadding', () => new ConvTranspose2d(3, 8, 3, { stride: 2, outputPadding: 2 }), ArgumentError, /ConvTranspose2d: outputPadding must be smaller than either stride or dilation/],
    ['ConvTranspose2d groups', () => new ConvTranspose2d(4, 6, 3, { groups: 4 }), ArgumentError, /ConvTranspose2d: outChannels must be divisible by groups, found outChannels 6, groups 4/],
    ['Dropout p', () => new Dropout(1.5), ArgumentError, /Dropout: p must be a probability in \[0, 1\], found 1.5/],
    ['GELU approximate', () => new GELU('fast' as 'tanh'), ArgumentError, /GELU: approximate must be 'none' or 'tanh', found 'fast'/],
    ['MLP activation', () => new MLP(3, [4], 2, { activation: 'swish' as 'relu' }), ArgumentError, /MLP: unknown activation 'swish'/],
    ['MLP sizes', () => new MLP(3, []), ArgumentError, /MLP: expected at least one layer size/],
    ['Flatten dims', () => new Flatten(2).forward(zeros([3, 4])), ShapeError, /Flatten: expected startDim 2 <= endDim -1 within the dims of the input, found shape \[3, 4\]/],
  ];
  for (const [name, fn, cls, msg] of cases) {
    it(name, () => {
      expect(fn).toThrow(cls);
      expect(fn).toThrow(msg);
    });
  }
});

describe('BatchNorm modes', () => {
  it('eval uses running statistics and does not update them; train updates num_batches_tracked', () => {
    const bn = new BatchNorm1d(2);
    const x = tensor([[1, 2], [3, 6], [5, 10]]);
    bn.forward(x);
    expect(bn.stateDict().num_batches_tracked!.item()).toBe(1);
    expect(bn.stateDict().running_mean!.toArray()).toEqual([expect.closeTo(0.3, 6), expect.closeTo(0.6, 6)]);
    // unbiased batch variance: 4 and 16
    expect(bn.stateDict().running_var!.toArray()).toEqual([expect.closeTo(0.9 + 0.4, 6), expect.closeTo(0.9 + 1.6, 6)]);
    bn.eval();
    const before = bn.stateDict();
    const y = bn.forward(x);
    expect(bn.stateDict().running_mean!.toArray()).toEqual(before.running_mean!.toArray());
    expect(bn.stateDict().num_batches_tracked!.item()).toBe(1);
    expect(y.toArray()).toEqual(
      [[1, 2], [3, 6], [5, 10]].map((r) => r.map((v, c) => expect.closeTo((v - [0.3, 0.6][c]!) / Math.sqrt([1.3, 2.5][c]! + 1e-5), 5))),
    );
    // eval accepts a batch of one
    expect(bn.forward(tensor([[1, 2]])).shape).toEqual([1, 2]);
  });
});

describe('Embedding.fromPretrained', () => {
  it('copies the table, frozen by default, and looks rows up', () => {
    const table = tensor([[0, 1], [2, 3], [4, 5]]);
    const e = Embedding.fromPretrained(table);
    expect(e.weight.requiresGrad).toBe(false);
    expect(e.forward(tensor([2, 0], { dtype: 'int32' })).toArray()).toEqual([[4, 5], [0, 1]]);
    expect(Embedding.fromPretrained(table, { freeze: false }).weight.requiresGrad).toBe(true);
    expect(() => Embedding.fromPretrained(tensor([1, 2]))).toThrow(/Embedding.fromPretrained: expected embeddings of shape \(numEmbeddings, embeddingDim\), found \[2\]/);
  });

  it('toString shows the layer tree with sizes', () => {
    const s = String(new Sequential(new Conv2d(3, 8, 3, { padding: 1 }), new BatchNorm2d(8), new ReLU()));
    expect(s).toContain('(0): Conv2d(3, 8, kernelSize=[3, 3], stride=[1, 1], padding=[1, 1])');
    expect(s).toContain('(1): BatchNorm2d(8, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)');
  });
});

describe('BatchNorm under trace', () => {
  it('a traced training forward with the buffers as inputs replays the running-stat update (counter included)', () => {
    const x = tensor([[1, 2], [3, 5], [0, 1], [2, -1]]);
    for (const momentum of [0.1, null]) {
      const eager = new BatchNorm1d(2, { momentum });
      const traced = new BatchNorm1d(2, { momentum });
      const bufs = () => [traced.running_mean!, traced.running_var!, traced.num_batches_tracked!];
      const { graph } = trace((xi: Tensor) => traced.forward(xi), [x, ...bufs()]);
      // the trace ran the forward once; replay it twice more through the graph
      eager.forward(x);
      for (let i = 0; i < 2; i++) {
        eager.forward(x.mul(i + 2));
        interpret(graph, [x.mul(i + 2), ...bufs()]);
      }
      const a = eager.stateDict();
      const b = traced.stateDict();
      expect(b.num_batches_tracked!.item()).toBe(3);
      for (const k of ['running_mean', 'running_var']) {
        const [u, v] = [Array.from(a[k]!.storage), Array.from(b[k]!.storage)];
        u.forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
      }
    }
  });
});

describe('pooling and Unflatten arguments', () => {
  it('are checked at construction, naming the layer', () => {
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/MaxPool2d: padding should be at most half of the effective kernel size, found padding \[2, 2\] with kernelSize \[2, 2\]/);
    expect(() => new AvgPool2d([2, 2, 2])).toThrow(/AvgPool2d: kernelSize must be an integer >= 1 or a list of 2 such integers/);
    expect(() => new AvgPool2d(2, { divisorOverride: 0 })).toThrow(/AvgPool2d: divisorOverride must be a positive integer, found 0/);
    expect(() => new MaxPool2d(2).forward(zeros([4, 4]))).toThrow(/MaxPool2d: expected input of shape \(N, C, H, W\) or \(C, H, W\), found shape \[4, 4\]/);
    expect(() => new Unflatten(1, [4, 4]).forward(zeros([2, 15]))).toThrow(/Unflatten: expected dim 1 of the input to hold \[4, 4\] \(16 values\), found shape \[2, 15\]/);
    expect(new Unflatten(1, [1, 28, 28]).forward(zeros([3, 784])).shape).toEqual([3, 1, 28, 28]);
  });
});
