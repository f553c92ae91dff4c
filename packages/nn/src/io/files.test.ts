import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@likelihood/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../errors.js';
import { loadSafetensors, saveSafetensors } from './files.js';
import { encodeSafetensors } from './safetensors.js';

// Lets a test make writeSync fail half way through a file, as a full disk would.
const failure = vi.hoisted(() => ({ afterBytes: -1 }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buf: Uint8Array, offset: number, length: number) => {
    if (failure.afterBytes >= 0) {
      const n = Math.min(length, failure.afterBytes);
      if (n > 0) actual.writeSync(fd, buf, offset, n);
      failure.afterBytes -= n;
      if (failure.afterBytes <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return n;
    }
    return actual.writeSync(fd, buf, offset, length);
  }) as typeof actual.writeSync;
  return { ...actual, writeSync, default: { ...actual, writeSync } };
});

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'likelihood-io-'));
  failure.afterBytes = -1;
});
afterEach(() => {
  failure.afterBytes = -1;
  fs.rmSync(dir, { recursive: true, force: true });
});

const tensors = () => ({ w: tensor([[1, 2], [3, 4]]), ids: tensor([5, 6], { dtype: 'int32' }) });

describe('saveSafetensors / loadSafetensors', () => {
  it('round-trips through a file and writes exactly encodeSafetensors bytes', () => {
    const path = join(dir, 'm.safetensors');
    saveSafetensors(path, tensors(), { format: 'pt' });
    expect(new Uint8Array(fs.readFileSync(path))).toEqual(encodeSafetensors(tensors(), { format: 'pt' }));
    const out = loadSafetensors(path);
    expect(out.metadata).toEqual({ format: 'pt' });
    expect(out.tensors.w!.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(out.tensors.ids!.dtype).toBe('int32');
    expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
  });

  it('replaces an existing file', () => {
    const path = join(dir, 'm.safetensors');
    saveSafetensors(path, tensors());
    saveSafetensors(path, { x: tensor([9]) });
    expect(Object.keys(loadSafetensors(path).tensors)).toEqual(['x']);
    expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
  });

  it('a path in a missing directory throws CheckpointError and creates nothing', () => {
    const path = join(dir, 'missing', 'm.safetensors');
    expect(() => saveSafetensors(path, tensors())).toThrow(CheckpointError);
    expect(() => saveSafetensors(path, tensors())).toThrow(/saveSafetensors: cannot write .*ENOENT/);
    expect(fs.existsSync(join(dir, 'missing'))).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a write failing half way leaves the previous file intact and no temporary file', () => {
    const path = join(dir, 'm.safetensors');
    saveSafetensors(path, tensors(), { v: 'old' });
    const before = fs.readFileSync(path);
    for (const afterBytes of [0, 5, 40, 100]) {
      failure.afterBytes = afterBytes;
      expect(() => saveSafetensors(path, { big: tensor(Array.from({ length: 64 }, (_, i) => i)) }, { v: 'new' })).toThrow(/cannot write .*ENOSPC/);
      failure.afterBytes = -1;
      expect(fs.readFileSync(path)).toEqual(before);
      expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
    }
    expect(loadSafetensors(path).metadata).toEqual({ v: 'old' });
  });

  it('loading a missing or corrupt file throws CheckpointError naming the path', () => {
    expect(() => loadSafetensors(join(dir, 'nope.safetensors'))).toThrow(/loadSafetensors: cannot read .*nope\.safetensors/);
    const path = join(dir, 'bad.safetensors');
    fs.writeFileSync(path, encodeSafetensors(tensors()).subarray(0, 30));
    expect(() => loadSafetensors(path)).toThrow(CheckpointError);
    expect(() => loadSafetensors(path)).toThrow(/bad\.safetensors.*exceeds/);
  });
});
