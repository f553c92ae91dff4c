import { Generator } from '@likelihood/core';
import { type GPT, type Tokenizer, gptFromCheckpoint, streamGenerate } from '@likelihood/gpt';
import { loadOnce } from './loadOnce.js';
import type { Demo } from './types.js';

const loadGpt = loadOnce((bytes): { model: GPT; tokenizer: Tokenizer } => {
  const { model, tokenizer } = gptFromCheckpoint(bytes, { what: 'gpt-names.safetensors' });
  if (!tokenizer) throw new Error('gpt-names.safetensors has no tokenizer');
  return { model, tokenizer };
});

/** A character-level GPT trained on English first names: streams invented names, one per line. */
export const gptNames: Demo = {
  id: 'gpt-names',
  label: 'GPT: English first names',
  weights: 'gpt-names.safetensors',
  async sample(bytes, opts, out) {
    const { model, tokenizer } = loadGpt(bytes);
    const nl = tokenizer.encode('\n');
    const prompts = Array.from({ length: 8 }, () => nl);
    const rows: number[][] = prompts.map(() => []);
    const steps = streamGenerate(model, prompts, {
      maxNewTokens: 20,
      temperature: opts.temperature,
      generator: new Generator(opts.seed),
      stopSequences: [nl],
    });
    for await (const s of steps) s.tokens.forEach((t, b) => rows[b]!.push(...t));
    out.text(rows.map((r) => tokenizer.decode(r).trim()).join('\n'));
  },
};
