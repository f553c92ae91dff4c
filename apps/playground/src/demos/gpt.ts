import { Generator } from '@likelihood/core';
import { type GPT, gptFromCheckpoint, streamGenerate, type Tokenizer } from '@likelihood/gpt';
import { compileKVDecoder, type KVDecoder } from '@likelihood/onnx';
import { ORT_WEB } from '../ortWeb.js';
import { loadOnce } from './loadOnce.js';
import type { Demo } from './types.js';

const loadGpt = loadOnce((bytes): { model: GPT; tokenizer: Tokenizer; decoder: () => KVDecoder } => {
  const { model, tokenizer } = gptFromCheckpoint(bytes, { what: 'gpt-names.safetensors' });
  if (!tokenizer) throw new Error('gpt-names.safetensors has no tokenizer');
  model.eval();
  // The onnxruntime-web decoder compiles one graph per cache length on first use and keeps them.
  let decoder: KVDecoder | undefined;
  return { model, tokenizer, decoder: () => (decoder ??= compileKVDecoder(model, ORT_WEB)) };
});

const ROWS = 8;

/** A character-level GPT trained on English first names: streams invented names, one per line. */
export const gptNames: Demo = {
  id: 'gpt-names',
  label: 'GPT: English first names',
  weights: 'gpt-names.safetensors',
  load: loadGpt,
  async sample(bytes, opts, out) {
    const { model, tokenizer, decoder } = loadGpt(bytes);
    const nl = tokenizer.encode('\n');
    const prompts = Array.from({ length: ROWS }, () => nl);
    const rows: number[][] = prompts.map(() => []);
    // Same sampling loop and draws on both engines; only the forward pass differs (eager, or
    // KV-cache graphs on onnxruntime-web), so one seed gives the same names up to float rounding.
    const ort = opts.engine === 'onnxruntime-web' ? decoder() : undefined;
    const graphsBefore = ort?.graphs ?? 0;
    let steps = 0;
    const stream = streamGenerate(model, prompts, {
      maxNewTokens: 20,
      temperature: opts.temperature,
      generator: new Generator(opts.seed),
      stopSequences: [nl],
      decoder: ort,
    });
    for await (const s of stream) {
      steps++;
      s.tokens.forEach((t, b) => rows[b]!.push(...t));
    }
    out.text(rows.map((r) => tokenizer.decode(r).trim()).join('\n'));
    return { count: steps * ROWS, unit: 'token', compiledGraphs: (ort?.graphs ?? 0) - graphsBefore };
  },
};
