import { ArgumentError } from '@likelihood/core';
import { BYTE_DECODER, BYTE_ENCODER, preTokenize, toByteChars } from './byteLevel.js';
import type { Tokenizer, TokenizerJSON } from './tokenizer.js';

export interface BPETrainOptions {
  /** Target vocabulary size, special tokens and the 256 bytes included. */
  vocabSize: number;
  /** Stop merging when the most frequent pair occurs fewer times than this (default 2). */
  minFrequency?: number;
  /** Tokens kept whole and never merged, given the first ids (e.g. '<|endoftext|>'). */
  specialTokens?: string[];
}

const pairKey = (a: string, b: string) => `${a} ${b}`; // byte-level tokens never contain ' ' (it is 'Ġ')

/**
 * Byte-level BPE as in GPT-2: text → UTF-8 bytes → printable byte characters, split by GPT-2's
 * pattern, then each piece merged greedily by merge rank. Every byte is a token, so any
 * well-formed string encodes and decodes back exactly. Special tokens are matched verbatim
 * before pre-tokenisation.
 */
export class BPETokenizer implements Tokenizer {
  private readonly vocab: Map<string, number>;
  private readonly idToToken: string[];
  readonly merges: readonly [string, string][];
  private readonly ranks: Map<string, number>;
  private readonly special: Map<string, number>;
  private readonly specialById: Map<number, string>;
  private readonly specialPattern: RegExp | null;
  private readonly cache = new Map<string, number[]>();

  constructor(vocab: Record<string, number> | Map<string, number>, merges: readonly (readonly [string, string])[], specialTokens: Record<string, number> = {}) {
    this.vocab = vocab instanceof Map ? new Map(vocab) : new Map(Object.entries(vocab));
    this.special = new Map(Object.entries(specialTokens));
    for (const [t, id] of this.special) this.vocab.set(t, id);
    this.idToToken = [];
    for (const [t, id] of this.vocab) {
      if (!Number.isInteger(id) || id < 0) throw new ArgumentError(`BPETokenizer: token ${JSON.stringify(t)} has id ${id}, expected a non-negative integer`);
      this.idToToken[id] = t;
    }
    for (const c of BYTE_ENCODER) {
      if (!this.vocab.has(c)) throw new ArgumentError(`BPETokenizer: byte-level vocabulary lacks the byte token ${JSON.stringify(c)} (byte ${BYTE_DECODER.get(c)})`);
    }
    this.merges = Object.freeze(merges.map(([a, b]) => [a, b] as [string, string]));
    this.ranks = new Map(this.merges.map(([a, b], i) => [pairKey(a, b), i]));
    for (const [a, b] of this.merges) {
      if (!this.vocab.has(a + b)) throw new ArgumentError(`BPETokenizer: merge ${JSON.stringify(`${a} ${b}`)} makes ${JSON.stringify(a + b)}, which is not in the vocabulary`);
    }
    this.specialById = new Map([...this.special].map(([t, id]) => [id, t]));
    const esc = [...this.special.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialPattern = esc.length ? new RegExp(`(${esc.join('|')})`, 'u') : null;
  }

  /** GPT-2's `vocab.json` (token → id) and `merges.txt` (one "a b" per line after a #version header). */
  static fromVocabMerges(vocabJson: string | Record<string, number>, mergesTxt: string, specialTokens: Record<string, number> = {}): BPETokenizer {
    const vocab = typeof vocabJson === 'string' ? (JSON.parse(vocabJson) as Record<string, number>) : vocabJson;
    const merges = mergesTxt
      .split(/\r?\n/)
      .filter((l) => l.length > 0 && !l.startsWith('#version'))
      .map((l, i) => {
        const parts = l.split(' ');
        if (parts.length !== 2) throw new ArgumentError(`BPETokenizer.fromVocabMerges: merges line ${i + 1} must be two tokens separated by one space, found ${JSON.stringify(l)}`);
        return parts as [string, string];
      });
    return new BPETokenizer(vocab, merges, specialTokens);
  }

  /** A Hugging Face `tokenizer.json` with a BPE model and a ByteLevel pre-tokenizer; added tokens become special tokens. */
  static fromTokenizerJSON(json: string | Record<string, unknown>): BPETokenizer {
    const t = (typeof json === 'string' ? JSON.parse(json) : json) as {
      model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] };
      pre_tokenizer?: { type?: string; add_prefix_space?: boolean } | null;
      added_tokens?: { id: number; content: string }[];
    };
    if (t.model?.type !== 'BPE' || !t.model.vocab || !t.model.merges) {
      throw new ArgumentError(`BPETokenizer.fromTokenizerJSON: expected a BPE model with vocab and merges, found model type ${JSON.stringify(t.model?.type)}`);
    }
    if (t.pre_tokenizer?.type !== 'ByteLevel') {
      throw new ArgumentError(`BPETokenizer.fromTokenizerJSON: expected a ByteLevel pre_tokenizer (GPT-2 style), found ${JSON.stringify(t.pre_tokenizer?.type ?? null)}`);
    }
    if (t.pre_tokenizer.add_prefix_space) throw new ArgumentError('BPETokenizer.fromTokenizerJSON: add_prefix_space is not supported (it is not lossless)');
    const merges = t.model.merges.map((m) => (typeof m === 'string' ? (m.split(' ') as [string, string]) : m));
    const special = Object.fromEntries((t.added_tokens ?? []).map((a) => [a.content, a.id]));
    return new BPETokenizer(t.model.vocab, merges, special);
  }

  /**
   * Learns merges from `corpus`: starting from the 256 bytes, repeatedly merges the most
   * frequent adjacent pair inside pre-tokenised pieces (ties: the smaller pair in code-unit
   * order, so training is deterministic) until `vocabSize` or `minFrequency` is reached.
   */
  static train(corpus: string | readonly string[], opts: BPETrainOptions): BPETokenizer {
    const specials = opts.specialTokens ?? [];
    const minFrequency = opts.minFrequency ?? 2;
    if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < 256 + specials.length) {
      throw new ArgumentError(`BPETokenizer.train: vocabSize must be an integer >= ${256 + specials.length} (256 bytes + ${specials.length} special tokens), found ${opts.vocabSize}`);
    }
    const vocab = new Map<string, number>();
    const specialTokens: Record<string, number> = {};
    specials.forEach((s, i) => {
      specialTokens[s] = i;
    });
    let next = specials.length;
    for (const c of BYTE_ENCODER) vocab.set(c, next++);
    // Distinct pieces with their counts; special tokens are cut out first, as in encode.
    const counts = new Map<string, number>();
    const splitter = specials.length ? new RegExp(specials.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'u') : null;
    for (const doc of typeof corpus === 'string' ? [corpus] : corpus) {
      for (const seg of splitter ? doc.split(splitter) : [doc]) {
        for (const piece of preTokenize(seg)) {
          const w = toByteChars(piece);
          counts.set(w, (counts.get(w) ?? 0) + 1);
        }
      }
    }
    const words = [...counts].map(([w, n]) => ({ symbols: Array.from(w), n }));
    const merges: [string, string][] = [];
    while (next < opts.vocabSize) {
      const pairs = new Map<string, number>();
      for (const { symbols, n } of words) {
        for (let i = 0; i + 1 < symbols.length; i++) {
          const k = pairKey(symbols[i]!, symbols[i + 1]!);
          pairs.set(k, (pairs.get(k) ?? 0) + n);
        }
      }
      let best = '';
      let bestN = 0;
      for (const [k, n] of pairs) if (n > bestN || (n === bestN && k < best)) [best, bestN] = [k, n];
      if (bestN < minFrequency || bestN === 0) break;
      const [a, b] = best.split(' ') as [string, string];
      merges.push([a, b]);
      if (!vocab.has(a + b)) vocab.set(a + b, next++);
      for (const w of words) w.symbols = mergePair(w.symbols, a, b);
    }
    return new BPETokenizer(vocab, merges, specialTokens);
  }

  get vocabSize(): number {
    return this.idToToken.length;
  }

  /** Token ids of `text`, which must be well-formed UTF-16 (lone surrogates have no UTF-8 bytes). */
  encode(text: string): number[] {
    if (typeof text !== 'string') throw new ArgumentError(`BPETokenizer.encode: expected a string, found ${typeof text}`);
    if (/[\uD800-\uDFFF]/u.test(text)) throw new ArgumentError('BPETokenizer.encode: text contains a lone surrogate, which has no UTF-8 encoding');
    const out: number[] = [];
    const segments = this.specialPattern ? text.split(this.specialPattern) : [text];
    segments.forEach((seg, i) => {
      if (i % 2 === 1) out.push(this.special.get(seg)!); // split() puts the captured special tokens at odd indices
      else for (const piece of preTokenize(seg)) for (const id of this.encodePiece(piece)) out.push(id);
    });
    return out;
  }

  private encodePiece(piece: string): number[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let symbols = Array.from(toByteChars(piece));
    for (;;) {
      let bestRank = Infinity;
      let best: [string, string] | null = null;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const r = this.ranks.get(pairKey(symbols[i]!, symbols[i + 1]!));
        if (r !== undefined && r < bestRank) [bestRank, best] = [r, [symbols[i]!, symbols[i + 1]!]];
      }
      if (!best) break;
      symbols = mergePair(symbols, best[0], best[1]);
    }
    const ids = symbols.map((s) => this.vocab.get(s)!);
    if (this.cache.size < 100_000) this.cache.set(piece, ids);
    return ids;
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    let text = '';
    const flush = () => {
      text += new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
      bytes.length = 0;
    };
    for (const id of ids) {
      const sp = this.specialById.get(id);
      if (sp !== undefined) {
        flush();
        text += sp;
        continue;
      }
      const tok = this.idToToken[id];
      if (tok === undefined) throw new ArgumentError(`BPETokenizer.decode: id ${id} is outside the vocabulary [0, ${this.vocabSize - 1}]`);
      for (const c of tok) bytes.push(BYTE_DECODER.get(c)!);
    }
    flush();
    return text;
  }

  /** The token string of an id (byte-level characters). */
  idToTokenString(id: number): string | undefined {
    return this.idToToken[id];
  }

  /** GPT-2's files: `vocab.json` content and `merges.txt` content. */
  toVocabMerges(): { vocabJson: string; mergesTxt: string } {
    const vocab = Object.fromEntries([...this.vocab].filter(([t]) => !this.special.has(t)));
    return { vocabJson: JSON.stringify(vocab), mergesTxt: `#version: 0.2\n${this.merges.map(([a, b]) => `${a} ${b}`).join('\n')}\n` };
  }

  toJSON(): TokenizerJSON {
    return {
      type: 'bpe',
      vocab: Object.fromEntries([...this.vocab].filter(([t]) => !this.special.has(t))),
      merges: this.merges.map(([a, b]) => [a, b]),
      specialTokens: Object.fromEntries(this.special),
    };
  }
}

/** `symbols` with every non-overlapping occurrence of (a, b), left to right, joined. */
function mergePair(symbols: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
      out.push(a + b);
      i++;
    } else out.push(symbols[i]!);
  }
  return out;
}
