/**
 * GPT-2's bytes_to_unicode: a bijection from the 256 byte values to printable characters, so
 * BPE works on strings with no whitespace or control characters in them. Printable Latin-1
 * bytes map to themselves; the other 68 to U+0100 upwards in byte order (space → 'Ġ', '\n' → 'Ċ').
 */
function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + n++);
  return out;
}

/** byte → character. */
export const BYTE_ENCODER: readonly string[] = Object.freeze(bytesToUnicode());
/** character → byte. */
export const BYTE_DECODER: ReadonlyMap<string, number> = new Map(BYTE_ENCODER.map((c, b) => [c, b]));

/**
 * GPT-2's pre-tokenisation pattern: English contractions, runs of letters, of digits, of other
 * symbols (each with one optional leading space), and whitespace, where a whitespace run before
 * a word leaves its last space to that word. Every character matches some branch, so the
 * pieces concatenate back to the input.
 */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const utf8 = new TextEncoder();

/** The UTF-8 bytes of `s` as byte-level characters. */
export function toByteChars(s: string): string {
  let out = '';
  for (const b of utf8.encode(s)) out += BYTE_ENCODER[b]!;
  return out;
}

/** Pieces of `s` by GPT-2's pattern. */
export function preTokenize(s: string): string[] {
  return s.match(GPT2_PATTERN) ?? [];
}
