import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, type Tensor, noGrad, randint, randn, tensor, zeros } from '@likelihood/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { type StatefulOptimizer, loadCheckpoint, restoreGenerator, saveCheckpoint } from './checkpoint.js';
import { applyCheckpoint, encodeCheckpoint } from './checkpoint-format.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** A two-layer MLP: two weight Parameters, a bias and an int buffer counting forward calls. */
class Tiny extends Module {
  w1: Parameter;
  b1: Parameter;
  w2: Parameter;
  constructor(seed: number, hidden = 8) {
    super();
    const g = new Generator(seed);
    this.w1 = new Parameter(randn([4, hidden], { generator: g }).mul(0.5));
    this.b1 = new Parameter(zeros([hidden]));
    this.w2 = new Parameter(randn([hidden, 1], { generator: g }).mul(0.5));
    this.registerBuffer('calls', tensor([0], { dtype: 'int32' }));
  }
  forward(x: Tensor): Tensor {
    const calls = this.buffer('calls');
    calls.assign_(calls.add(tensor([1], { dtype: 'int32' })));
    return x.matmul(this.w1).add(this.b1).tanh().matmul(this.w2);
  }
}

/**
 * SGD with momentum, written here so the test does not depend on the real optimizers. Its
 * state dict is JSON with tensors as {shape, dtype, data: number[]}, like torch's layout.
 */
class MomentumSGD implements StatefulOptimizer {
  private bufs: (Tensor | null)[];
  steps = 0;
  constructor(
    private readonly params: Parameter[],
    public lr: number,
    public momentum: number,
    public maxNorm = Number.POSITIVE_INFINITY,
  ) {
    this.bufs = params.map(() => null);
  }
  step(): void {
    noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad!;
        const prev = this.bufs[i];
        const buf = prev ? prev.mul(this.momentum).add(g) : g;
        this.bufs[i] = buf;
        p.assign_(p.sub(buf.mul(this.lr)));
      });
    });
    this.steps++;
  }
  stateDict(): unknown {
    return {
      state: Object.fromEntries(
        this.bufs.flatMap((b, i) => (b ? [[String(i), { momentum_buffer: { shape: [...b.shape], dtype: b.dtype, data: Array.from(b.storage) } }]] : [])),
      ),
      param_groups: [{ lr: this.lr, momentum: this.momentum, max_norm: this.maxNorm, params: this.params.map((_, i) => i) }],
      steps: this.steps,
    };
  }
  loadStateDict(sd: unknown): void {
    const s = sd as {
      state: Record<string, { momentum_buffer: { shape: number[]; dtype: 'float32'; data: number[] } }>;
      param_groups: { lr: number; momentum: number; max_norm: number; params: number[] }[];
      steps: number;
    };
    const group = s.param_groups[0]!;
    if (group.params.length !== this.params.length) throw new Error(`MomentumSGD: expected ${this.params.length} params, found ${group.params.length}`);
    this.lr = group.lr;
    this.momentum = group.momentum;
    this.maxNorm = group.max_norm;
    this.steps = s.steps;
    this.bufs = this.params.map((_, i) => {
      const b = s.state[String(i)]?.momentum_buffer;
      return b ? tensor(Float32Array.from(b.data)).reshape(b.shape) : null;
    });
  }
}

const X = randn([64, 4], { generator: new Generator(1) });
const Y = X.matmul(tensor([[1], [-2], [0.5], [3]])).tanh();

function trainSteps(model: Tiny, opt: MomentumSGD, gen: Generator, n: number): void {
  for (let i = 0; i < n; i++) {
    const idx = randint(0, 64, [8], { generator: gen });
    const xb = X.indexSelect(0, idx);
    const yb = Y.indexSelect(0, idx);
    model.zeroGrad();
    const loss = model.forward(xb).sub(yb).square().mean();
    loss.backward();
    opt.step();
  }
}

const bits = (t: Tensor) => Array.from(new Uint8Array(t.storage.buffer, t.storage.byteOffset, t.storage.byteLength));
const snapshot = (m: Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], dtype: t.dtype, bits: bits(t) }]));

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'likelihood-ckpt-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Trains 10 steps and returns everything a checkpoint test needs. */
function setup() {
  const model = new Tiny(7);
  const opt = new MomentumSGD(model.parameters(), 0.1, 0.9);
  const gen = new Generator(42);
  trainSteps(model, opt, gen, 10);
  return { model, opt, gen };
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('resumes bit-identically: 10 steps, checkpoint, 10 more == load into fresh objects, 10 more', () => {
    const { model, opt, gen } = setup();
    const path = join(dir, 'ckpt.safetensors');
    const config = { lr: 0.1, hidden: 8, name: 'tiny', tags: ['a', 'b'], eps: 1e-8, inf: Number.NEGATIVE_INFINITY };
    saveCheckpoint(path, { model, optimizer: opt, step: 10, rng: gen, config, extra: { losses: [0.5, Number.NaN], negZero: -0, when: null } });
    trainSteps(model, opt, gen, 10);

    const model2 = new Tiny(123); // different initial weights
    const opt2 = new MomentumSGD(model2.parameters(), 0.5, 0.1);
    const gen2 = new Generator(999);
    const info = loadCheckpoint(path, { model: model2, optimizer: opt2, generator: gen2 });
    expect(info.step).toBe(10);
    expect(info.config).toEqual(config);
    expect(info.extra).toEqual({ losses: [0.5, Number.NaN], negZero: -0, when: null });
    expect(Object.is((info.extra as { negZero: number }).negZero, -0)).toBe(true);
    expect(info.rng).toEqual({ seed: '42', offset: expect.any(Number) });
    expect(opt2.lr).toBe(0.1);
    expect(opt2.maxNorm).toBe(Number.POSITIVE_INFINITY);
    expect(model2.stateDict().calls!.item()).toBe(10);
    trainSteps(model2, opt2, gen2, 10);

    expect(snapshot(model2)).toEqual(snapshot(model));
    expect(opt2.steps).toBe(20);
    expect(gen2.getState()).toEqual(gen.getState());
  });

  it('restoreGenerator (or Generator.setState) resumes the random stream', () => {
    const { model, opt, gen } = setup();
    const path = join(dir, 'ckpt.safetensors');
    saveCheckpoint(path, { model, optimizer: opt, step: 10, rng: gen.getState() });
    const next = gen.nextUint32();
    const info = loadCheckpoint(path, { model: new Tiny(1), optimizer: new MomentumSGD(new Tiny(1).parameters(), 1, 1) });
    expect(restoreGenerator(new Generator(5), info.rng!).nextUint32()).toBe(next);
  });

  it('without the optimizer state the continuation differs (the test can tell)', () => {
    const { model, opt, gen } = setup();
    const path = join(dir, 'ckpt.safetensors');
    saveCheckpoint(path, { model, optimizer: opt, step: 10, rng: gen });
    trainSteps(model, opt, gen, 10);
    const model2 = new Tiny(3);
    const gen2 = new Generator(0);
    loadCheckpoint(path, { model: model2, generator: gen2 });
    trainSteps(model2, new MomentumSGD(model2.parameters(), 0.1, 0.9), gen2, 10);
    expect(snapshot(model2)).not.toEqual(snapshot(model));
  });

  it('is one safetensors file: model.<key> and optim.<path> tensors, JSON metadata, readable by decodeSafetensors', () => {
    const { model, opt, gen } = setup();
    const bytes = encodeCheckpoint({ model, optimizer: opt, step: 10, rng: gen, config: { a: 1 } });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(tensors).sort()).toEqual([
      'model.b1', 'model.calls', 'model.w1', 'model.w2',
      'optim.state.0.momentum_buffer', 'optim.state.1.momentum_buffer', 'optim.state.2.momentum_buffer',
    ]);
    expect(metadata.format).toBe('likelihood-checkpoint');
    expect(metadata.format_version).toBe('1');
    expect(metadata.step).toBe('10');
    expect(JSON.parse(metadata.rng!)).toEqual(gen.getState());
    expect(JSON.parse(metadata.config!)).toEqual({ a: 1 });
    expect(JSON.parse(metadata.optimizer!).state['0'].momentum_buffer).toEqual({ __tensor__: 'optim.state.0.momentum_buffer', form: 'array', dtype: 'float32' });
    expect(metadata.checksum).toMatch(/^crc32:[0-9a-f]{8}$/);
  });

  it('keeps tensors anywhere in optimizer state, config and extra: Tensor, {shape, dtype, data} with arrays or typed arrays', () => {
    const model = new Tiny(1);
    const ema = tensor([[1.5, -0], [Number.NaN, 2]], { dtype: 'float64' });
    const odd = [0.1, 1 / 3]; // not float32-exact: must come back unchanged
    const optState = {
      t: tensor([1, 2, 3], { dtype: 'int32' }),
      f32: { shape: [2], dtype: 'float32', data: Float32Array.from([1.25, -0]) },
      arr: { shape: [2], dtype: 'float32', data: odd },
      ints: { shape: [1, 2], dtype: 'int32', data: [7, -8] },
      mask: { shape: [2], dtype: 'bool', data: Uint8Array.from([1, 0]) },
      bytes: { shape: [3], dtype: 'int32', data: Uint8Array.from([0, 7, 255]) },
      ['__proto__']: { lr: 1 },
      notATensor: { shape: [3], dtype: 'float32', data: [1, 2] },
    };
    let loaded: unknown = null;
    const opt: StatefulOptimizer = { stateDict: () => optState, loadStateDict: (sd) => void (loaded = sd) };
    const path = join(dir, 'c.safetensors');
    saveCheckpoint(path, { model, optimizer: opt, step: 3, extra: { ema, nested: [{ e: ema }] } });
    const info = loadCheckpoint(path, { model, optimizer: opt });
    const l = loaded as typeof optState;
    expect((l.t as Tensor).dtype).toBe('int32');
    expect(Array.from((l.t as Tensor).storage)).toEqual([1, 2, 3]);
    expect(l.f32.data).toBeInstanceOf(Float32Array);
    expect(Object.is(l.f32.data[1], -0)).toBe(true);
    expect(l.arr).toEqual({ shape: [2], dtype: 'float32', data: odd });
    expect(l.ints).toEqual({ shape: [1, 2], dtype: 'int32', data: [7, -8] });
    expect(l.mask.data).toEqual(Uint8Array.from([1, 0]));
    expect(l.bytes.data).toEqual(Uint8Array.from([0, 7, 255]));
    expect(Object.getOwnPropertyDescriptor(l, '__proto__')?.value).toEqual({ lr: 1 });
    expect(l.notATensor).toEqual({ shape: [3], dtype: 'float32', data: [1, 2] });
    const extra = info.extra as { ema: Tensor; nested: { e: Tensor }[] };
    expect(bits(extra.ema)).toEqual(bits(ema));
    expect(bits(extra.nested[0]!.e)).toEqual(bits(ema));
    expect(Object.keys(decodeSafetensors(fs.readFileSync(path)).tensors).filter((k) => !k.startsWith('model.')).sort()).toEqual([
      'extra.ema', 'extra.nested.0.e', 'optim.arr', 'optim.bytes', 'optim.f32', 'optim.ints', 'optim.mask', 'optim.t',
    ]);
  });

  it('refuses bad arguments before writing anything', () => {
    const { model } = setup();
    const path = join(dir, 'ckpt.safetensors');
    expect(() => saveCheckpoint(path, { model, step: -1 })).toThrow(/step must be a non-negative integer/);
    expect(() => saveCheckpoint(path, { model, step: 1, extra: { n: 10n } })).toThrow(/extra.n holds a bigint/);
    expect(() => saveCheckpoint(path, { model, step: 1, config: { __tensor__: 'x' } })).toThrow(/reserved key/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a failed save (missing directory) leaves nothing behind; a failed overwrite keeps the previous checkpoint', () => {
    const { model, opt } = setup();
    expect(() => saveCheckpoint(join(dir, 'nope', 'c.safetensors'), { model, step: 1 })).toThrow(CheckpointError);
    expect(fs.readdirSync(dir)).toEqual([]);
    const path = join(dir, 'c.safetensors');
    saveCheckpoint(path, { model, optimizer: opt, step: 1 });
    const before = fs.readFileSync(path);
    const throwing: StatefulOptimizer = {
      stateDict: () => {
        throw new Error('boom');
      },
      loadStateDict: () => {},
    };
    expect(() => saveCheckpoint(path, { model, optimizer: throwing, step: 2 })).toThrow(/boom/);
    expect(fs.readFileSync(path)).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(['c.safetensors']);
  });
});

describe('loadCheckpoint rejects bad files with CheckpointError and changes nothing', () => {
  const good = () => {
    const { model, opt, gen } = setup();
    return encodeCheckpoint({ model, optimizer: opt, step: 10, rng: gen, config: { lr: 0.1 } });
  };
  const headerEnd = (b: Uint8Array) => 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  const replaceInHeader = (b: Uint8Array, from: string, to: string) => {
    const end = headerEnd(b);
    const text = new TextDecoder().decode(b.subarray(8, end));
    const i = text.indexOf(from);
    if (i < 0 || from.length !== to.length) throw new Error(`test setup: cannot replace ${from}`);
    const out = b.slice();
    out.set(new TextEncoder().encode(text.slice(0, i) + to + text.slice(i + from.length)), 8);
    return out;
  };

  /** Loads `bytes` into fresh objects and checks the error and that nothing changed. */
  function expectRejected(bytes: Uint8Array, message: RegExp, model = new Tiny(5)) {
    const path = join(dir, 'bad.safetensors');
    fs.writeFileSync(path, bytes);
    const opt = new MomentumSGD(model.parameters(), 0.3, 0.2);
    trainSteps(model, opt, new Generator(8), 2); // give the optimizer some state of its own
    const gen = new Generator(77);
    const before = { model: snapshot(model), opt: JSON.stringify(opt.stateDict()), gen: gen.getState() };
    let err: unknown;
    try {
      loadCheckpoint(path, { model, optimizer: opt, generator: gen });
    } catch (e) {
      err = e;
    }
    expect(err, `expected CheckpointError matching ${message}`).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(message);
    expect(snapshot(model)).toEqual(before.model);
    expect(JSON.stringify(opt.stateDict())).toBe(before.opt);
    expect(gen.getState()).toEqual(before.gen);
  }

  it('the good file loads (control)', () => {
    const path = join(dir, 'good.safetensors');
    fs.writeFileSync(path, good());
    expect(loadCheckpoint(path, { model: new Tiny(5), optimizer: new MomentumSGD(new Tiny(5).parameters(), 1, 1) }).step).toBe(10);
  });

  it('truncated at several points', () => {
    const b = good();
    const end = headerEnd(b);
    for (const cut of [0, 3, 7, 8, 20, end - 1, end, end + 1, end + Math.floor((b.length - end) / 2), b.length - 1]) {
      expectRejected(b.subarray(0, cut), /shorter than the 8-byte|exceeds|go past|not valid JSON/);
    }
  });

  it('missing file', () => {
    const model = new Tiny(5);
    const before = snapshot(model);
    expect(() => loadCheckpoint(join(dir, 'missing.safetensors'), { model })).toThrow(/loadCheckpoint: cannot read/);
    expect(snapshot(model)).toEqual(before);
  });

  it('header length too big', () => {
    const b = good().slice();
    new DataView(b.buffer).setBigUint64(0, BigInt(b.length), true);
    expectRejected(b, /header length \d+ exceeds/);
  });

  it('garbage header', () => {
    const b = good().slice();
    b.fill(0x21, 8, 40);
    expectRejected(b, /header is not valid JSON/);
  });

  it('wrong dtype (same size: caught by the checksum; other size: by the offsets)', () => {
    expectRejected(replaceInHeader(good(), '"F32"', '"I32"'), /checksum mismatch/);
    expectRejected(replaceInHeader(good(), '"F32"', '"F64"'), /needs \d+ bytes but data_offsets/);
  });

  it('data_offsets mismatch', () => {
    // Shorten model.b1's extent by 4 bytes, keeping the digit count (and so the header length).
    const b = good();
    const text = new TextDecoder().decode(b.subarray(8, headerEnd(b)));
    const m = /"model\.b1":\{[^}]*"data_offsets":\[(\d+),(\d+)\]/.exec(text)!;
    const end = Number(m[2]);
    expect(String(end - 4).length, 'test setup').toBe(m[2]!.length);
    expectRejected(replaceInHeader(b, `[${m[1]},${end}]`, `[${m[1]},${end - 4}]`), /tensor 'model\.b1': shape \[8\] of F32 needs 32 bytes but data_offsets \[\d+, \d+\] hold 28/);
  });

  it('a flipped bit in the data (checksum)', () => {
    const b = good();
    for (const at of [headerEnd(b), headerEnd(b) + 37, b.length - 1]) {
      const c = b.slice();
      c[at]! ^= 0x10;
      expectRejected(c, /checksum mismatch: the file says crc32:[0-9a-f]{8}, its contents give crc32:[0-9a-f]{8}/);
    }
  });

  it('a changed metadata value (checksum covers the header too)', () => {
    expectRejected(replaceInHeader(good(), '"step":"10"', '"step":"11"'), /checksum mismatch/);
  });

  it('shape mismatch against the model', () => {
    expectRejected(good(), /does not fit Tiny: w1: shape \[4, 8\] in the checkpoint, \[4, 6\] in the model/, new Tiny(5, 6));
  });

  it('dtype mismatch against the model', () => {
    const model = new Tiny(5);
    model.w2 = new Parameter(model.w2.double());
    expectRejected(good(), /w2: dtype float32 in the checkpoint, float64 in the model/, model);
  });

  it('not a checkpoint (a plain safetensors file)', () => {
    expectRejected(encodeSafetensors({ w1: tensor([1]) }), /not a likelihood checkpoint/);
  });

  it('an optimizer that rejects its state: model and optimizer are put back', () => {
    const bytes = good();
    const model = new Tiny(5);
    const before = snapshot(model);
    const picky: StatefulOptimizer = {
      stateDict: () => ({ mine: true }),
      loadStateDict: (sd) => {
        if (!(sd as { mine?: boolean }).mine) throw new Error('picky: not my state');
      },
    };
    expect(() => applyCheckpoint(bytes, { model, optimizer: picky })).toThrow(/loading failed, model and optimizer restored: picky: not my state/);
    expect(snapshot(model)).toEqual(before);
  });

  it('asked for optimizer or generator state the checkpoint lacks', () => {
    const model = new Tiny(5);
    const bare = encodeCheckpoint({ model: new Tiny(1), step: 0 });
    expect(() => applyCheckpoint(bare, { model, optimizer: new MomentumSGD(model.parameters(), 1, 1) })).toThrow(/holds no optimizer state/);
    expect(() => applyCheckpoint(bare, { model, generator: new Generator(1) })).toThrow(/holds no generator state/);
  });
});

describe('interop fixture', () => {
  const fixturePath = new URL('../../fixtures/safetensors_ts_checkpoint.safetensors', import.meta.url);
  const make = () => {
    const { model, opt, gen } = setup();
    return encodeCheckpoint({ model, optimizer: opt, step: 10, rng: gen, config: { lr: 0.1, name: 'tiny' }, extra: { note: 'written by checkpoint.test.ts' } });
  };

  it('the committed TS checkpoint (verified by gen_safetensors.py in Python) is what we write today', () => {
    const bytes = make();
    if (process.env.LIKELIHOOD_WRITE_FIXTURES === '1') fs.writeFileSync(fixturePath, bytes);
    expect(new Uint8Array(fs.readFileSync(fixturePath))).toEqual(bytes);
    expect(applyCheckpoint(bytes, { model: new Tiny(0) }).config).toEqual({ lr: 0.1, name: 'tiny' });
  });
});
