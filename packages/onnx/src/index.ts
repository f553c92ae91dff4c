// @likelihood/onnx public API.
export { exportOnnx, exportGraph } from './export.js';
export type { ExportOptions, OnnxExport, Traceable, Forwardable } from './export.js';
export { lowerGraph, OPSET } from './lower.js';
export type { LowerOptions, LoweredModel } from './lower.js';
export { encodeModel, decodeModel } from './proto.js';
export type { ModelProtoObject } from './proto.js';
export { OnnxExportError, OnnxRuntimeMissingError } from './errors.js';
export { compile } from './compile.js';
export type { CompileOptions, CompiledFunction } from './compile.js';
export { loadOnnxRuntime } from './runtime.js';
export type { OrtModule, OrtSession, OrtTensor, OrtImporter } from './runtime.js';
export { adamwStep, clipGradNorm } from './train-step.js';
export type { AdamWHyper, AdamWState } from './train-step.js';
export { compileKVDecoder } from './decode.js';
export type { KVDecoder, KVCacheLike, CachedDecoderModel } from './decode.js';
