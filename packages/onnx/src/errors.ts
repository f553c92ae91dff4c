import { LikelihoodError } from '@likelihood/core';

/** A graph cannot be written as ONNX (an op with no lowering, bad names or axes). */
export class OnnxExportError extends LikelihoodError {
  override name = 'OnnxExportError';
}

/** Neither onnxruntime-node nor onnxruntime-web could be loaded. */
export class OnnxRuntimeMissingError extends LikelihoodError {
  override name = 'OnnxRuntimeMissingError';
}
