// Train a tiny character-level GPT on a short text, report its likelihood, and sample from it.
// Run: npx tsx --conditions=source packages/gpt/examples/quickstart.ts
import { Generator } from '@likelihood/core';
import { CharTokenizer, GPT, Trainer, bitsPerToken, generate, perplexity, splitTokens } from '@likelihood/gpt';

const text = 'to be, or not to be, that is the question. '.repeat(20);
const tok = CharTokenizer.fromText(text);
const data = splitTokens(tok.encode(text), 0.1);
const g = new Generator(0);
const model = new GPT({ nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 32, vocabSize: tok.vocabSize, dropout: 0 }, { generator: g });
const trainer = new Trainer(model, { data, batchSize: 8, maxIters: 60, lr: 1e-2, evalInterval: 30, evalIters: 4, generator: g });
const { evals } = trainer.run();
const val = evals.at(-1)!.val!;
console.log(`val loss ${val.toFixed(3)} nats/char = ${bitsPerToken(val).toFixed(3)} bits/char, perplexity ${perplexity(val).toFixed(2)}`);
const out = generate(model, tok.encode('to be'), { maxNewTokens: 40, temperature: 0.8, topK: 5, generator: g });
console.log(`to be${tok.decode(out[0]!)}`);
