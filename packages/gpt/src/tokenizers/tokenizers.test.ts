import { readFileSync } from 'node:fs';
import { ArgumentError } from '@likelihood/core';
import { loadFixture } from '@likelihood/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPETokenizer, BYTE_ENCODER, CharTokenizer, preTokenize, tokenizerFromJSON } from './index.js';

const dir = new URL('../../fixtures/bpe-tiny/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
const golden = loadFixture<{ vocab_size: number; cases: { text: string; ids: number[] }[] }>(new URL('../../fixtures/bpe.json', import.meta.url));

// Whole code points, including astral ones, never lone surrogates.
const anyText = fc.string({ unit: 'binary', maxLength: 60 });

describe('CharTokenizer', () => {
  const tok = CharTokenizer.fromText('hello world!\n');

  it('has the sorted distinct characters as vocabulary', () => {
    expect(tok.chars).toEqual(['\n', ' ', '!', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(tok.encode('hello')).toEqual([5, 4, 6, 6, 7]);
    expect(tok.decode([5, 4, 6, 6, 7])).toBe('hello');
  });

  it('round-trips every string over its vocabulary, astral characters included', () => {
    fc.assert(
      fc.property(anyText, (corpus) => {
        const t = CharTokenizer.fromText(`${corpus}x`);
        expect(t.decode(t.encode(corpus))).toBe(corpus);
        expect(t.encode(corpus).length).toBe([...corpus].length);
      }),
    );
  });

  it('names unknown characters and out-of-range ids', () => {
    expect(() => tok.encode('help?')).toThrow(ArgumentError);
    expect(() => tok.encode('help? 🙂')).toThrow(/3 characters not in the vocabulary of 10: "p", "\?", "🙂"/);
    expect(() => tok.decode([10])).toThrow(/id 10 is outside the vocabulary \[0, 9\]/);
    expect(() => new CharTokenizer(['a', 'a'])).toThrow(/duplicate/);
  });

  it('survives toJSON / tokenizerFromJSON', () => {
    const back = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.encode('hello world')).toEqual(tok.encode('hello world'));
  });
});

describe('byte-level BPE', () => {
  it('maps the 256 bytes to 256 distinct printable characters (GPT-2 bytes_to_unicode)', () => {
    expect(new Set(BYTE_ENCODER).size).toBe(256);
    expect(BYTE_ENCODER[32]).toBe('Ġ');
    expect(BYTE_ENCODER[10]).toBe('Ċ');
    expect(BYTE_ENCODER[65]).toBe('A');
  });

  it("pre-tokenises like GPT-2's pattern and loses no character", () => {
    expect(preTokenize("I'll go  now 123!")).toEqual(['I', "'ll", ' go', ' ', ' now', ' 123', '!']);
    fc.assert(
      fc.property(anyText, (s) => {
        expect(preTokenize(s).join('')).toBe(s);
      }),
    );
  });

  it('vocab.json + merges.txt from `tokenizers` give its ids', () => {
    const tok = BPETokenizer.fromVocabMerges(read('vocab.json'), read('merges.txt'), { '<|endoftext|>': 0 });
    expect(tok.vocabSize).toBe(golden.vocab_size);
    for (const { text, ids } of golden.cases) {
      expect(tok.encode(text), JSON.stringify(text)).toEqual(ids);
      expect(tok.decode(ids)).toBe(text);
    }
  });

  it('tokenizer.json from `tokenizers` gives its ids, special tokens included', () => {
    const tok = BPETokenizer.fromTokenizerJSON(read('tokenizer.json'));
    for (const { text, ids } of golden.cases) expect(tok.encode(text), JSON.stringify(text)).toEqual(ids);
    expect(tok.encode('a<|endoftext|>b')).toContain(0);
  });

  it('decode(encode(s)) === s for arbitrary Unicode', () => {
    const tok = BPETokenizer.fromTokenizerJSON(read('tokenizer.json'));
    fc.assert(
      fc.property(anyText, (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.array(fc.constantFrom('the ', 'fox', '<|endoftext|>', '🙂', 'é', '\n', '  ', "'s")), (parts) => {
      const s = parts.join('');
      expect(tok.decode(tok.encode(s))).toBe(s);
    }));
    expect(() => tok.encode('a\uD800b')).toThrow(/lone surrogate/);
  });

  it('trains on a corpus: merges compress, ids are stable, and files round-trip', () => {
    const corpus = ['the cat sat on the mat. ', 'the dog sat on the log. ', 'thé café 🙂 '].map((s) => s.repeat(5));
    const tok = BPETokenizer.train(corpus, { vocabSize: 290, specialTokens: ['<|endoftext|>'] });
    expect(tok.vocabSize).toBeLessThanOrEqual(290);
    expect(tok.vocabSize).toBeGreaterThan(270);
    expect(tok.encode('<|endoftext|>')).toEqual([0]);
    // The most frequent pair is merged first: 't h' occurs in all 25 'the'/'thé' (' t' in 22, 'a t' in 20).
    expect(tok.merges[0]).toEqual(['t', 'h']);
    const text = 'the cat sat on the mat.';
    expect(tok.encode(text).length).toBeLessThan(new TextEncoder().encode(text).length / 2);
    expect(tok.decode(tok.encode(text))).toBe(text);
    const again = BPETokenizer.train(corpus, { vocabSize: 290, specialTokens: ['<|endoftext|>'] });
    expect(again.merges).toEqual(tok.merges);
    const { vocabJson, mergesTxt } = tok.toVocabMerges();
    const loaded = BPETokenizer.fromVocabMerges(vocabJson, mergesTxt, { '<|endoftext|>': 0 });
    const fromJson = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    fc.assert(fc.property(anyText, (s) => {
      expect(loaded.encode(s)).toEqual(tok.encode(s));
      expect(fromJson.encode(s)).toEqual(tok.encode(s));
      expect(tok.decode(tok.encode(s))).toBe(s);
    }), { numRuns: 100 });
  });

  it('rejects incomplete vocabularies and bad merges with names', () => {
    expect(() => new BPETokenizer({ a: 0 }, [])).toThrow(/lacks the byte token/);
    const vocab = Object.fromEntries(BYTE_ENCODER.map((c, i) => [c, i]));
    expect(() => new BPETokenizer(vocab, [['a', 'b']])).toThrow(/"ab", which is not in the vocabulary/);
    expect(() => BPETokenizer.train('x', { vocabSize: 10 })).toThrow(/vocabSize must be an integer >= 256/);
    expect(() => new BPETokenizer(vocab, []).decode([999])).toThrow(/id 999 is outside the vocabulary \[0, 255\]/);
  });
});
