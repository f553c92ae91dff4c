// Trainer.runAsync and streamGenerate({decoder}): the async paths a compiled backend plugs into
// give exactly the eager results when the runner / decoder does the eager work.
import { Generator, type Tensor, noGrad } from '@likelihood/core';
import { type KVCache, clipGradNorm_ } from '@likelihood/nn';
import { describe, expect, it } from 'vitest';
import { generate, streamGenerate } from './generate.js';
import { GPT } from './model.js';
import { type StepRunner, Trainer } from './trainer.js';

const config = { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 8, vocabSize: 12, dropout: 0.1, bias: true };
const stream = Int32Array.from({ length: 300 }, (_, i) => (i * 5 + (i % 3)) % 12);

function setup(gradAccumSteps: number) {
  const g = new Generator(4);
  const model = new GPT(config, { generator: g });
  const events: number[] = [];
  const trainer = new Trainer(model, {
    data: { train: stream, val: stream.slice(0, 100) },
    batchSize: 2,
    maxIters: 6,
    lr: 1e-2,
    warmupIters: 2,
    gradAccumSteps,
    evalInterval: 3,
    evalIters: 2,
    generator: g,
    onProgress: (e) => events.push(e.iter, e.loss, e.lr, e.eval?.val ?? -1),
  });
  return { model, trainer, events };
}

describe('async paths', () => {
  it('runAsync with a runner doing the eager work reproduces run(): losses, evaluations, LR schedule, parameters', async () => {
    const eager = setup(1);
    const res = eager.trainer.run();
    const viaRunner = setup(1);
    const { model, trainer } = viaRunner;
    const runner: StepRunner = async (batches) => {
      expect(batches).toHaveLength(1);
      const loss = model.forward(batches[0]!.x, { targets: batches[0]!.y }).loss!;
      loss.backward();
      clipGradNorm_(model.parameters(), 1);
      trainer.optimizer.step();
      trainer.optimizer.zeroGrad();
      return loss.item();
    };
    const resAsync = await trainer.runAsync(runner);
    expect(resAsync.iter).toBe(6);
    expect(resAsync.evals).toEqual(res.evals);
    expect(viaRunner.events).toEqual(eager.events);
    const pe = eager.model.parameters();
    model.parameters().forEach((p, i) => expect(Array.from(p.storage)).toEqual(Array.from(pe[i]!.storage)));
  });

  it('stepWith draws gradAccumSteps micro-batches per step', async () => {
    const { trainer } = setup(3);
    const sizes: number[] = [];
    await trainer.stepWith(async (b) => {
      sizes.push(b.length, ...b[0]!.x.shape);
      return 0;
    });
    expect(sizes).toEqual([3, 2, 8]);
    expect(trainer.iter).toBe(1);
  });

  it('streamGenerate with a decoder doing the eager forward gives generate\'s tokens (cache, window slide, stop sequences, batch)', async () => {
    const model = new GPT(config, { generator: new Generator(5) });
    const opts = { maxNewTokens: 12, temperature: 0.8, topK: 6, stopSequences: [[3, 4]] };
    const eager = generate(model, [[1, 2, 3], [4, 5, 6]], { ...opts, generator: new Generator(6) });
    let calls = 0;
    const decoder = {
      step: async (idx: Tensor, cache: KVCache[]) => {
        calls++;
        return noGrad(() => model.forward(idx, { cache, lastOnly: true }).logits);
      },
    };
    const rows: number[][] = [[], []];
    for await (const s of streamGenerate(model, [[1, 2, 3], [4, 5, 6]], { ...opts, generator: new Generator(6), decoder })) s.tokens.forEach((t, b) => rows[b]!.push(...t));
    expect(rows).toEqual(eager);
    expect(calls).toBeGreaterThan(8); // past blockSize 8 the window slides and the cache is rebuilt
  });
});
