import protobuf from 'protobufjs/light.js';
import { ONNX_PROTO_JSON } from './proto/onnx.generated.js';

/**
 * ONNX's ModelProto, encoded and decoded by protobufjs from the official onnx.proto (vendored in
 * proto/onnx.proto; proto/onnx.generated.ts is its JSON descriptor, made by
 * scripts/gen-proto-json.mjs). Field names are the .proto's snake_case names.
 */
const root = protobuf.Root.fromJSON(ONNX_PROTO_JSON as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

/** onnx.TensorProto.DataType values for the dtypes likelihood has (and INT64, which ONNX needs for shapes). */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

/** onnx.AttributeProto.AttributeType values. */
export const OnnxAttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  t?: TensorProto;
  ints?: number[];
  floats?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export interface DimProto {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimProto[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProtoObject {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  opset_import: { domain: string; version: number }[];
  graph: GraphProto;
}

/** Serialises a model object to ONNX bytes, checking it against the schema first. */
export function encodeModel(model: ModelProtoObject): Uint8Array {
  const err = ModelProto.verify(model);
  if (err) throw new Error(`onnx: the lowered model does not fit onnx.proto: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Parses ONNX bytes into a plain object (int64 fields as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): ModelProtoObject {
  const msg = ModelProto.decode(bytes);
  return ModelProto.toObject(msg, { longs: Number, bytes: Uint8Array as unknown as typeof String, defaults: false, arrays: true }) as unknown as ModelProtoObject;
}
