import type { DType, TypedArray } from '@likelihood/core';
import { OnnxExportError } from './errors.js';
import { type AttributeProto, type NodeProto, OnnxAttrType, OnnxDataType, type TensorProto } from './proto.js';

/** ONNX element type of a likelihood dtype. */
export function onnxType(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return OnnxDataType.FLOAT;
    case 'float64':
      return OnnxDataType.DOUBLE;
    case 'int32':
      return OnnxDataType.INT32;
    case 'bool':
      return OnnxDataType.BOOL;
  }
  throw new OnnxExportError(`onnx: dtype ${String(dtype)} has no ONNX element type`);
}

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number } | TensorProto;

/** Little-endian bytes of a typed array (raw_data is little-endian by the ONNX spec). */
export function rawBytes(data: TypedArray | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Collects nodes and initializers while a graph is lowered. Attribute values: an integer is INT,
 * a non-integer number FLOAT (force one with {float}), a string STRING, a number array INTS
 * ({floats} for FLOATS), a TensorProto TENSOR.
 */
export class OnnxBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;
  private readonly int64Cache = new Map<string, string>();

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, domain?: string): void {
    const attribute: AttributeProto[] = Object.entries(attrs).map(([name, v]) => toAttr(name, v));
    this.nodes.push({ name: `${op}_${this.nodes.length}`, op_type: op, ...(domain ? { domain } : {}), input: inputs, output: outputs, attribute });
  }

  /** One node with a fresh output name; returns that name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    const out = this.fresh(op.toLowerCase());
    this.node(op, inputs, [out], attrs);
    return out;
  }

  initializer(name: string, dims: readonly number[], dtype: number, raw: Uint8Array): string {
    this.initializers.push({ name, dims: [...dims], data_type: dtype, raw_data: raw });
    return name;
  }

  /** An int64 initializer (shapes, axes, pads, ...); identical ones are shared. */
  int64(values: readonly number[] | bigint[], scalar = false): string {
    const key = `${scalar ? 's' : 'v'}:${values.join(',')}`;
    const hit = this.int64Cache.get(key);
    if (hit) return hit;
    const arr = BigInt64Array.from(values as (number | bigint)[], (v) => BigInt(v));
    const name = this.initializer(this.fresh('i64'), scalar ? [] : [values.length], OnnxDataType.INT64, rawBytes(arr));
    this.int64Cache.set(key, name);
    return name;
  }

  /** A scalar initializer of `dtype` (a Pad value, for example). */
  scalar(value: number, dtype: DType): string {
    const arr = dtype === 'float64' ? new Float64Array([value]) : dtype === 'int32' ? new Int32Array([value]) : dtype === 'bool' ? new Uint8Array([value ? 1 : 0]) : new Float32Array([value]);
    return this.initializer(this.fresh('scalar'), [], onnxType(dtype), rawBytes(arr));
  }
}

function toAttr(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: OnnxAttrType.INT, i: v } : { name, type: OnnxAttrType.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: OnnxAttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: OnnxAttrType.INTS, ints: v };
  if ('floats' in v) return { name, type: OnnxAttrType.FLOATS, floats: v.floats };
  if ('float' in v) return { name, type: OnnxAttrType.FLOAT, f: v.float };
  return { name, type: OnnxAttrType.TENSOR, t: v };
}
