import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArgumentError } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { type IdxArray, encodeIdx, idxToTensor, isGzip, parseIdx } from './idx.js';
import { loadIdx, readIdx } from './loadIdx.js';

const dir = mkdtempSync(join(tmpdir(), 'idx-test-'));
const write = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

// Hand-written bytes (not produced by encodeIdx), so the parser is checked against the spec.
const INT16 = Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 3, 0xff, 0xfe, 0x01, 0x02, 0x80, 0x00]); // [-2, 258, -32768]
const UBYTE_2x3 = Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 253, 254, 255]);

describe('parseIdx', () => {
  it('reads hand-written big-endian ubyte and short files', () => {
    const a = parseIdx(UBYTE_2x3);
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([0, 1, 2, 253, 254, 255]);
    const b = parseIdx(INT16);
    expect(b.dtype).toBe('int16');
    expect([...b.data]).toEqual([-2, 258, -32768]);
  });

  const cases: IdxArray[] = [
    { dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([0, 7, 128, 255]) },
    { dtype: 'int8', shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
    { dtype: 'int16', shape: [2, 1, 2], data: Int16Array.from([-32768, -1, 1, 32767]) },
    { dtype: 'int32', shape: [3], data: Int32Array.from([-2147483648, 123456789, 2147483647]) },
    { dtype: 'float32', shape: [2, 2], data: Float32Array.from([0.5, -1.25, 3.4e38, Number.NEGATIVE_INFINITY]) },
    { dtype: 'float64', shape: [3], data: Float64Array.from([Math.PI, -1e-300, 1e300]) },
    { dtype: 'uint8', shape: [0, 28, 28], data: new Uint8Array(0) },
  ];
  for (const c of cases) {
    it(`round-trips ${c.dtype} [${c.shape}] through files, raw and gzip`, () => {
      const raw = encodeIdx(c);
      const gz = new Uint8Array(gzipSync(raw));
      expect(isGzip(gz)).toBe(true);
      expect(isGzip(raw)).toBe(false);
      for (const p of [write(`${c.dtype}-${c.shape.join('x')}.idx`, raw), write(`${c.dtype}-${c.shape.join('x')}.idx.gz`, gz)]) {
        const back = loadIdx(p);
        expect(back.dtype).toBe(c.dtype);
        expect(back.shape).toEqual(c.shape);
        expect(back.data.constructor).toBe(c.data.constructor);
        expect([...back.data]).toEqual([...c.data]);
      }
      expect([...readIdx(gz).data]).toEqual([...c.data]);
    });
  }

  it('converts to tensors: integer types to int32, floats kept', () => {
    expect(idxToTensor(parseIdx(INT16)).dtype).toBe('int32');
    expect(idxToTensor(parseIdx(INT16)).toArray()).toEqual([-2, 258, -32768]);
    const t = idxToTensor(parseIdx(UBYTE_2x3));
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([[0, 1, 2], [253, 254, 255]]);
    expect(idxToTensor(cases[5]!).dtype).toBe('float64');
  });

  it('rejects corrupted files with clear errors', () => {
    const bad = (bytes: number[] | Uint8Array, re: RegExp) => {
      const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
      expect(() => parseIdx(b, { source: 'x.idx' })).toThrow(ArgumentError);
      expect(() => parseIdx(b, { source: 'x.idx' })).toThrow(re);
    };
    bad([0, 0], /at least the 4-byte magic, found 2 bytes/);
    bad([0x50, 0x4b, 3, 4, 0, 0], /two zero bytes .* found 0x50 0x4b: not an IDX file/);
    bad([0, 0, 0x0a, 1, 0, 0, 0, 1, 5], /type code 0x0a; expected one of 0x08 ubyte/);
    bad([0, 0, 8, 3, 0, 0, 0, 1], /declare 3 dims, so a 16-byte header, but hold only 8 bytes/);
    bad(UBYTE_2x3.subarray(0, 17), /hold 17 bytes; expected 18 .* dims \[2, 3\]\): file truncated/);
    bad([...UBYTE_2x3, 9], /hold 19 bytes; expected 18.*trailing bytes/);
    bad([0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 1], /hold 12 bytes; expected 16 \(8-byte header \+ 2 int32 values/);
    expect(() => parseIdx(new Uint8Array(gzipSync(UBYTE_2x3)))).toThrow(/gzip-compressed \(magic 0x1f8b\) and no gunzip option/);
    const brokenGz = new Uint8Array(gzipSync(UBYTE_2x3)).subarray(0, 12);
    expect(() => loadIdx(write('broken.gz', brokenGz))).toThrow(/gzip magic but do not decompress/);
    expect(() => loadIdx(join(dir, 'missing.idx'))).toThrow(/cannot read path .*missing\.idx/);
    expect(() => parseIdx([0, 0, 8, 0] as unknown as Uint8Array)).toThrow(/must be a Uint8Array/);
  });

  it('encodeIdx checks its input', () => {
    expect(() => encodeIdx({ dtype: 'uint8', shape: [3], data: new Uint8Array(2) })).toThrow(/must hold 3 values for shape \[3\], found 2/);
    expect(() => encodeIdx({ dtype: 'uint16' as never, shape: [1], data: new Uint8Array(1) })).toThrow(/dtype must be one of/);
  });
});
