import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, type DType, Tensor, type TypedArray } from '@likelihood/core';
import { CheckpointError } from '../errors.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors), pure: no Node APIs, so
 * encode/decode work in browsers. Layout: an 8-byte little-endian u64 N, N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`
 * padded with spaces to a multiple of 8, then the byte buffer (offsets are relative to it).
 *
 * Writing matches the Python library byte for byte: tensors are laid out by descending dtype
 * (F64, F32, I32, BOOL — the order of the Rust `Dtype` enum) and then by name (UTF-8 byte
 * order), the JSON is compact with keys in the same order, and the header is space-padded.
 * Metadata keys are written sorted; Python writes them in hash-map order, so byte identity
 * with Python holds for files with at most one metadata key (`{}` included: both write an empty
 * `__metadata__` block when metadata is passed, and none when it is not).
 */

/** Dtype names of the safetensors header. */
export type SafetensorsDType =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'F64'
  | 'I64'
  | 'U64';

/** Bytes per element of each readable dtype. */
const ITEM_SIZE: Record<SafetensorsDType, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** What each file dtype becomes in memory. */
const TARGET: Record<SafetensorsDType, DType> = {
  BOOL: 'bool',
  U8: 'int32',
  I8: 'int32',
  I16: 'int32',
  U16: 'int32',
  F16: 'float32',
  BF16: 'float32',
  I32: 'int32',
  U32: 'int32',
  F32: 'float32',
  F64: 'float64',
  I64: 'int32',
  U64: 'int32',
};

const WRITE_DTYPE: Record<DType, SafetensorsDType> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
/** Rank in the Rust `Dtype` enum; Python lays tensors out by descending rank, then by name. */
const WRITE_RANK: Record<DType, number> = { float64: 3, float32: 2, int32: 1, bool: 0 };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8Encoder = new TextEncoder();

/** One tensor's entry in a header. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** @internal A parsed, validated file whose tensors have not been converted yet. */
export interface ParsedSafetensors {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** The byte buffer (a view into the input, not a copy). */
  data: Uint8Array;
}

export interface DecodedSafetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}


function compareUtf8(a: string, b: string): number {
  // Rust compares String by bytes; UTF-16 code-unit order differs for astral characters.
  const x = utf8Encoder.encode(a);
  const y = utf8Encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** @internal Validates tensors and lays them out as Python does: entries and the data buffer. */
export function layoutTensors(tensors: Record<string, Tensor>): { entries: SafetensorsEntry[]; data: Uint8Array } {
  if (tensors === null || typeof tensors !== 'object') {
    throw new ArgumentError(`encodeSafetensors: tensors must be an object of name → Tensor, found ${tensors === null ? 'null' : typeof tensors}`);
  }
  const items = Object.entries(tensors);
  for (const [name, t] of items) {
    if (!(t instanceof Tensor)) throw new ArgumentError(`encodeSafetensors: '${name}' must be a Tensor, found ${typeof t}`);
    if (name === '__metadata__') throw new ArgumentError("encodeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (!(t.dtype in WRITE_DTYPE)) throw new ArgumentError(`encodeSafetensors: '${name}' has dtype ${t.dtype}, which safetensors cannot hold`);
  }
  items.sort(([na, a], [nb, b]) => WRITE_RANK[b.dtype] - WRITE_RANK[a.dtype] || compareUtf8(na, nb));
  const entries: SafetensorsEntry[] = [];
  let offset = 0;
  for (const [name, t] of items) {
    const bytes = t.size * ITEM_SIZE[WRITE_DTYPE[t.dtype]];
    entries.push({ name, dtype: WRITE_DTYPE[t.dtype], shape: [...t.shape], begin: offset, end: offset + bytes });
    offset += bytes;
  }
  const data = new Uint8Array(offset);
  items.forEach(([, t], i) => writeTensor(t, data, entries[i]!.begin));
  return { entries, data };
}

/** @internal The 8-byte length and the space-padded JSON header for laid-out entries. */
export function buildHeader(entries: readonly SafetensorsEntry[], metadata?: Record<string, string>): Uint8Array {
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw new ArgumentError('encodeSafetensors: metadata must be an object of string → string');
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ArgumentError(`encodeSafetensors: metadata '${k}' must be a string, found ${typeof v}`);
    }
  }
  // Built by hand: a JS object would put integer-like names ("0", "1") first.
  const parts: string[] = [];
  const metaKeys = metadata ? Object.keys(metadata).sort(compareUtf8) : [];
  if (metadata) {
    // Python writes the block whenever metadata is passed, even `{}`.
    parts.push(`"__metadata__":{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  for (const e of entries) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${e.begin},${e.end}]}`);
  }
  const json = utf8Encoder.encode(`{${parts.join(',')}}`);
  const n = Math.ceil(json.length / 8) * 8;
  const header = new Uint8Array(8 + n);
  const view = new DataView(header.buffer);
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  header.set(json, 8);
  header.fill(0x20, 8 + json.length);
  return header;
}

/** @internal Header bytes (8-byte length + padded JSON) and data bytes, not concatenated. */
export function encodeParts(tensors: Record<string, Tensor>, metadata?: Record<string, string>): { header: Uint8Array; data: Uint8Array } {
  const { entries, data } = layoutTensors(tensors);
  return { header: buildHeader(entries, metadata), data };
}

function writeTensor(t: Tensor, out: Uint8Array, at: number): void {
  const s = t.storage;
  if (t.dtype === 'bool') {
    for (let i = 0; i < s.length; i++) out[at + i] = s[i] ? 1 : 0;
    return;
  }
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < s.length; i++) {
    if (t.dtype === 'float32') view.setFloat32(at + 4 * i, s[i]!, true);
    else if (t.dtype === 'float64') view.setFloat64(at + 8 * i, s[i]!, true);
    else view.setInt32(at + 4 * i, s[i]!, true);
  }
}

/**
 * Serialises tensors (float32 → F32, float64 → F64, int32 → I32, bool → BOOL) and optional
 * string metadata into safetensors bytes, identical to what Python's `safetensors` writes.
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const { header, data } = encodeParts(tensors, metadata);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

const isNonNegInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Names of the top-level keys of a JSON object text, in order, duplicates included. */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

/**
 * @internal Reads and validates the header of safetensors bytes: every problem (truncation,
 * bad JSON, unknown dtype, sizes, offsets, duplicates) throws `CheckpointError` naming it.
 */
export function parseSafetensors(bytes: Uint8Array, what = 'safetensors'): ParsedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`decodeSafetensors: expected a Uint8Array, found ${typeof bytes}`);
  const fail = (msg: string): never => {
    throw new CheckpointError(`${what}: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (hi >= 2 ** 21 || 8 + n > bytes.length) {
    fail(`header length ${hi >= 2 ** 21 ? `${BigInt(hi) * 2n ** 32n + BigInt(lo)}` : n} exceeds the ${bytes.length - 8} bytes after the length field (truncated or corrupt)`);
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');
  const obj = header as Record<string, unknown>;

  const seen = new Set<string>();
  for (const k of topLevelKeys(text)) {
    if (seen.has(k)) fail(`duplicate entry '${k}' in the header`);
    seen.add(k);
  }

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(obj)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ must be an object of string → string');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ '${k}' must be a string, found ${JSON.stringify(v)}`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`entry '${name}' is not an object`);
    const info = raw as Record<string, unknown>;
    const dtype = info.dtype;
    if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_SIZE, dtype)) {
      fail(`tensor '${name}': unknown or unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ITEM_SIZE).join(', ')})`);
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) fail(`tensor '${name}': shape must be an array of non-negative integers, found ${JSON.stringify(shape)}`);
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isNonNegInt)) {
      fail(`tensor '${name}': data_offsets must be two non-negative integers, found ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    const numel = (shape as number[]).reduce((a, d) => a * d, 1);
    const expected = numel * ITEM_SIZE[dtype as SafetensorsDType];
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      fail(`tensor '${name}': shape ${fmt(shape as number[])} of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push({ name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end });
  }

  const dataLength = bytes.length - 8 - n;
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of byOffset) {
    if (e.end > dataLength) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] go past the ${dataLength}-byte data buffer (truncated?)`);
    if (e.begin < pos) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor, which ends at ${pos}`);
    if (e.begin > pos) fail(`tensor '${e.name}': data_offsets start at ${e.begin}, leaving a gap after byte ${pos}`);
    pos = e.end;
  }
  if (pos !== dataLength) fail(`tensors cover ${pos} bytes but the data buffer holds ${dataLength} (trailing bytes)`);
  return { entries, metadata, data: bytes.subarray(8 + n) };
}

const bf16Value = new Float32Array(1);
const bf16Bits = new Uint32Array(bf16Value.buffer);

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** @internal Converts one validated entry's bytes into a tensor (copied, so unaligned is fine). */
export function entryToTensor(e: SafetensorsEntry, data: Uint8Array, what = 'safetensors'): Tensor {
  const numel = e.shape.reduce((a, d) => a * d, 1);
  const bytes = data.subarray(e.begin, e.end);
  const target = TARGET[e.dtype];
  let storage: TypedArray;
  if (LITTLE_ENDIAN && (e.dtype === 'F32' || e.dtype === 'F64' || e.dtype === 'I32')) {
    // A fresh, aligned buffer of exactly this tensor. Not bytes.slice(): on a Node Buffer that
    // is a view into the shared pool, not a copy.
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    storage = e.dtype === 'F32' ? new Float32Array(copy.buffer) : e.dtype === 'F64' ? new Float64Array(copy.buffer) : new Int32Array(copy.buffer);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = target === 'float32' ? new Float32Array(numel) : target === 'float64' ? new Float64Array(numel) : target === 'int32' ? new Int32Array(numel) : new Uint8Array(numel);
    const tooBig = (i: number, v: string): never => {
      throw new CheckpointError(`${what}: tensor '${e.name}' (${e.dtype}) element ${i} is ${v}, outside the int32 range it is loaded as`);
    };
    for (let i = 0; i < numel; i++) {
      switch (e.dtype) {
        case 'BOOL':
          out[i] = bytes[i] ? 1 : 0;
          break;
        case 'U8':
          out[i] = bytes[i]!;
          break;
        case 'I8':
          out[i] = view.getInt8(i);
          break;
        case 'I16':
          out[i] = view.getInt16(2 * i, true);
          break;
        case 'U16':
          out[i] = view.getUint16(2 * i, true);
          break;
        case 'F16':
          out[i] = halfToFloat(view.getUint16(2 * i, true));
          break;
        case 'BF16':
          bf16Bits[0] = view.getUint16(2 * i, true) << 16;
          out[i] = bf16Value[0]!;
          break;
        case 'F32':
          out[i] = view.getFloat32(4 * i, true);
          break;
        case 'F64':
          out[i] = view.getFloat64(8 * i, true);
          break;
        case 'I32':
          out[i] = view.getInt32(4 * i, true);
          break;
        case 'U32': {
          const v = view.getUint32(4 * i, true);
          if (v > 0x7fffffff) tooBig(i, `${v}`);
          out[i] = v;
          break;
        }
        case 'I64': {
          const l = view.getInt32(8 * i, true);
          const h = view.getInt32(8 * i + 4, true);
          if (h !== l >> 31) tooBig(i, `${view.getBigInt64(8 * i, true)}`);
          out[i] = l;
          break;
        }
        case 'U64': {
          const l = view.getUint32(8 * i, true);
          const h = view.getUint32(8 * i + 4, true);
          if (h !== 0 || l > 0x7fffffff) tooBig(i, `${view.getBigUint64(8 * i, true)}`);
          out[i] = l;
          break;
        }
      }
    }
    storage = out;
  }
  return new Tensor(storage, e.shape, target);
}

/**
 * Reads safetensors bytes. F32/F64/I32/BOOL load as float32/float64/int32/bool; F16 and BF16
 * widen to float32; U8/I8/I16/U16 widen to int32; I64/U32/U64 load as int32 and throw if a
 * value does not fit. Every malformation throws `CheckpointError`; values are copied, so the
 * input may be reused and offsets need not be aligned.
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const parsed = parseSafetensors(bytes);
  const tensors = Object.fromEntries(parsed.entries.map((e) => [e.name, entryToTensor(e, parsed.data)]));
  return { tensors, metadata: parsed.metadata };
}
