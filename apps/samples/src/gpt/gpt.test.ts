import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGPT } from '@likelihood/gpt/node';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose } from '@likelihood/test-utils';
import { progressDisplay } from './progress.js';
import { sampleGpt } from './sample.js';
import { TRAIN_DEFAULTS, trainGpt, trainGptAsync } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'samples-gpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gpt train / sample', () => {
  const text = join(dir, 'tiny.txt');
  writeFileSync(text, 'anna\nbob\ncarla\ndave\neve\nfrank\ngina\nhugo\n'.repeat(10));
  const out = join(dir, 'ckpt.safetensors');
  const opts = { ...TRAIN_DEFAULTS, text, out, nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 8, batchSize: 4, maxIters: 6, evalInterval: 3, evalIters: 2, checkpointInterval: 3, progress: false };

  it('trains from a text file, writes a checkpoint with its tokenizer, and resumes', () => {
    const first = trainGpt({ ...opts, maxIters: 6 });
    expect(first.iters).toBe(6);
    expect(existsSync(out)).toBe(true);
    expect(first.val).toBeGreaterThan(0);
    const { tokenizer, step } = loadGPT(out);
    expect(step).toBe(6);
    expect(tokenizer!.decode(tokenizer!.encode('carla\n'))).toBe('carla\n');
    const resumed = trainGpt({ ...opts, maxIters: 9, resume: true });
    expect(resumed.iters).toBe(9);
  });

  it('streams exactly the text it returns and honours stop sequences', async () => {
    const { model, tokenizer } = loadGPT(out);
    let streamed = '';
    const texts = await sampleGpt(model, tokenizer!, { prompt: 'a', maxNewTokens: 30, numSamples: 2, temperature: 1, seed: 3, stop: ['\n'], cache: true }, (s) => {
      streamed += s;
    });
    expect(streamed).toBe(texts.map((t) => `${t}\n`).join(''));
    for (const t of texts) expect(t).not.toContain('\n');
  });

  it('--backend onnxruntime trains through the compiled step: the same loss curve as eager to 1e-4, checkpoints included', async () => {
    const ortOut = join(dir, 'ort.safetensors');
    const o = { ...opts, dropout: 0.1, maxIters: 6, resume: false };
    const eager = trainGpt({ ...o, out: join(dir, 'eager.safetensors') });
    const ort = await trainGptAsync({ ...o, out: ortOut, backend: 'onnxruntime', threads: 1 });
    expect(ort.iters).toBe(6);
    expectClose(
      ort.curve.map((p) => p.loss),
      eager.curve.map((p) => p.loss),
      { rtol: 1e-4, atol: 1e-6, what: 'training losses' },
    );
    expectClose([ort.val!], [eager.val!], { rtol: 1e-4, what: 'val loss' });
    expect(loadGPT(ortOut).step).toBe(6);
  });

  it('--backend onnxruntime samples the same tokens as eager for the same seed (KV cache as graph inputs and outputs)', async () => {
    const { model, tokenizer } = loadGPT(out);
    const o = { prompt: 'a', maxNewTokens: 12, numSamples: 2, temperature: 0.9, topK: 5, seed: 4, stop: ['\n'], cache: true };
    const eager = await sampleGpt(model, tokenizer!, o, () => {});
    const ort = await sampleGpt(model, tokenizer!, { ...o, backend: 'onnxruntime', threads: 1 }, () => {});
    expect(ort).toEqual(eager);
  });
});

describe('progress without a terminal', () => {
  it('writes a plain line at most every 10 s, at evaluation steps and at the last step', () => {
    const lines: string[] = [];
    let t = 0;
    const p = progressDisplay(40, { stream: { isTTY: false, write: (s: string) => lines.push(s) }, now: () => t });
    p.start(0);
    for (let i = 1; i <= 40; i++) {
      t = i * 1000; // one step per second
      p.update({ iter: i, maxIters: 40, loss: 1 / i, lr: 1e-3, tokensPerSec: 100, eval: i === 25 ? { train: 1 } : undefined }, i >= 25 ? 0.5 : undefined);
    }
    expect(lines.map((l) => Number(/step (\d+)\//.exec(l)![1]))).toEqual([1, 11, 21, 25, 35, 40]);
    expect(lines[1]).toBe('gpt step 11/40 | loss 0.0909 | val - | lr 1.00e-3 | 100 tok/s | 11s (eta 29s)\n');
    expect(lines.at(-1)).toBe('gpt step 40/40 | loss 0.0250 | val 0.5000 | lr 1.00e-3 | 100 tok/s | 40s\n');
  });
});
