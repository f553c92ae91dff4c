import { LikelihoodError } from '@likelihood/core';

/** A state dict does not fit the module or optimizer it is loaded into. */
export class StateDictError extends LikelihoodError {
  override name = 'StateDictError';
}

/** A checkpoint or safetensors file is truncated, malformed or does not match what it claims. */
export class CheckpointError extends LikelihoodError {
  override name = 'CheckpointError';
}
