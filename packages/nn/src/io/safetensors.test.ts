import { readFileSync } from 'node:fs';
import { type DType, Tensor, tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url);
const readBytes = (name: string) => new Uint8Array(readFileSync(fixture(name)));

/** The raw bytes of a tensor's storage, to compare bit for bit (NaN payloads, -0). */
const bitsOf = (t: Tensor) => new Uint8Array(t.storage.buffer, t.storage.byteOffset, t.storage.byteLength);

function expectSameTensor(a: Tensor, b: Tensor) {
  expect(a.dtype).toBe(b.dtype);
  expect([...a.shape]).toEqual([...b.shape]);
  expect(bitsOf(a)).toEqual(bitsOf(b));
}

/** A file from a header (object or raw text) and data, with an optional fake length field. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

function expectCheckpointError(fn: () => unknown, message: RegExp) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  expect((err as Error).message).toMatch(message);
}

describe('encodeSafetensors / decodeSafetensors round trip', () => {
  const specials = [0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -3.4e38];
  const cases: Record<string, Tensor> = {
    f32: tensor(specials, { dtype: 'float32' }).reshape([2, 4]),
    f64: tensor([...specials, Math.PI, 5e-324, -Number.MAX_VALUE, 1e300], { dtype: 'float64' }).reshape([3, 2, 2]),
    i32: tensor([0, -1, 2147483647, -2147483648, 42, 7], { dtype: 'int32' }).reshape([3, 2]),
    bool: tensor([true, false, false, true, true]),
    scalarF32: tensor(2.5),
    scalarF64: tensor(-0, { dtype: 'float64' }),
    scalarI32: tensor(-9, { dtype: 'int32' }),
    scalarBool: tensor(true),
    emptyF32: tensor([], { dtype: 'float32' }),
    emptyI32: new Tensor(new Int32Array(0), [2, 0, 3], 'int32'),
    emptyBool: new Tensor(new Uint8Array(0), [0], 'bool'),
    emptyF64: new Tensor(new Float64Array(0), [0, 5], 'float64'),
  };

  it('keeps every dtype bit for bit, including -0, NaN, ±Inf, denormals, scalars and empty tensors', () => {
    const out = decodeSafetensors(encodeSafetensors(cases));
    expect(Object.keys(out.tensors).sort()).toEqual(Object.keys(cases).sort());
    for (const [k, t] of Object.entries(cases)) expectSameTensor(out.tensors[k]!, t);
    expect(Object.is(out.tensors.f32!.storage[1], -0)).toBe(true);
    expect(Object.is(out.tensors.scalarF64!.item(), -0)).toBe(true);
    expect(out.tensors.scalarF32!.shape).toEqual([]);
    expect(out.metadata).toEqual({});
  });

  it('keeps metadata, including unicode, quotes, control characters and awkward names', () => {
    const metadata = { format: 'pt', 'h\u00e9': 'sn\u2603w "q" \\ \n\t\u0001', '0': 'zero', __proto__x: '' };
    const tensors = { '0': tensor([1]), '10': tensor([2]), '2': tensor([3]), 'caf\u00e9.\u{1F600}': tensor([4]), ['__proto__']: tensor([5]) };
    const out = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(out.metadata).toEqual(metadata);
    expect(Object.keys(out.tensors).sort()).toEqual(Object.keys(tensors).sort());
    expect(Object.getPrototypeOf(out.tensors)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out.tensors, '__proto__')?.value).toBeInstanceOf(Tensor);
    expect(out.tensors['caf\u00e9.\u{1F600}']!.item()).toBe(4);
  });

  it('pads the header with spaces to a multiple of 8 and lays tensors out by dtype, then name', () => {
    const bytes = encodeSafetensors({ b: tensor([true]), a: tensor([1], { dtype: 'int32' }), c: tensor([1]), d: tensor([1], { dtype: 'float64' }) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/} *$/);
    expect(Object.keys(JSON.parse(text))).toEqual(['d', 'c', 'a', 'b']);
    expect(bytes.length).toBe(8 + n + 8 + 4 + 4 + 1);
  });

  it('writes what Python writes for no tensors and for empty metadata', () => {
    // safetensors.torch.save({}) and save({'a': torch.zeros(1)}, metadata={}), from Python 0.8.0.
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{}      ')]);
    const b = encodeSafetensors({ a: tensor([0]) }, {});
    expect(new TextDecoder().decode(b.subarray(8, b.length - 4))).toBe('{"__metadata__":{},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'); // 72 bytes: no padding
    expect(decodeSafetensors(encodeSafetensors({})).tensors).toEqual({});
  });

  it('copies: decoded tensors do not alias the input bytes', () => {
    const bytes = encodeSafetensors({ x: tensor([1, 2, 3]) });
    const t = decodeSafetensors(bytes).tensors.x!;
    bytes.fill(0, bytes.length - 12);
    expect(Array.from(t.storage)).toEqual([1, 2, 3]);
  });

  it('decodes a view into a larger buffer and unaligned data offsets', () => {
    const data = new Uint8Array(13);
    data[0] = 200;
    new DataView(data.buffer).setFloat32(1, -1.25, true);
    new DataView(data.buffer).setFloat64(5, Math.E, true);
    const file = craft(
      { u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, f: { dtype: 'F32', shape: [], data_offsets: [1, 5] }, d: { dtype: 'F64', shape: [1], data_offsets: [5, 13] } },
      data,
    );
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const out = decodeSafetensors(padded.subarray(3));
    expect(out.tensors.u!.dtype).toBe('int32');
    expect(out.tensors.u!.item()).toBe(200);
    expect(out.tensors.f!.item()).toBe(-1.25);
    expect(out.tensors.d!.item()).toBe(Math.E);
  });

  it('decodes a Node Buffer that is a view into the shared pool', () => {
    const buf = Buffer.from(encodeSafetensors({ x: tensor([1, 2]), y: tensor([3], { dtype: 'float64' }) }));
    expect(buf.byteOffset > 0 || buf.buffer.byteLength > buf.length).toBe(true);
    const out = decodeSafetensors(buf);
    expect(Array.from(out.tensors.x!.storage)).toEqual([1, 2]);
    expect(out.tensors.y!.storage.length).toBe(1);
  });

  it('rejects what safetensors cannot hold', () => {
    expect(() => encodeSafetensors({ __metadata__: tensor([1]) })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ x: [1, 2] as unknown as Tensor })).toThrow(/must be a Tensor/);
    expect(() => encodeSafetensors({}, { k: 1 as unknown as string })).toThrow(/metadata 'k' must be a string/);
  });
});

interface TorchFixture {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; values: (number | string | boolean)[] }>;
}

describe('files written by Python safetensors (fixtures/gen_safetensors.py)', () => {
  const expected = loadFixture<TorchFixture>(fixture('safetensors_torch.json'));
  const { tensors, metadata } = decodeSafetensors(readBytes('safetensors_torch.safetensors'));
  const dtypes: Record<string, DType> = {
    f32: 'float32', f64: 'float64', i32: 'int32', i64: 'int32', f16: 'float32', bf16: 'float32', bool: 'bool',
    u8: 'int32', i8: 'int32', i16: 'int32', scalar: 'float32', scalar_i64: 'int32', empty: 'float32', 'layer.0.weight': 'float32',
  };

  it('reads metadata', () => {
    expect(metadata).toEqual(expected.metadata);
  });

  for (const [name, dtype] of Object.entries(dtypes)) {
    it(`reads ${name} as ${dtype} with torch's values`, () => {
      const t = tensors[name]!;
      const e = expected.tensors[name]!;
      expect(t.dtype).toBe(dtype);
      expect([...t.shape]).toEqual(e.shape);
      // Exact: every value is representable in the dtype it is read as.
      expectClose(Array.from(t.storage), e.values as number[], { rtol: 0, atol: 0, what: name });
      const vals = Array.from(t.storage);
      e.values.forEach((v, i) => {
        if (v === 0) expect(Object.is(vals[i], v), `${name}[${i}] sign of zero`).toBe(true);
      });
    });
  }

  it('throws when an I64 value does not fit in int32', () => {
    expectCheckpointError(() => decodeSafetensors(readBytes('safetensors_i64_overflow.safetensors')), /'big' \(I64\) element 1 is 2147483648, outside the int32 range/);
  });
});

describe('byte identity with Python safetensors', () => {
  /** Must match identity_fixture() in fixtures/gen_safetensors.py. */
  const identityTensors = (): Record<string, Tensor> => ({
    weight: tensor([[1, -0, Number.NaN], [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1]], { dtype: 'float32' }),
    w64: tensor([Math.PI, -0, Number.NaN, 1e-310], { dtype: 'float64' }),
    ids: tensor([[1, -2], [2147483647, -2147483648]], { dtype: 'int32' }),
    mask: tensor([true, false, true]),
    scalar: tensor(3.5),
    empty: tensor([], { dtype: 'float32' }),
    '10': tensor([10], { dtype: 'int32' }),
    '2': tensor([2], { dtype: 'int32' }),
    'caf\u00e9': tensor([1], { dtype: 'float64' }),
    'a.b': tensor([4]),
  });

  it('writes the same bytes as safetensors.torch.save_file (one metadata key)', () => {
    expect(encodeSafetensors(identityTensors(), { format: 'pt' })).toEqual(readBytes('safetensors_identity.safetensors'));
  });

  it('writes the same bytes as safetensors.torch.save_file (no metadata)', () => {
    const t = identityTensors();
    expect(encodeSafetensors({ weight: t.weight!, ids: t.ids! })).toEqual(readBytes('safetensors_identity_nometa.safetensors'));
  });
});

describe('decodeSafetensors rejects malformed files with CheckpointError', () => {
  const good = encodeSafetensors({ a: tensor([1, 2, 3]), b: tensor([4, 5], { dtype: 'float64' }), c: tensor([true, false]) }, { k: 'v' });

  it('every truncation of a valid file', () => {
    for (let cut = 0; cut < good.length; cut++) {
      expectCheckpointError(() => decodeSafetensors(good.subarray(0, cut)), cut < 8 ? /shorter than the 8-byte header length/ : /exceeds|go past|not valid JSON|cover/);
    }
  });

  it('file shorter than 8 bytes', () => {
    expectCheckpointError(() => decodeSafetensors(new Uint8Array(5)), /file is 5 bytes, shorter than the 8-byte header length/);
  });

  it('header length beyond the file, including values above 2^53', () => {
    expectCheckpointError(() => decodeSafetensors(craft('{}', new Uint8Array(0), 1000n)), /header length 1000 exceeds the 2 bytes/);
    expectCheckpointError(() => decodeSafetensors(craft('{}', new Uint8Array(0), 2n ** 63n)), /header length 9223372036854775808 exceeds/);
  });

  it('header not JSON, not UTF-8, or not an object', () => {
    expectCheckpointError(() => decodeSafetensors(craft('{"a": nope}')), /header is not valid JSON/);
    expectCheckpointError(() => decodeSafetensors(craft('')), /header is not valid JSON/);
    const bad = craft('{"x":1}  ');
    bad[9] = 0xff;
    expectCheckpointError(() => decodeSafetensors(bad), /not valid UTF-8/);
    expectCheckpointError(() => decodeSafetensors(craft('[1,2]')), /not a JSON object/);
    expectCheckpointError(() => decodeSafetensors(craft('{"a": 3}')), /entry 'a' is not an object/);
  });

  it('unknown dtype', () => {
    expectCheckpointError(() => decodeSafetensors(craft({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16))), /tensor 'a': unknown or unsupported dtype "F128"/);
  });

  it('shape and dtype size not equal to the data_offsets length', () => {
    expectCheckpointError(
      () => decodeSafetensors(craft({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, new Uint8Array(12))),
      /tensor 'a': shape \[2, 2\] of F32 needs 16 bytes but data_offsets \[0, 12\] hold 12/,
    );
    expectCheckpointError(() => decodeSafetensors(craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))), /shape must be an array of non-negative integers/);
    expectCheckpointError(() => decodeSafetensors(craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4))), /data_offsets must be two non-negative integers/);
    expectCheckpointError(() => decodeSafetensors(craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4))), /end before they begin/);
  });

  it('offsets out of range, overlapping, leaving gaps or not covering the buffer', () => {
    const e = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
    expectCheckpointError(() => decodeSafetensors(craft({ a: e(0, 8) }, f32([1]))), /tensor 'a': data_offsets \[0, 8\] go past the 4-byte data buffer/);
    expectCheckpointError(() => decodeSafetensors(craft({ a: e(0, 8), b: e(4, 12) }, f32([1, 2, 3]))), /tensor 'b': data_offsets \[4, 12\] overlap the previous tensor, which ends at 8/);
    expectCheckpointError(() => decodeSafetensors(craft({ a: e(0, 4), b: e(8, 12) }, f32([1, 2, 3]))), /tensor 'b': data_offsets start at 8, leaving a gap after byte 4/);
    expectCheckpointError(() => decodeSafetensors(craft({ a: e(0, 4) }, f32([1, 2]))), /tensors cover 4 bytes but the data buffer holds 8/);
    expectCheckpointError(() => decodeSafetensors(craft({ a: e(4, 8) }, f32([1, 2]))), /data_offsets start at 4, leaving a gap after byte 0/);
  });

  it('duplicate names', () => {
    const header = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"x":"\\"a\\""},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expectCheckpointError(() => decodeSafetensors(craft(header, f32([1]))), /duplicate entry 'a'/);
  });

  it('metadata that is not string → string', () => {
    expectCheckpointError(() => decodeSafetensors(craft({ __metadata__: { n: 1 } })), /__metadata__ 'n' must be a string/);
    expectCheckpointError(() => decodeSafetensors(craft({ __metadata__: ['x'] })), /__metadata__ must be an object/);
  });
});
