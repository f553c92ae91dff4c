import { Generator, noGrad, tensor } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { generate, streamGenerate } from './generate.js';
import { GPT } from './model.js';
import { sampleFromLogits } from './sampling.js';

// Larger-than-GPT-2 init so the next-token distributions are far from uniform.
function tinyModel(seed = 0): GPT {
  const m = new GPT({ nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 8, vocabSize: 11 }, { generator: new Generator(seed) });
  noGrad(() => {
    for (const p of m.parameters()) p.assign_(p.mul(15));
  });
  return m.eval();
}

describe('generate', () => {
  it('with the KV cache gives the same tokens as without, for the same seed, past blockSize too', () => {
    const model = tinyModel();
    const prompts = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    for (const opts of [{}, { temperature: 0.8, topK: 5 }, { topP: 0.9 }]) {
      const a = generate(model, prompts, { maxNewTokens: 20, generator: new Generator(7), ...opts });
      const b = generate(model, prompts, { maxNewTokens: 20, generator: new Generator(7), useCache: false, ...opts });
      expect(a).toEqual(b);
      expect(a.map((r) => r.length)).toEqual([20, 20]);
      expect(new Set(a.flat()).size).toBeGreaterThan(2); // really sampled
    }
  });

  it('cached logits equal a full forward pass at every position', () => {
    const model = tinyModel(1);
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const full = model.forward(tensor([ids], { dtype: 'int32' })).logits; // [1, 8, V]
    const cache = model.newCache();
    const first = model.forward(tensor([ids.slice(0, 3)], { dtype: 'int32' }), { cache }).logits;
    const steps = [first];
    for (let t = 3; t < 8; t++) steps.push(model.forward(tensor([[ids[t]!]], { dtype: 'int32' }), { cache }).logits);
    const joined = steps.flatMap((s) => Array.from(s.storage));
    expectClose(joined, Array.from(full.storage), { atol: 1e-5, rtol: 1e-5, what: 'cached logits' });
    expect(() => model.forward(tensor([[1]], { dtype: 'int32' }), { cache })).toThrow(/8 cached \+ 1 positions exceed blockSize 8/);
  });

  it('greedy decoding picks the argmax of a full forward pass each step', () => {
    const model = tinyModel(2);
    const got = generate(model, [0, 1], { maxNewTokens: 6, temperature: 0 })[0]!;
    const seq = [0, 1];
    for (let i = 0; i < 6; i++) {
      const logits = Array.from(model.forward(tensor([seq], { dtype: 'int32' })).logits.storage.slice(-11));
      seq.push(logits.indexOf(Math.max(...logits)));
    }
    expect(got).toEqual(seq.slice(2));
  });

  it('crops a prompt longer than blockSize to its last blockSize tokens', () => {
    const model = tinyModel(3);
    const long = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2];
    const a = generate(model, long, { maxNewTokens: 5, generator: new Generator(1) });
    const b = generate(model, long.slice(-8), { maxNewTokens: 5, generator: new Generator(1) });
    expect(a).toEqual(b);
  });

  it('stops at a stop sequence, which is not returned; streaming yields the same tokens', async () => {
    const model = tinyModel(4);
    const free = generate(model, [2], { maxNewTokens: 12, temperature: 0 })[0]!;
    const stop = free.slice(4, 6);
    const cut = free.findIndex((_, i) => free[i] === stop[0] && free[i + 1] === stop[1]);
    const stopped = generate(model, [2], { maxNewTokens: 12, temperature: 0, stopSequences: [stop, [99, 98]] })[0]!;
    expect(stopped).toEqual(free.slice(0, cut));
    const streamed: number[] = [];
    let steps = 0;
    for await (const s of streamGenerate(model, [2], { maxNewTokens: 12, temperature: 0, stopSequences: [stop] })) {
      streamed.push(...s.tokens[0]!);
      steps++;
    }
    expect(streamed).toEqual(stopped);
    expect(steps).toBe(cut + stop.length);
  });

  it('rejects bad prompts and options with names', () => {
    const model = tinyModel();
    expect(() => generate(model, [[1, 2], [3]], { maxNewTokens: 1 })).toThrow(/equal lengths, found 2, 1/);
    expect(() => generate(model, [11], { maxNewTokens: 1 })).toThrow(/prompt token 11 is outside the vocabulary \[0, 10\]/);
    expect(() => generate(model, [1], { maxNewTokens: 1, topP: 0 })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => generate(model, [1], { maxNewTokens: 1, temperature: -1 })).toThrow(/temperature/);
    expect(() => generate(model, [], { maxNewTokens: 1 })).toThrow(/prompt/);
  });
});

describe('sampleFromLogits', () => {
  const logits = [2, 1, 0, 3, -1];
  const probs = (() => {
    const e = logits.map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    return e.map((x) => x / s);
  })();
  const histogram = (opts: Parameters<typeof sampleFromLogits>[3], N = 10000) => {
    const h = new Array(5).fill(0);
    for (let i = 0; i < N; i++) h[sampleFromLogits(logits, 0, 5, opts, (i + 0.5) / N)]++;
    return h.map((c) => c / N);
  };

  it('draws each token with its softmax probability (stratified uniforms, exact to 1/N)', () => {
    histogram({}).forEach((f, i) => expect(Math.abs(f - probs[i]!)).toBeLessThanOrEqual(1e-4));
    // temperature 2 = softmax(logits / 2)
    const e = logits.map((x) => Math.exp(x / 2));
    const s = e.reduce((a, b) => a + b);
    histogram({ temperature: 2 }).forEach((f, i) => expect(Math.abs(f - e[i]! / s)).toBeLessThanOrEqual(1e-4));
  });

  it('top-k and top-p renormalise over the kept tokens', () => {
    const k2 = histogram({ topK: 2 }); // tokens 3 and 0
    const z = probs[3]! + probs[0]!;
    expect(k2.map((f) => Number(f.toFixed(3)))).toEqual([probs[0]! / z, 0, 0, probs[3]! / z, 0].map((f) => Number(f.toFixed(3))));
    // p(3) ≈ 0.64 < 0.8, p(3) + p(0) ≈ 0.88 ≥ 0.8: the same two tokens.
    expect(histogram({ topP: 0.8 })).toEqual(k2);
    expect(histogram({ topP: 0.5 })).toEqual([0, 0, 0, 1, 0]);
    expect(sampleFromLogits(logits, 0, 5, { temperature: 0 }, 0.99)).toBe(3);
  });
});
