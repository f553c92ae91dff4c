// Character-level language-model data, as nanoGPT's shakespeare_char prepare.py + get_batch.
import { ArgumentError, type Generator, Tensor, randint } from '@likelihood/core';

export interface CharDatasetOptions {
  /** Fraction of the text (from its start) used for training; the rest is validation. Default 0.9. */
  trainFraction?: number;
}

export type CharSplit = 'train' | 'val';

/**
 * A text as integer ids over its sorted unique characters (Unicode code points, sorted by code
 * point like Python's sorted(set(text))). The first ⌊0.9·n⌋ ids train, the rest validate.
 */
export class CharDataset {
  /** The vocabulary: id → character. */
  readonly vocab: readonly string[];
  private readonly stoi: Map<string, number>;
  readonly train: Int32Array;
  readonly val: Int32Array;

  constructor(text: string, opts: CharDatasetOptions = {}) {
    if (typeof text !== 'string' || text.length === 0) throw new ArgumentError(`CharDataset: text must be a non-empty string, found ${typeof text === 'string' ? 'an empty string' : typeof text}`);
    const f = opts.trainFraction ?? 0.9;
    if (!(f > 0 && f <= 1)) throw new ArgumentError(`CharDataset: trainFraction must be in (0, 1], found ${f}`);
    const chars = Array.from(new Set(text));
    chars.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    this.vocab = Object.freeze(chars);
    this.stoi = new Map(chars.map((c, i) => [c, i]));
    const ids = this.encode(text);
    const n = Math.floor(ids.length * f);
    this.train = ids.subarray(0, n);
    this.val = ids.subarray(n);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Characters → ids. Throws on a character outside the vocabulary. */
  encode(s: string): Int32Array {
    const out: number[] = [];
    for (const c of s) {
      const id = this.stoi.get(c);
      if (id === undefined) throw new ArgumentError(`CharDataset.encode: character ${JSON.stringify(c)} is not in the vocabulary of ${this.vocab.length} characters`);
      out.push(id);
    }
    return Int32Array.from(out);
  }

  /** Ids (array, typed array or int tensor) → string. */
  decode(ids: ArrayLike<number> | Tensor): string {
    const a = ids instanceof Tensor ? ids.storage : ids;
    let s = '';
    for (let i = 0; i < a.length; i++) {
      const c = this.vocab[a[i]!];
      if (c === undefined) throw new ArgumentError(`CharDataset.decode: id ${a[i]} at position ${i} is outside 0..${this.vocab.length - 1}`);
      s += c;
    }
    return s;
  }

  /**
   * nanoGPT's get_batch: `batchSize` random start offsets i ∈ [0, len − blockSize) drawn with
   * randint from `generator`; x = data[i : i+T], y = data[i+1 : i+1+T]. Both int32 [B, T].
   */
  getBatch(split: CharSplit, batchSize: number, blockSize: number, generator?: Generator): { x: Tensor; y: Tensor } {
    if (split !== 'train' && split !== 'val') throw new ArgumentError(`getBatch: split must be 'train' or 'val', found '${String(split)}'`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`getBatch: batchSize must be a positive integer, found ${batchSize}`);
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new ArgumentError(`getBatch: blockSize must be a positive integer, found ${blockSize}`);
    const data = split === 'train' ? this.train : this.val;
    if (data.length <= blockSize) {
      throw new ArgumentError(`getBatch: blockSize must be < the ${split} split's length ${data.length}, found ${blockSize}`);
    }
    const ix = randint(0, data.length - blockSize, [batchSize], { generator }).storage;
    const x = new Int32Array(batchSize * blockSize);
    const y = new Int32Array(batchSize * blockSize);
    for (let b = 0; b < batchSize; b++) {
      const i = ix[b]!;
      x.set(data.subarray(i, i + blockSize), b * blockSize);
      y.set(data.subarray(i + 1, i + 1 + blockSize), b * blockSize);
    }
    return { x: new Tensor(x, [batchSize, blockSize], 'int32'), y: new Tensor(y, [batchSize, blockSize], 'int32') };
  }
}
