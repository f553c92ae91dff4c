import { describe, expect, it } from 'vitest';
import { englishFirstNames, loadWords, wordContexts } from './names.js';
import { findSharedData } from './shared.js';

describe('names', () => {
  it('englishFirstNames: lowercase, sorted, unique; the union of both lists', () => {
    const f = englishFirstNames({ sex: 'female' });
    const m = englishFirstNames({ sex: 'male' });
    const all = englishFirstNames();
    expect(f.length).toBeGreaterThan(4000);
    expect(m.length).toBeGreaterThan(3000);
    expect(all.length).toBe(new Set([...f, ...m]).size);
    expect(all).toEqual([...all].sort());
    expect(all.every((s) => /^[a-z-]+$/.test(s))).toBe(true);
    expect(f).toContain('abigail');
    expect(englishFirstNames({ sex: 'female', lowercase: false })[0]).toMatch(/^[A-Z]/);
    expect(() => englishFirstNames({ sex: 'other' as never })).toThrow(/sex must be 'female', 'male' or 'both'/);
  });

  it("wordContexts: makemore's (context, next char) pairs with '.' as start/end", () => {
    const { x, y, vocab } = wordContexts(['emma', 'ab'], 3);
    expect(vocab).toEqual(['.', 'a', 'b', 'e', 'm']);
    expect(x.shape).toEqual([8, 3]);
    expect(y.toArray()).toEqual([3, 4, 4, 1, 0, 1, 2, 0]); // e m m a . a b .
    expect(x.toArray()).toEqual([
      [0, 0, 0], [0, 0, 3], [0, 3, 4], [3, 4, 4], [4, 4, 1],
      [0, 0, 0], [0, 0, 1], [0, 1, 2],
    ]);
    expect(() => wordContexts(['a.b'], 3)).toThrow(/must not contain '\.'/);
  });

  const names = findSharedData('names/names.txt');
  it.skipIf(!names)(`makemore names.txt from ../shared/data: 32033 names, 26 letters${names ? '' : ' (SKIPPED: ../shared/data/names is absent)'}`, () => {
    const w = loadWords(names!);
    expect(w.length).toBe(32033);
    expect(w[0]).toBe('emma');
    expect(wordContexts(w, 3).vocab.length).toBe(27);
    expect(wordContexts(w, 3).x.shape[0]).toBe(w.reduce((s, n) => s + n.length + 1, 0)); // 228146
  });
});
