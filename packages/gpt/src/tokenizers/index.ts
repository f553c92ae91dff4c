import { ArgumentError } from '@likelihood/core';
import { BPETokenizer } from './bpe.js';
import { CharTokenizer } from './char.js';
import type { Tokenizer, TokenizerJSON } from './tokenizer.js';

export { BPETokenizer, CharTokenizer };
export type { BPETrainOptions } from './bpe.js';
export type { Tokenizer, TokenizerJSON };
export { BYTE_ENCODER, BYTE_DECODER, GPT2_PATTERN, preTokenize } from './byteLevel.js';

/** The tokenizer that `tokenizer.toJSON()` described (for checkpoints). */
export function tokenizerFromJSON(json: TokenizerJSON): Tokenizer {
  if (json?.type === 'char') return new CharTokenizer(json.chars);
  if (json?.type === 'bpe') return new BPETokenizer(json.vocab, json.merges, json.specialTokens);
  throw new ArgumentError(`tokenizerFromJSON: expected type 'char' or 'bpe', found ${JSON.stringify((json as { type?: unknown })?.type)}`);
}
