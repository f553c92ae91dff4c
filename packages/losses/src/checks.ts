import { fmtShape as fmt } from '@likelihood/core';
import { DTypeError, ShapeError, type Tensor, isFloating } from '@likelihood/core';


/** Input and target must have the same shape (PyTorch only warns; a silent broadcast is a bug). */
export function sameShape(op: string, input: Tensor, target: Tensor, names = ['input', 'target']): void {
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`${op}: ${names[0]} shape ${fmt(input.shape)} and ${names[1]} shape ${fmt(target.shape)} must be equal`);
  }
}

export function floatInput(op: string, t: Tensor, name: string): void {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: ${name} must be a float tensor, found dtype ${t.dtype}`);
}
