// Label smoothing (Szegedy et al. 2016) is a training-time calibration method: it caps how
// confident the model is rewarded for being (Müller et al. 2019).
import { ArgumentError, type Tensor, tensor } from '@likelihood/core';
import { type CrossEntropyOptions, crossEntropy } from '@likelihood/losses';
import { type VectorLike, readLabels, readVector } from '../input.js';

function checkEpsilon(op: string, epsilon: number): void {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new ArgumentError(`${op}: epsilon must be in [0, 1], found ${epsilon}`);
}

/** Soft targets (1 − ε)·onehot(y) + ε/C, shape [N, C] (float32 unless `dtype` says otherwise). */
export function smoothLabels(labels: VectorLike, numClasses: number, epsilon: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  checkEpsilon('smoothLabels', epsilon);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new ArgumentError(`smoothLabels: numClasses must be an integer ≥ 2, found ${numClasses}`);
  const v = readVector('smoothLabels', 'labels', labels);
  const y = readLabels('smoothLabels', v, v.length, numClasses);
  const out = new Float64Array(y.length * numClasses).fill(epsilon / numClasses);
  for (let i = 0; i < y.length; i++) out[i * numClasses + y[i]!]! += 1 - epsilon;
  return tensor(out, { dtype }).reshape([y.length, numClasses]);
}

/**
 * The training loss with label smoothing: crossEntropy(logits, labels, {labelSmoothing: ε}),
 * the cross-entropy against `smoothLabels(labels, C, ε)`.
 */
export function labelSmoothingLoss(logits: Tensor, labels: Tensor, epsilon = 0.1, opts: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  checkEpsilon('labelSmoothingLoss', epsilon);
  return crossEntropy(logits, labels, { ...opts, labelSmoothing: epsilon });
}
