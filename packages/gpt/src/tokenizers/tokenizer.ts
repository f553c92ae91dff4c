/** What every tokenizer offers: text ↔ token ids, lossless for the texts it accepts. */
export interface Tokenizer {
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** A JSON-able description that `tokenizerFromJSON` turns back into the same tokenizer. */
  toJSON(): TokenizerJSON;
}

export type TokenizerJSON =
  | { type: 'char'; chars: string[] }
  | { type: 'bpe'; vocab: Record<string, number>; merges: [string, string][]; specialTokens: Record<string, number> };
