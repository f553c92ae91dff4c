// onnxruntime-web in Node (its WebAssembly backend, one thread): the same graphs as onnxruntime-node,
// checked against eager: the GPT forward, a whole GPT training step through compileTrainStep, KV-cache decoding.
import * as c from '@likelihood/core';
import { Generator, type Tensor } from '@likelihood/core';
import { GPT, Trainer, generate } from '@likelihood/gpt';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { compileTrainStep } from './compile-train-step.js';
import { compileKVDecoder } from './decode.js';
import { OnnxRuntimeMissingError } from './errors.js';
import { loadRuntime } from './runtime.js';
import { worstRelativeParamDiff } from './testing/compare.js';
import { GPT_TINY, fixtureModels } from './testing/models.js';

const data = (t: Tensor) => Array.from(t.storage as Float32Array);
const web = { backend: 'onnxruntime-web', threads: 1 } as const;

describe("backend 'onnxruntime-web' (WebAssembly, one thread)", () => {
  it('loads onnxruntime-web, not onnxruntime-node, and runs the GPT forward equal to eager', async () => {
    expect((await loadRuntime(undefined, 'onnxruntime-web')).pkg).toBe('onnxruntime-web');
    const gpt = fixtureModels().find((m) => m.name === 'gpt_tiny')!;
    const f = compile(gpt.fn, gpt.inputs, web);
    const out = (await f(gpt.inputs[0]!)) as Record<string, Tensor>;
    expectClose(data(out.logits!), data(gpt.fn(gpt.inputs[0]!).logits!), { rtol: 1e-4, atol: 1e-5, what: 'logits' });
    await f.dispose();
  });

  it('trains a GPT through compileTrainStep: 4 Trainer steps equal eager to 1e-4 relative', async () => {
    const make = () => {
      const g = new Generator(3);
      const model = new GPT({ ...GPT_TINY, dropout: 0.1 }, { generator: g });
      const stream = Int32Array.from({ length: 300 }, (_, i) => (i * 7 + (i % 5)) % GPT_TINY.vocabSize);
      return { g, model, trainer: new Trainer(model, { data: { train: stream }, batchSize: 3, maxIters: 4, lr: 3e-3, warmupIters: 1, gradClip: 0.5, generator: g }) };
    };
    const eager = make();
    const lossesE = [0, 1, 2, 3].map(() => eager.trainer.step());
    const { g, model, trainer } = make();
    const example = [c.zeros([3, 8], { dtype: 'int32' }), c.zeros([3, 8], { dtype: 'int32' })];
    const step = compileTrainStep((x, y) => model.forward(x!, { targets: y! }).loss!, trainer.optimizer, example, { ...web, generator: g, maxGradNorm: 0.5, module: model });
    const lossesW: number[] = [];
    for (let s = 0; s < 4; s++) lossesW.push(await trainer.stepWith(async (b) => (await step(b.map((m) => [m.x, m.y])))[0]!));
    expectClose(lossesW, lossesE, { rtol: 1e-4, atol: 1e-6, what: 'losses' });
    expect(worstRelativeParamDiff(model, eager.model)).toBeLessThan(1e-4);
    await step.dispose();
  });

  it('decodes with the KV cache to the same tokens as eager generate', async () => {
    const model = new GPT(GPT_TINY, { generator: new Generator(8) });
    const opts = { maxNewTokens: 6, temperature: 0.9, topK: 8 };
    const eager = generate(model, [[1, 2, 3]], { ...opts, generator: new Generator(9) });
    const decoder = compileKVDecoder(model, web);
    const { streamGenerate } = await import('@likelihood/gpt');
    const out: number[] = [];
    for await (const s of streamGenerate(model, [[1, 2, 3]], { ...opts, generator: new Generator(9), decoder })) out.push(...s.tokens[0]!);
    expect([out]).toEqual(eager);
    await decoder.dispose();
  });

  it('says to install onnxruntime-web when it is asked for and missing', async () => {
    const f = compile((x) => x!.exp(), [c.zeros([2])], { ...web, importOrt: (pkg) => Promise.reject(new Error(`Cannot find package '${pkg}'`)) });
    const err = await f(c.zeros([2])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnnxRuntimeMissingError);
    expect((err as Error).message).toMatch(/backend 'onnxruntime-web' needs ONNX Runtime.*`npm install onnxruntime-web`.*Tried: onnxruntime-web: Cannot find package/);
    expect((err as Error).message).not.toMatch(/onnxruntime-node/);
  });
});
