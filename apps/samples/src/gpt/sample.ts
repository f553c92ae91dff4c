import { Generator } from '@likelihood/core';
import { type GPT, type Tokenizer, streamGenerate } from '@likelihood/gpt';
import { loadGPT } from '@likelihood/gpt/node';

export interface GptSampleOptions {
  checkpoint: string;
  prompt: string;
  maxNewTokens: number;
  numSamples: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
  stop?: string[];
  cache: boolean;
}

export const SAMPLE_DEFAULTS = { prompt: '\n', maxNewTokens: 200, numSamples: 1, temperature: 1, seed: 0, cache: true };

/** Streams `numSamples` continuations of the prompt to `write`, one token at a time. */
export async function sampleGpt(model: GPT, tokenizer: Tokenizer, o: Omit<GptSampleOptions, 'checkpoint'>, write: (s: string) => void): Promise<string[]> {
  const generator = new Generator(o.seed);
  const stopSequences = (o.stop ?? []).map((s) => tokenizer.encode(s));
  const prompt = tokenizer.encode(o.prompt);
  const outs: string[] = [];
  for (let n = 0; n < o.numSamples; n++) {
    const ids: number[] = [];
    let shown = '';
    for await (const step of streamGenerate(model, prompt, { ...o, generator, stopSequences, useCache: o.cache })) {
      ids.push(...step.tokens[0]!);
      // Decode the whole prefix each time: a BPE token may end inside a multi-byte character.
      const text = tokenizer.decode(ids);
      const safe = text.endsWith('\uFFFD') ? text.slice(0, -1) : text;
      if (safe.length > shown.length) {
        write(safe.slice(shown.length));
        shown = safe;
      }
    }
    const text = tokenizer.decode(ids);
    if (text.length > shown.length) write(text.slice(shown.length));
    write('\n');
    outs.push(text);
  }
  return outs;
}

/** `gpt sample`: loads a checkpoint written by `gpt train` and streams text. */
export async function sampleFromCheckpoint(o: GptSampleOptions): Promise<void> {
  const { model, tokenizer, step } = loadGPT(o.checkpoint);
  if (!tokenizer) throw new Error(`${o.checkpoint} holds no tokenizer; it was not written by 'gpt train'`);
  process.stderr.write(`gpt sample: ${o.checkpoint} (step ${step}, vocab ${tokenizer.vocabSize})\n`);
  await sampleGpt(model, tokenizer, o, (s) => process.stdout.write(s));
}
