import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, tensor } from '@likelihood/core';
import { afterAll, describe, expect, it } from 'vitest';
import { getBatch, splitTokens } from './data.js';
import { generate } from './generate.js';
import { bitsPerChar, bitsPerToken, estimateLoss, evaluateLoss, nextTokenPredictions, perplexity } from './metrics.js';
import { GPT } from './model.js';
import { loadGPT, readCheckpointConfig, resumeTraining, saveTrainingCheckpoint } from './node.js';
import { configureOptimizer } from './optimizer.js';
import { CharTokenizer } from './tokenizers/index.js';
import { Trainer } from './trainer.js';

const dir = mkdtempSync(join(tmpdir(), 'gpt-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = 'a tiny gpt learns this line by heart; ok?';
const tok = CharTokenizer.fromText(TEXT);
const ids = Int32Array.from(tok.encode(TEXT));
const small = { nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: tok.vocabSize };

describe('data and metrics', () => {
  it('getBatch gives targets shifted by one, windows inside the data', () => {
    const { x, y } = getBatch(ids, 5, 8, new Generator(0));
    expect(x.shape).toEqual([5, 8]);
    const X = Array.from(x.storage);
    const Y = Array.from(y.storage);
    for (let b = 0; b < 5; b++) {
      const row = X.slice(b * 8, b * 8 + 8);
      const start = ids.findIndex((_, i) => row.every((t, j) => ids[i + j] === t));
      expect(start).toBeGreaterThanOrEqual(0);
      expect(Y.slice(b * 8, b * 8 + 8)).toEqual(Array.from(ids.slice(start + 1, start + 9)));
    }
    expect(() => getBatch(ids.slice(0, 8), 1, 8)).toThrow(/need more than blockSize \+ 1 = 9 tokens, found 8/);
    const { train, val } = splitTokens(ids, 0.1);
    expect(train.length).toBe(Math.floor(ids.length * 0.9));
    expect([...train, ...val]).toEqual([...ids]);
  });

  it('perplexity and bits follow from nats', () => {
    expect(perplexity(Math.log(65))).toBeCloseTo(65, 10);
    expect(bitsPerToken(Math.LN2 * 3)).toBeCloseTo(3, 12);
    // 100 tokens of 2 nats over 400 characters: 200 nats = 288.5 bits → 0.7213 bits/char.
    expect(bitsPerChar(2, 100, 400)).toBeCloseTo(200 / Math.LN2 / 400, 12);
  });

  it('estimateLoss is the mean batch loss per split, in eval mode, restoring training mode', () => {
    const model = new GPT({ ...small, dropout: 0.5 }, { generator: new Generator(1) });
    const { train, val } = splitTokens(ids, 0.5);
    const est = estimateLoss(model, { train, val }, { batchSize: 4, blockSize: 8, evalIters: 3, generator: new Generator(5) });
    expect(model.training).toBe(true);
    model.eval();
    const g = new Generator(5);
    const manual = (d: Int32Array) => {
      let s = 0;
      for (let i = 0; i < 3; i++) {
        const { x, y } = getBatch(d, 4, 8, g);
        s += model.forward(x, { targets: y }).loss!.item();
      }
      return s / 3;
    };
    expect(est.train).toBeCloseTo(manual(train), 6);
    expect(est.val).toBeCloseTo(manual(val), 6);
    // An untrained model is near uniform: loss ≈ log V.
    expect(Math.abs(est.train - Math.log(tok.vocabSize))).toBeLessThan(0.2);
  });

  it('nextTokenPredictions gives the logits of non-overlapping windows; their cross-entropy is the model loss', () => {
    const model = new GPT({ ...small, dropout: 0.5 }, { generator: new Generator(2) });
    const { logits, targets } = nextTokenPredictions(model, ids, { maxWindows: 3, blockSize: 8 });
    expect(logits.shape).toEqual([24, tok.vocabSize]);
    expect(Array.from(targets.data())).toEqual(Array.from(ids.subarray(1, 25)));
    expect(model.training).toBe(true);
    model.eval();
    const x = tensor(ids.subarray(0, 24), { dtype: 'int32' }).reshape([3, 8]);
    const y = tensor(ids.subarray(1, 25), { dtype: 'int32' }).reshape([3, 8]);
    const loss = model.forward(x, { targets: y }).loss!.item();
    const lp = logits.logSoftmax(-1).data();
    let nll = 0;
    for (let i = 0; i < 24; i++) nll -= lp[i * tok.vocabSize + ids[i + 1]!]!;
    expect(nll / 24).toBeCloseTo(loss, 5);
    expect(() => nextTokenPredictions(model, ids.subarray(0, 5), { blockSize: 8 })).toThrow(/at least blockSize \+ 1 = 9 tokens, found 5/);
  });

  it('evaluateLoss is the mean NLL of every token of the full windows, whatever the batch size', () => {
    const model = new GPT({ ...small, dropout: 0.5 }, { generator: new Generator(3) });
    // ids has 41 tokens: floor(40 / 8) = 5 windows of 8 predicted tokens
    const { logits } = nextTokenPredictions(model, ids, { blockSize: 8 });
    const lp = logits.logSoftmax(-1).data();
    let nll = 0;
    for (let i = 0; i < 40; i++) nll -= lp[i * tok.vocabSize + ids[i + 1]!]!;
    for (const batchSize of [1, 2, 5, 32]) expect(evaluateLoss(model, ids, { blockSize: 8, batchSize })).toBeCloseTo(nll / 40, 5);
    expect(model.training).toBe(true);
    expect(() => evaluateLoss(model, ids, { blockSize: 8, batchSize: 0 })).toThrow(/batchSize must be a positive integer, found 0/);
    expect(() => evaluateLoss(model, ids.subarray(0, 8), { blockSize: 8 })).toThrow(/at least blockSize \+ 1 = 9 tokens, found 8/);
  });
});

describe('Trainer', () => {
  it('AdamW decays only Linear weights, not biases, LayerNorms or the (tied) embeddings', () => {
    const model = new GPT(small);
    const opt = configureOptimizer(model, { weightDecay: 0.1 });
    const names = new Map(model.namedParameters().map(([n, p]) => [p, n]));
    const decayed = opt.paramGroups[0]!.params.map((p) => names.get(p as never)).sort();
    expect(decayed).toEqual(['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'].flatMap((k) => [0, 1].map((i) => `transformer.h.${i}.${k}.weight`)).sort());
    expect(opt.paramGroups[1]!.weightDecay).toBe(0);
    expect(opt.paramGroups[0]!.params.length + opt.paramGroups[1]!.params.length).toBe(model.parameters().length);
  });

  it('a tiny model overfits a short text to under 0.1 nats/token, then recites it', () => {
    const model = new GPT({ ...small, nLayer: 1 }, { generator: new Generator(0) });
    const trainer = new Trainer(model, { data: { train: ids }, batchSize: 8, maxIters: 100, lr: 2e-2, warmupIters: 5, weightDecay: 0, generator: new Generator(1) });
    const res = trainer.run();
    expect(res.iter).toBe(100);
    expect(trainer.evaluate().train).toBeLessThan(0.1);
    // Greedy decoding from the first 12 characters continues the line.
    const out = generate(model, tok.encode(TEXT.slice(0, 12)), { maxNewTokens: 10, temperature: 0 })[0]!;
    expect(tok.decode(out)).toBe(TEXT.slice(12, 22));
  });

  it('gradient accumulation over two halves equals one full batch', () => {
    const run = (batchSize: number, gradAccumSteps: number) => {
      const model = new GPT(small, { generator: new Generator(3) });
      const t = new Trainer(model, { data: { train: ids }, batchSize, gradAccumSteps, maxIters: 2, lr: 1e-3, warmupIters: 0, generator: new Generator(4) });
      const loss = t.step();
      return { loss, w: Array.from(model.transformer.h.at(0).attn.c_attn.weight.storage) };
    };
    const a = run(8, 1);
    const b = run(4, 2);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    const diff = Math.max(...a.w.map((x, i) => Math.abs(x - b.w[i]!)));
    expect(diff).toBeLessThan(1e-6);
  });

  it('checkpoint + resume continues bit-identically (dropout included), and reports progress', () => {
    // One generator per run drives init, dropout (model) and batches (trainer), so the checkpoint holds all randomness.
    const make = (seed: number) => {
      const g = new Generator(seed);
      const model = new GPT({ ...small, dropout: 0.1 }, { generator: g });
      return { model, opts: { data: { train: ids }, batchSize: 4, blockSize: 12, maxIters: 12, lr: 3e-3, warmupIters: 3, generator: g } };
    };
    const a = make(9);
    const full = new Trainer(a.model, a.opts);
    const lossesFull: number[] = [];
    while (full.iter < 12) lossesFull.push(full.step());

    const path = join(dir, 'ckpt.safetensors');
    const b = make(9);
    const first = new Trainer(b.model, b.opts);
    const lossesFirst: number[] = [];
    for (let i = 0; i < 5; i++) lossesFirst.push(first.step());
    saveTrainingCheckpoint(path, first, { tokenizer: tok });
    expect(lossesFirst).toEqual(lossesFull.slice(0, 5));

    const c = make(123); // different init and stream: the checkpoint must overwrite both
    const events: number[] = [];
    const second = new Trainer(c.model, { ...c.opts, onProgress: (e) => events.push(e.iter) });
    const { step, tokenizer } = resumeTraining(path, second);
    expect(step).toBe(5);
    expect(tokenizer?.encode('tiny')).toEqual(tok.encode('tiny'));
    const res = second.run();
    expect(events).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(res.iter).toBe(12);
    for (const [k, v] of Object.entries(full.model.stateDict())) {
      expect(Array.from(second.model.stateDict()[k]!.storage), k).toEqual(Array.from(v.storage));
    }
    expect(second.scheduler.getLastLr()).toEqual(full.scheduler.getLastLr());

    const loaded = loadGPT(path, { expectVocabSize: tok.vocabSize });
    expect(loaded.step).toBe(5);
    expect(loaded.model.training).toBe(false);
    expect(readCheckpointConfig(path).gpt).toEqual(first.model.config);
  });

  it('a vocabulary mismatch with a checkpoint names both sizes', () => {
    const path = join(dir, 'vocab.safetensors');
    const t = new Trainer(new GPT(small), { data: { train: ids }, batchSize: 2, maxIters: 2 });
    saveTrainingCheckpoint(path, t, { tokenizer: tok });
    const other = new Trainer(new GPT({ ...small, vocabSize: small.vocabSize + 5 }), { data: { train: ids }, batchSize: 2, maxIters: 2 });
    expect(() => resumeTraining(path, other)).toThrow(`has vocabSize ${small.vocabSize} but the model has vocabSize ${small.vocabSize + 5}`);
    expect(() => loadGPT(path, { expectVocabSize: 65 })).toThrow(`has vocabSize ${small.vocabSize} but the tokenizer has vocabSize 65`);
    expect(() => new Trainer(new GPT({ ...small, vocabSize: 5 }), { data: { train: ids }, batchSize: 2, maxIters: 2 })).toThrow(/outside the model's vocabulary \[0, 4\]/);
  });
});
