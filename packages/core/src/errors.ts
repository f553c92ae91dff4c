/** Base class of every error thrown by likelihood packages. */
export class LikelihoodError extends Error {
  override name = 'LikelihoodError';
}

/** Shapes that do not fit together (broadcasting, matmul, reshape, ...). */
export class ShapeError extends LikelihoodError {
  override name = 'ShapeError';
}

/** A tensor has a dtype the op does not accept. */
export class DTypeError extends LikelihoodError {
  override name = 'DTypeError';
}

/** An argument has a bad value (like Python's ValueError): a dim out of range, a negative size, ... */
export class ArgumentError extends LikelihoodError {
  override name = 'ArgumentError';
}

/** Misuse of autograd: backward on a non-scalar without a gradient, gradients of int tensors, ... */
export class AutogradError extends LikelihoodError {
  override name = 'AutogradError';
}

/** Thrown in anomaly mode by the first op whose output holds NaN or Inf from finite inputs. */
export class AnomalyError extends LikelihoodError {
  override name = 'AnomalyError';
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
