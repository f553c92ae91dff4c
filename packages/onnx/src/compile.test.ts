// compile(): one session.run per call, cached sessions, shape errors, a missing runtime, and a
// whole training step (forward, backward, clipping, AdamW, dropout noise) equal to eager.
import * as c from '@likelihood/core';
import { Generator, type Tensor } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { OnnxRuntimeMissingError } from './errors.js';
import type { OrtImporter } from './runtime.js';
import { GPT } from '@likelihood/gpt';
import { GPT_TINY, fixtureModels } from './testing/models.js';
import { type AdamWState, adamwStep } from './train-step.js';

/** Imports onnxruntime-node and counts the sessions it creates. */
function countingImporter() {
  const counts = { create: 0, run: 0, release: 0 };
  const importer: OrtImporter = async (pkg) => {
    const ort = (await import(pkg)) as typeof import('onnxruntime-node');
    return {
      Tensor: ort.Tensor,
      InferenceSession: {
        async create(bytes: Uint8Array, o?: Record<string, unknown>) {
          counts.create++;
          const s = await ort.InferenceSession.create(bytes, o);
          return {
            inputNames: s.inputNames,
            outputNames: s.outputNames,
            run: (f: never) => {
              counts.run++;
              return s.run(f);
            },
            release: () => {
              counts.release++;
              return s.release();
            },
          };
        },
      },
    };
  };
  return { importer, counts };
}

const data = (t: Tensor) => Array.from(t.data() as Float32Array);

describe('compile', () => {
  it('runs the GPT forward on onnxruntime: equal to eager, one session, one run per call, dispose releases it', async () => {
    const gpt = fixtureModels().find((m) => m.name === 'gpt_tiny')!;
    const { importer, counts } = countingImporter();
    const f = compile(gpt.fn, gpt.inputs, { backend: 'onnxruntime', threads: 1, importOrt: importer });
    const other = c.randint(0, GPT_TINY.vocabSize, [2, 8], { generator: new Generator(11) });
    for (const idx of [gpt.inputs[0]!, other]) {
      const out = (await f(idx)) as Record<string, Tensor>;
      expect(out.logits!.shape).toEqual([2, 8, GPT_TINY.vocabSize]);
      expectClose(data(out.logits!), data(gpt.fn(idx).logits!), { rtol: 1e-4, atol: 1e-5, what: 'logits' });
    }
    const again = compile(gpt.fn, gpt.inputs, { backend: 'onnxruntime', threads: 1, importOrt: importer });
    await again(other);
    expect(counts).toEqual({ create: 1, run: 3, release: 0 }); // the second compile found the cached session
    await f.dispose();
    expect(counts.release).toBe(1);
    await f(other);
    expect(counts.create).toBe(2);
    await f.dispose();
  });

  it('names the input and both shapes when a call does not match the trace', async () => {
    const f = compile((x, w) => x!.matmul(w!), [c.zeros([2, 3]), c.zeros([3, 4])], { backend: 'onnxruntime', inputNames: ['x', 'w'] });
    await expect(f(c.zeros([5, 3]), c.zeros([3, 4]))).rejects.toThrow("compiled function: input 'x' has shape [5, 3], the graph was traced with [2, 3]");
    await expect(f(c.zeros([2, 3], { dtype: 'float64' }), c.zeros([3, 4]))).rejects.toThrow(c.DTypeError);
    await expect(f(c.zeros([2, 3]))).rejects.toThrow('expected 2 inputs (x, w), found 1');
    await f.dispose();
  });

  it('says how to install ONNX Runtime when neither package loads', async () => {
    const missing: OrtImporter = (pkg) => Promise.reject(new Error(`Cannot find package '${pkg}'`));
    const f = compile((x) => x!.exp(), [c.zeros([2])], { backend: 'onnxruntime', importOrt: missing });
    const err = await f(c.zeros([2])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnnxRuntimeMissingError);
    expect((err as Error).message).toMatch(/npm install onnxruntime-node/);
    expect((err as Error).message).toMatch(/onnxruntime-web: Cannot find package 'onnxruntime-web'/);
    expect(() => compile((x) => x!, [c.zeros([1])], { backend: 'webgpu' as 'onnxruntime' })).toThrow(/backend must be one of 'onnxruntime', 'onnxruntime-node', 'onnxruntime-web', found "webgpu"/);
  });

  it('a whole MLP training step (dropout, backward, clipping, AdamW) on onnxruntime matches 20 eager steps to 1e-4 relative', async () => {
    const init = () => {
      const g = new Generator(21);
      const params = [c.randn([6, 16], { generator: g }).mul(0.4), c.zeros([16]), c.randn([16, 3], { generator: g }).mul(0.4), c.zeros([3])];
      const state: AdamWState = { expAvg: params.map((p) => c.zerosLike(p)), expAvgSq: params.map((p) => c.zerosLike(p)), step: c.zeros([]) };
      return { params, state, flat: [...params, ...state.expAvg, ...state.expAvgSq, state.step] };
    };
    const g = new Generator(22);
    const x = c.randn([32, 6], { generator: g });
    const y = c.randint(0, 3, [32], { generator: g });
    let dropoutGen = new Generator(0);
    const lossFn = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor, xx: Tensor, yy: Tensor) => {
      const h = c.dropout(xx.matmul(W1).add(b1).relu(), 0.2, true, dropoutGen);
      return h.matmul(W2).add(b2).logSoftmax(-1).gather(1, yy.unsqueeze(1)).neg().mean();
    };
    const step = (...all: Tensor[]) => {
      const params = all.slice(0, 4);
      const state = { expAvg: all.slice(4, 8), expAvgSq: all.slice(8, 12), step: all[12]! };
      const { value, grad } = c.valueAndGrad(lossFn, { argnums: [0, 1, 2, 3] })(...(params as [Tensor, Tensor, Tensor, Tensor]), all[13]!, all[14]!);
      adamwStep(params, grad, state, { lr: 0.01, weightDecay: 0.1, maxGradNorm: 0.5 });
      return { loss: value.detach() };
    };

    const traced = init(); // tracing runs the step once: it updates these
    const compiled = compile(step, [...traced.flat, x, y], { backend: 'onnxruntime', threads: 1, generator: new Generator(77) });
    expect(compiled.graph.mutations).toHaveLength(13); // 4 params, 8 moments, the step count
    expect(compiled.graph.randoms).toHaveLength(1); // the dropout mask is a graph input

    const eager = init();
    const viaOrt = init();
    dropoutGen = new Generator(77);
    const lossesE: number[] = [];
    const lossesO: number[] = [];
    for (let s = 0; s < 20; s++) {
      lossesE.push(step(...eager.flat, x, y).loss.item());
      lossesO.push(((await compiled(...viaOrt.flat, x, y)) as { loss: Tensor }).loss.item());
    }
    expectClose(lossesO, lossesE, { rtol: 1e-4, atol: 1e-6, what: 'losses' });
    viaOrt.flat.forEach((t, i) => expectClose(data(t), data(eager.flat[i]!), { rtol: 1e-4, atol: 1e-6, what: `state ${i} after 20 steps` }));
    expect(viaOrt.state.step.item()).toBe(20);
    expect(lossesE[19]!).toBeLessThan(lossesE[0]! * 0.8); // it trains
    await compiled.dispose();
  });

  it('20 GPT training steps (dropout 0.1, clipping, AdamW) on onnxruntime match 20 eager steps to 1e-4 relative', async () => {
    const config = { ...GPT_TINY, dropout: 0.1 };
    /** A model, its training step (parameters, moments, step count and batch in; all updated in place) and its state. */
    const make = () => {
      const gen = new Generator(5);
      const model = new GPT(config, { generator: gen }); // gen then draws this model's dropout masks
      const params = model.parameters() as Tensor[];
      const n = params.length;
      const step = (...all: Tensor[]) => {
        const loss = model.forward(all[3 * n + 1]!, { targets: all[3 * n + 2]! }).loss!;
        loss.backward();
        const ps = all.slice(0, n);
        adamwStep(ps, ps.map((p) => p.grad!), { expAvg: all.slice(n, 2 * n), expAvgSq: all.slice(2 * n, 3 * n), step: all[3 * n]! }, { lr: 3e-3, weightDecay: 0.1, maxGradNorm: 1 });
        for (const p of ps) p.grad = null;
        return { loss: loss.detach() };
      };
      const state = [...params, ...params.map((p) => c.zerosLike(p)), ...params.map((p) => c.zerosLike(p)), c.zeros([])];
      return { gen, model, step, state };
    };
    const g = new Generator(6);
    const idx = c.randint(0, config.vocabSize, [4, 8], { generator: g });
    const targets = c.randint(0, config.vocabSize, [4, 8], { generator: g });
    const traced = make();
    const eager = make();
    const viaOrt = make();
    const compiled = compile(traced.step, [...traced.state, idx, targets], { backend: 'onnxruntime', threads: 1, generator: viaOrt.gen });
    expect(compiled.graph.randoms.length).toBeGreaterThan(0); // dropout masks are graph inputs
    const lossesE: number[] = [];
    const lossesO: number[] = [];
    for (let s = 0; s < 20; s++) {
      lossesE.push(eager.step(...eager.state, idx, targets).loss.item());
      lossesO.push(((await compiled(...viaOrt.state, idx, targets)) as { loss: Tensor }).loss.item());
    }
    expectClose(lossesO, lossesE, { rtol: 1e-4, atol: 1e-6, what: 'GPT losses' });
    // Per tensor, relative to its norm. The key third of each c_attn.bias is left out: its
    // gradient is exactly zero in exact arithmetic (softmax ignores a per-query shift of the
    // scores), so both paths hold only rounding noise there, which Adam scales up to ±lr steps.
    const names = [...eager.model.namedParameters()].map(([k]) => k);
    const C = config.nEmbd;
    let worst = 0;
    viaOrt.state.forEach((t, i) => {
      const name = names[i % names.length]!;
      const keep = (_: number, k: number) => i === 3 * names.length || !name.endsWith('attn.c_attn.bias') || k < C || k >= 2 * C;
      const a = data(t).filter(keep);
      const e = data(eager.state[i]!).filter(keep);
      const diff = Math.hypot(...a.map((v, k) => v - e[k]!));
      worst = Math.max(worst, diff / Math.max(Math.hypot(...e), 1e-12));
    });
    expect(worst).toBeLessThan(1e-4);
    expect(lossesE[19]!).toBeLessThan(lossesE[0]!);
    await compiled.dispose();
  });
});
