// Loading IDX files from disk (Node).
import { type IdxArray, parseIdx } from './idx.js';
import { gunzip, readBytes } from './gzip.js';

/** Parses IDX bytes, gunzipping them first when they are gzip-compressed (Node). */
export function readIdx(bytes: Uint8Array, source?: string): IdxArray {
  return parseIdx(bytes, { gunzip, source });
}

/** Reads and parses an IDX file, raw or gzip (detected by its 0x1f8b magic, not its name). */
export function loadIdx(path: string): IdxArray {
  return parseIdx(readBytes(path), { source: path, copy: false });
}
