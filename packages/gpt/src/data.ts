import { ArgumentError, type Generator, Tensor, defaultGenerator } from '@likelihood/core';

/** A token stream split at `1 − valFraction` (nanoGPT: the first 90% train, the rest val). */
export function splitTokens(ids: ArrayLike<number>, valFraction = 0.1): { train: Int32Array; val: Int32Array } {
  if (!(valFraction >= 0 && valFraction < 1)) throw new ArgumentError(`splitTokens: valFraction must be in [0, 1), found ${valFraction}`);
  const all = Int32Array.from(ids);
  const n = Math.floor(all.length * (1 - valFraction));
  return { train: all.slice(0, n), val: all.slice(n) };
}

/**
 * nanoGPT's get_batch: `batchSize` random windows of `blockSize + 1` tokens; x is each window
 * without its last token and y without its first, both int32 [B, T]. Offsets are drawn from
 * `generator`, so a seed fixes the batches.
 */
export function getBatch(data: Int32Array, batchSize: number, blockSize: number, generator: Generator = defaultGenerator()): { x: Tensor; y: Tensor } {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`getBatch: batchSize must be a positive integer, found ${batchSize}`);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new ArgumentError(`getBatch: blockSize must be a positive integer, found ${blockSize}`);
  const span = data.length - blockSize;
  if (span < 1) throw new ArgumentError(`getBatch: need more than blockSize + 1 = ${blockSize + 1} tokens, found ${data.length}`);
  const x = new Int32Array(batchSize * blockSize);
  const y = new Int32Array(batchSize * blockSize);
  for (let b = 0; b < batchSize; b++) {
    const start = Math.floor(generator.random() * span);
    x.set(data.subarray(start, start + blockSize), b * blockSize);
    y.set(data.subarray(start + 1, start + 1 + blockSize), b * blockSize);
  }
  return { x: new Tensor(x, [batchSize, blockSize], 'int32'), y: new Tensor(y, [batchSize, blockSize], 'int32') };
}
