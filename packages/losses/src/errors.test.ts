import { ArgumentError, DTypeError, ShapeError, tensor, zeros } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { bce, bceWithLogits, crossEntropy, gaussianNll, mse, nll } from './index.js';

const f = (v: number[][]) => tensor(v, { dtype: 'float64' });
const idx = (v: number[]) => tensor(v, { dtype: 'int32' });

describe('bad input gives a typed error, never a NaN', () => {
  it('shape mismatch between input and target names both shapes', () => {
    expect(() => mse(zeros([2, 3]), zeros([3, 2]))).toThrow(ShapeError);
    expect(() => mse(zeros([2, 3]), zeros([3, 2]))).toThrow(/mse: input shape \[2, 3\] and target shape \[3, 2\]/);
    expect(() => bceWithLogits(zeros([4]), zeros([4, 1]))).toThrow(ShapeError);
    expect(() => crossEntropy(zeros([4, 3]), idx([0, 1, 2]))).toThrow(/target shape \[3\] does not fit input shape \[4, 3\]/);
  });
  it('class index out of range names the index and its position', () => {
    expect(() => crossEntropy(zeros([3, 4]), idx([0, 4, 1]))).toThrow(ArgumentError);
    expect(() => crossEntropy(zeros([3, 4]), idx([0, 4, 1]))).toThrow(/target 4 at flat position 1 is out of range: expected a class index in \[0, 3\]/);
    expect(() => nll(zeros([2, 4]), idx([-1, 0]))).toThrow(/target -1 at flat position 0/);
    expect(() => crossEntropy(zeros([2, 3]), tensor([0, 1]))).toThrow(/probability targets must have the input's shape/);
    expect(() => nll(zeros([2, 3]), tensor([0, 1]))).toThrow(DTypeError);
  });
  it('probabilities outside [0, 1] for bce', () => {
    expect(() => bce(f([[0.5, 1.2]]), f([[1, 0]]))).toThrow(/bce: input holds values outside \[0, 1\]/);
    expect(() => bce(f([[Number.NaN, 0.2]]), f([[1, 0]]))).toThrow(ArgumentError);
  });
  it('negative variance for gaussianNll', () => {
    expect(() => gaussianNll(f([[0, 1]]), f([[0, 1]]), f([[1, -0.1]]))).toThrow(/gaussianNll: variance has negative entries/);
    expect(() => gaussianNll(f([[0, 1]]), f([[0, 1]]), f([[1, 1, 1]]))).toThrow(ShapeError);
  });
  it('bad options', () => {
    expect(() => mse(zeros([2]), zeros([2]), { reduction: 'avg' as never })).toThrow(/reduction must be 'none', 'mean' or 'sum', found 'avg'/);
    expect(() => crossEntropy(zeros([2, 3]), idx([0, 1]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\]/);
  });
});
