/**
 * Held-out loss of a `gpt train` checkpoint on its text (issue 5's quality target), three ways:
 * the exact mean over every full 64-token window of the val split (`evaluateLoss`), nanoGPT's
 * 20-batch estimate, and 200-batch estimates with three evaluation seeds. The split is
 * `gpt train`'s (the last 10 % of the tokens).
 *
 *   npx tsx --conditions=source apps/bench/src/gpt-val.ts <checkpoint.safetensors> <text file>
 */
import { readFileSync } from 'node:fs';
import { Generator } from '@likelihood/core';
import { estimateLoss, evaluateLoss, splitTokens } from '@likelihood/gpt';
import { loadGPT } from '@likelihood/gpt/node';

const [checkpoint, textFile] = process.argv.slice(2);
if (!checkpoint || !textFile) throw new Error('usage: gpt-val.ts <checkpoint.safetensors> <text file>');
const { model, tokenizer, step } = loadGPT(checkpoint);
if (!tokenizer) throw new Error(`${checkpoint}: no tokenizer in the checkpoint`);
const ids = Int32Array.from(tokenizer.encode(readFileSync(textFile, 'utf8')));
const data = splitTokens(ids, 0.1);
const blockSize = model.config.blockSize;
const t0 = performance.now();
const exact = { train: evaluateLoss(model, data.train, { blockSize }), val: evaluateLoss(model, data.val, { blockSize }) };
const estimate = (evalIters: number, seed: number) => estimateLoss(model, data, { batchSize: 12, blockSize, evalIters, generator: new Generator(seed) });
const est20 = estimate(20, 1337);
const est200 = [1, 2, 3].map((s) => estimate(200, s));
console.log(JSON.stringify({ checkpoint, step, parameters: model.numParameters(), bias: model.config.bias, exact, estimate20: est20, estimate200: est200, seconds: (performance.now() - t0) / 1000 }));
