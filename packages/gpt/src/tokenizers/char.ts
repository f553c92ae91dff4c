import { ArgumentError } from '@likelihood/core';
import type { Tokenizer, TokenizerJSON } from './tokenizer.js';

/**
 * One token per Unicode code point (nanoGPT's shakespeare_char): the vocabulary is the sorted
 * set of characters seen in a text. Encoding a character outside it throws, naming it.
 */
export class CharTokenizer implements Tokenizer {
  readonly chars: readonly string[];
  private readonly stoi: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (chars.length === 0) throw new ArgumentError('CharTokenizer: the vocabulary is empty');
    const seen = new Set<string>();
    for (const c of chars) {
      if (typeof c !== 'string' || [...c].length !== 1) throw new ArgumentError(`CharTokenizer: each vocabulary entry must be one character, found ${JSON.stringify(c)}`);
      if (seen.has(c)) throw new ArgumentError(`CharTokenizer: duplicate character ${JSON.stringify(c)} in the vocabulary`);
      seen.add(c);
    }
    this.chars = Object.freeze([...chars]);
    this.stoi = new Map(chars.map((c, i) => [c, i]));
  }

  /** The sorted (by code point) distinct characters of `text`. */
  static fromText(text: string): CharTokenizer {
    const set = [...new Set(Array.from(text))];
    return new CharTokenizer(set.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    let unknown: Set<string> | null = null;
    for (const c of text) {
      const id = this.stoi.get(c);
      if (id === undefined) (unknown ??= new Set()).add(c);
      else out.push(id);
    }
    if (unknown) {
      const list = [...unknown].slice(0, 20).map((c) => JSON.stringify(c)).join(', ');
      throw new ArgumentError(
        `CharTokenizer.encode: ${unknown.size} character${unknown.size > 1 ? 's' : ''} not in the vocabulary of ${this.vocabSize}: ${list}${unknown.size > 20 ? ', ...' : ''}`,
      );
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    let s = '';
    for (const id of ids) {
      const c = this.chars[id];
      if (c === undefined) throw new ArgumentError(`CharTokenizer.decode: id ${id} is outside the vocabulary [0, ${this.vocabSize - 1}]`);
      s += c;
    }
    return s;
  }

  toJSON(): TokenizerJSON {
    return { type: 'char', chars: [...this.chars] };
  }
}
