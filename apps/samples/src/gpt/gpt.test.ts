import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGPT } from '@likelihood/gpt/node';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleGpt } from './sample.js';
import { TRAIN_DEFAULTS, trainGpt } from './train.js';

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
});
