// GPT checkpoints from bytes: no file system, so these also work in browsers (the Node file
// versions in ./node.ts read the file and call these).
import { ArgumentError, type Generator } from '@likelihood/core';
import { CheckpointError, applyCheckpoint, decodeSafetensors } from '@likelihood/nn';
import { type GPTConfig, gptConfig } from './config.js';
import { GPT } from './model.js';
import { type Tokenizer, type TokenizerJSON, tokenizerFromJSON } from './tokenizers/index.js';

/** What a GPT checkpoint's `config` holds. */
export interface GPTCheckpointConfig {
  gpt: GPTConfig;
  tokenizer: TokenizerJSON | null;
}

/** The GPT config and tokenizer of a checkpoint's bytes; `what` names the source in errors. */
export function readGPTCheckpointConfig(bytes: Uint8Array, what = 'checkpoint'): GPTCheckpointConfig {
  const { metadata } = decodeSafetensors(bytes);
  let config: GPTCheckpointConfig | undefined;
  try {
    config = JSON.parse(metadata.config ?? 'null') as GPTCheckpointConfig;
  } catch {
    config = undefined;
  }
  if (!config?.gpt) throw new CheckpointError(`${what}: not a GPT checkpoint (no GPT config in its metadata)`);
  return config;
}

/**
 * A model for sampling from checkpoint bytes written by `saveTrainingCheckpoint`: built from the
 * saved config and loaded in eval mode. With `expectVocabSize` (e.g. your tokenizer's), a mismatch
 * names both sizes.
 */
export function gptFromCheckpoint(
  bytes: Uint8Array,
  opts: { expectVocabSize?: number; generator?: Generator; what?: string } = {},
): { model: GPT; tokenizer: Tokenizer | null; step: number } {
  const what = opts.what ?? 'checkpoint';
  const saved = readGPTCheckpointConfig(bytes, what);
  if (opts.expectVocabSize !== undefined && opts.expectVocabSize !== saved.gpt.vocabSize) {
    throw new ArgumentError(`${what} has vocabSize ${saved.gpt.vocabSize} but the tokenizer has vocabSize ${opts.expectVocabSize}`);
  }
  const model = new GPT(gptConfig(saved.gpt), { generator: opts.generator });
  const info = applyCheckpoint(bytes, { model }, `load ${what}`);
  return { model: model.eval(), tokenizer: saved.tokenizer ? tokenizerFromJSON(saved.tokenizer) : null, step: info.step };
}
