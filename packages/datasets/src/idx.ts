// IDX (the MNIST file format), parsed from bytes. Pure: no node imports, so it runs in browsers.
// Layout (big-endian): 2 zero bytes, a type code, the number of dims, then one uint32 per dim,
// then the values row-major. http://yann.lecun.com/exdb/mnist/ describes it.
import { ArgumentError, Tensor } from '@likelihood/core';

/** The element types IDX can hold, named after their JS typed arrays. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its type, its dims and its values in native byte order. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

/** Type code (third magic byte) → dtype and size in bytes. */
export const IDX_TYPES: Readonly<Record<number, { dtype: IdxDType; bytes: number }>> = {
  8: { dtype: 'uint8', bytes: 1 }, // 0x08 unsigned byte
  9: { dtype: 'int8', bytes: 1 }, // 0x09 signed byte
  11: { dtype: 'int16', bytes: 2 }, // 0x0B short
  12: { dtype: 'int32', bytes: 4 }, // 0x0C int
  13: { dtype: 'float32', bytes: 4 }, // 0x0D float
  14: { dtype: 'float64', bytes: 8 }, // 0x0E double
};

const CODE_OF: Record<IdxDType, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

const hex = (v: number, w = 2) => `0x${v.toString(16).padStart(w, '0')}`;

/** True when `bytes` starts with the gzip magic 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export interface ParseIdxOptions {
  /** Decompresses gzip input. Node: `gunzip` from this package's idxNode; browsers: bring your own. */
  gunzip?: (bytes: Uint8Array) => Uint8Array;
  /** Names the source in error messages (a file path). */
  source?: string;
  /** uint8 only: false returns a view of `bytes` instead of a copy (for buffers the caller owns). Default true. */
  copy?: boolean;
}

/**
 * Parses an IDX file. Gzip input (magic 0x1f8b) needs `opts.gunzip`. Checks the magic, the type
 * code, the header length and that the data length equals the product of the dims exactly.
 */
export function parseIdx(bytes: Uint8Array, opts: ParseIdxOptions = {}): IdxArray {
  const where = opts.source ? ` (${opts.source})` : '';
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`parseIdx: bytes must be a Uint8Array, found ${Object.prototype.toString.call(bytes)}`);
  }
  if (isGzip(bytes)) {
    if (!opts.gunzip) {
      throw new ArgumentError(
        `parseIdx: bytes${where} are gzip-compressed (magic 0x1f8b) and no gunzip option was given; use loadIdx/readIdx in Node or decompress first (DecompressionStream('gzip') in browsers)`,
      );
    }
    bytes = opts.gunzip(bytes);
  }
  if (bytes.length < 4) throw new ArgumentError(`parseIdx: bytes${where} must hold at least the 4-byte magic, found ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new ArgumentError(
      `parseIdx: bytes${where} must start with two zero bytes (IDX magic 0x0000TTDD), found ${hex(bytes[0]!)} ${hex(bytes[1]!)}: not an IDX file`,
    );
  }
  const code = bytes[2]!;
  const type = IDX_TYPES[code];
  if (!type) {
    throw new ArgumentError(
      `parseIdx: bytes${where} has type code ${hex(code)}; expected one of 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double`,
    );
  }
  const ndim = bytes[3]!;
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new ArgumentError(`parseIdx: bytes${where} declare ${ndim} dims, so a ${headerLen}-byte header, but hold only ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    count *= n;
  }
  const expected = headerLen + count * type.bytes;
  if (bytes.length !== expected) {
    throw new ArgumentError(
      `parseIdx: bytes${where} hold ${bytes.length} bytes; expected ${expected} (${headerLen}-byte header + ${count} ${type.dtype} values for dims [${shape.join(', ')}])` +
        (bytes.length < expected ? ': file truncated' : ': trailing bytes'),
    );
  }
  let data: IdxData;
  switch (type.dtype) {
    case 'uint8':
      data = opts.copy === false ? bytes.subarray(headerLen, expected) : bytes.slice(headerLen, expected);
      break;
    case 'int8':
      data = new Int8Array(bytes.slice(headerLen, expected).buffer);
      break;
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(headerLen + 2 * i, false);
      data = a;
      break;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(headerLen + 4 * i, false);
      data = a;
      break;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(headerLen + 4 * i, false);
      data = a;
      break;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(headerLen + 8 * i, false);
      data = a;
      break;
    }
  }
  return { dtype: type.dtype, shape, data };
}

/** Writes an IDX file (big-endian, uncompressed): the inverse of `parseIdx`. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const { dtype, shape, data } = arr;
  const code = CODE_OF[dtype];
  if (code === undefined) throw new ArgumentError(`encodeIdx: dtype must be one of ${Object.keys(CODE_OF).join(', ')}, found '${dtype}'`);
  if (shape.length > 255) throw new ArgumentError(`encodeIdx: IDX holds at most 255 dims, found ${shape.length}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new ArgumentError(`encodeIdx: data must hold ${count} values for shape [${shape.join(', ')}], found ${data.length}`);
  }
  const size = IDX_TYPES[code]!.bytes;
  const headerLen = 4 + 4 * shape.length;
  const out = new Uint8Array(headerLen + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((n, d) => {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new ArgumentError(`encodeIdx: dim ${d} must be a uint32, found ${n}`);
    view.setUint32(4 + 4 * d, n, false);
  });
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const o = headerLen + i * size;
    if (dtype === 'uint8') view.setUint8(o, v);
    else if (dtype === 'int8') view.setInt8(o, v);
    else if (dtype === 'int16') view.setInt16(o, v, false);
    else if (dtype === 'int32') view.setInt32(o, v, false);
    else if (dtype === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}

/**
 * The IDX array as a Tensor: integer types become int32 (core has no 8/16-bit dtypes), float32
 * stays float32, float64 stays float64.
 */
export function idxToTensor(arr: IdxArray): Tensor {
  const { dtype, shape, data } = arr;
  if (dtype === 'float32') return new Tensor(data as Float32Array, shape, 'float32');
  if (dtype === 'float64') return new Tensor(data as Float64Array, shape, 'float64');
  return new Tensor(data instanceof Int32Array ? data : Int32Array.from(data), shape, 'int32');
}
