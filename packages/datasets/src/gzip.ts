// Node-only file reading with transparent gunzip. Kept apart from the pure parsers so those
// (idx.ts, csv.ts, ...) also run in browsers.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ArgumentError } from '@likelihood/core';
import { isGzip } from './idx.js';

/** Decompresses gzip bytes (node:zlib). */
export function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    const b = gunzipSync(bytes);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new ArgumentError(`gunzip: bytes start with the gzip magic but do not decompress: ${(e as Error).message}`);
  }
}

/** Reads a file's bytes, gunzipping them when they start with 0x1f8b. */
export function readBytes(path: string): Uint8Array {
  if (typeof path !== 'string' || path === '') throw new ArgumentError(`readBytes: path must be a non-empty string, found ${String(path)}`);
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    throw new ArgumentError(`readBytes: cannot read path '${path}': ${(e as Error).message}`);
  }
  const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return isGzip(bytes) ? gunzip(bytes) : bytes;
}
