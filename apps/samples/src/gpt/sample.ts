import { ArgumentError, Generator } from '@likelihood/core';
import { type CachedDecoder, type GPT, type Tokenizer, streamGenerate } from '@likelihood/gpt';
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
  /** 'eager' (default) or 'onnxruntime': each decoding step is one ONNX Runtime graph whose inputs and outputs include the KV cache */
  backend?: 'eager' | 'onnxruntime';
  /** ONNX Runtime intra-op threads */
  threads?: number;
}

export const SAMPLE_DEFAULTS = { prompt: '\n', maxNewTokens: 200, numSamples: 1, temperature: 1, seed: 0, cache: true, backend: 'eager' as const };

/** Streams `numSamples` continuations of the prompt to `write`, one token at a time. */
export async function sampleGpt(model: GPT, tokenizer: Tokenizer, o: Omit<GptSampleOptions, 'checkpoint'>, write: (s: string) => void): Promise<string[]> {
  const generator = new Generator(o.seed);
  const stopSequences = (o.stop ?? []).map((s) => tokenizer.encode(s));
  const prompt = tokenizer.encode(o.prompt);
  const outs: string[] = [];
  const decoder = (o.backend ?? 'eager') === 'eager' ? undefined : await onnxDecoder(model, o);
  try {
    for (let n = 0; n < o.numSamples; n++) {
      const ids: number[] = [];
      let shown = '';
      for await (const step of streamGenerate(model, prompt, { ...o, generator, stopSequences, useCache: o.cache, decoder })) {
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
  } finally {
    await decoder?.dispose();
  }
  return outs;
}

/**
 * KV-cache decoding on ONNX Runtime (@likelihood/onnx's compileKVDecoder): one graph per
 * cache length, compiled on first use, with the cached keys and values as inputs and outputs.
 */
async function onnxDecoder(model: GPT, o: Pick<GptSampleOptions, 'backend' | 'threads'>): Promise<CachedDecoder & { dispose(): Promise<void> }> {
  if (o.backend !== 'onnxruntime') throw new ArgumentError(`gpt sample: backend must be 'eager' or 'onnxruntime', found '${o.backend}'`);
  const { compileKVDecoder } = await import('@likelihood/onnx');
  model.eval(); // the graphs are traced on first use: without dropout
  return compileKVDecoder(model, { backend: 'onnxruntime', threads: o.threads, allowSpinning: false });
}

/** `gpt sample`: loads a checkpoint written by `gpt train` and streams text. */
export async function sampleFromCheckpoint(o: GptSampleOptions): Promise<void> {
  const { model, tokenizer, step } = loadGPT(o.checkpoint);
  if (!tokenizer) throw new Error(`${o.checkpoint} holds no tokenizer; it was not written by 'gpt train'`);
  process.stderr.write(`gpt sample: ${o.checkpoint} (step ${step}, vocab ${tokenizer.vocabSize})\n`);
  await sampleGpt(model, tokenizer, o, (s) => process.stdout.write(s));
}
