import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '@likelihood/core';
import { CheckpointError } from '../errors.js';
import { type DecodedSafetensors, encodeParts, entryToTensor, parseSafetensors } from './safetensors.js';

/**
 * Node file helpers for safetensors and checkpoints. Kept apart from `safetensors.ts` so the
 * pure encoder/decoder carries no `node:` import into browser bundles.
 */

let counter = 0;

/**
 * Writes `parts` to `path` atomically: into a fresh temporary file in the same directory,
 * fsync'd, then renamed over `path` (and the directory fsync'd where the platform allows).
 * Readers see the old file or the new one, never a partial one; on failure the temporary file
 * is removed and any previous file at `path` is left as it was.
 */
export function writeFileAtomic(path: string, parts: readonly Uint8Array[], what = 'writeFileAtomic'): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${(counter++).toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    for (const p of parts) {
      let off = 0;
      while (off < p.length) off += writeSync(fd, p, off, p.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created
    }
    throw new CheckpointError(`${what}: cannot write '${path}': ${(e as Error).message}`, { cause: e });
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directories cannot be opened or fsync'd on some platforms (Windows); the rename stands.
  }
}

/** Reads a whole file, turning a missing or unreadable file into `CheckpointError`. */
export function readFileBytes(path: string, what: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new CheckpointError(`${what}: cannot read '${path}': ${(e as Error).message}`, { cause: e });
  }
}

/** Saves tensors (and string metadata) as a safetensors file, atomically. */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  const { header, data } = encodeParts(tensors, metadata);
  writeFileAtomic(path, [header, data], 'saveSafetensors');
}

/** Loads a safetensors file; see `decodeSafetensors` for dtypes and validation. */
export function loadSafetensors(path: string): DecodedSafetensors {
  const what = `loadSafetensors '${path}'`;
  const parsed = parseSafetensors(readFileBytes(path, 'loadSafetensors'), what);
  const tensors = Object.fromEntries(parsed.entries.map((e) => [e.name, entryToTensor(e, parsed.data, what)]));
  return { tensors, metadata: parsed.metadata };
}
