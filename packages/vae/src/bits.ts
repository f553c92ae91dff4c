import type { Tensor } from '@likelihood/core';

/**
 * Bits per dimension of a log-likelihood: −log p(x) / (D · ln 2), with log p in nats and D the
 * number of data values (784 for an MNIST image). For a discrete likelihood this is the code
 * length per value under the model.
 */
export function bitsPerDim<T extends Tensor | number>(logLikelihoodNats: T, dims: number): T {
  const k = -1 / (dims * Math.LN2);
  return (typeof logLikelihoodNats === 'number' ? logLikelihoodNats * k : (logLikelihoodNats as Tensor).mul(k)) as T;
}
