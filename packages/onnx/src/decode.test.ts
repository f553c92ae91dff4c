// KV-cache decoding on ONNX Runtime gives the same tokens as @likelihood/gpt's eager generate.
import { Generator, Tensor } from '@likelihood/core';
import { GPT, generate, sampleFromLogits } from '@likelihood/gpt';
import { describe, expect, it } from 'vitest';
import { compileKVDecoder } from './decode.js';
import { GPT_TINY } from './testing/models.js';

describe('compileKVDecoder', () => {
  it('samples the same tokens as eager generate (KV cache, temperature, top-k) for the same seed', async () => {
    const model = new GPT({ ...GPT_TINY, dropout: 0.1 }, { generator: new Generator(8) });
    model.eval();
    const prompts = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const opts = { maxNewTokens: 5, temperature: 0.9, topK: 10 };
    const eager = generate(model, prompts, { ...opts, generator: new Generator(9) });

    // the same loop as generate: one uniform per row per step, sampled from the last logits
    const decoder = compileKVDecoder(model, { backend: 'onnxruntime', threads: 1 });
    const gen = new Generator(9);
    const V = GPT_TINY.vocabSize;
    const cache = model.newCache();
    const out: number[][] = prompts.map(() => []);
    let feed = prompts;
    for (let s = 0; s < opts.maxNewTokens; s++) {
      const idx = new Tensor(Int32Array.from(feed.flat()), [feed.length, feed[0]!.length], 'int32');
      const logits = (await decoder.step(idx, cache)).storage;
      feed = out.map((row, b) => {
        const t = sampleFromLogits(logits, b * V, V, opts, gen.random());
        row.push(t);
        return [t];
      });
    }
    expect(out).toEqual(eager);
    expect(cache[0]!.k!.shape[2]).toBe(3 + 5 - 1); // the last sampled token is not fed back
    expect(decoder.graphs).toBe(5); // the prompt, then cache lengths 3, 4, 5, 6
    await decoder.dispose();
  });
});
