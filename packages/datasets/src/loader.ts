// Minibatches over tensors that share their first dim (torch.utils.data.DataLoader over a
// TensorDataset), with seeded shuffling.
import { ArgumentError, type Generator, Tensor, randperm } from '@likelihood/core';

export interface DataLoaderOptions {
  /** Default 1. */
  batchSize?: number;
  /** Draw a new permutation (randperm) at the start of every epoch. Default false. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** The stream the permutations come from (default: the global generator). */
  generator?: Generator;
}

type Batch<T extends readonly Tensor[]> = { [K in keyof T]: Tensor };

/** Copies rows `idx[start..end)` of `t` (contiguous storage) into a new tensor. */
function takeRows(t: Tensor, idx: Int32Array, start: number, end: number): Tensor {
  const row = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const src = t.storage;
  const out = new (src.constructor as new (n: number) => typeof src)((end - start) * row);
  for (let k = start; k < end; k++) {
    const i = idx[k]!;
    out.set(src.subarray(i * row, (i + 1) * row), (k - start) * row);
  }
  return new Tensor(out, [end - start, ...t.shape.slice(1)], t.dtype);
}

/**
 * Iterates minibatches of rows of `tensors` (all with the same first dim). Each `for...of` is one
 * epoch; with `shuffle` every epoch draws its permutation from `generator`, so a seeded generator
 * gives the same batches on every machine. Batches are copies, without gradient history.
 */
export class DataLoader<T extends readonly Tensor[]> implements Iterable<Batch<T>> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;
  /** Number of rows. */
  readonly n: number;

  constructor(
    readonly tensors: T,
    opts: DataLoaderOptions = {},
  ) {
    if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
      throw new ArgumentError('DataLoader: tensors must be a non-empty array of Tensors, e.g. [x, y]');
    }
    const bad = tensors.find((t) => t.ndim === 0 || t.shape[0] !== tensors[0]!.shape[0]);
    if (bad) {
      throw new ArgumentError(`DataLoader: tensors must share their first dim, found shapes ${tensors.map((t) => `[${t.shape.join(', ')}]`).join(', ')}`);
    }
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ArgumentError(`DataLoader: batchSize must be a positive integer, found ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator;
    this.n = tensors[0]!.shape[0]!;
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast ? Math.floor(this.n / this.batchSize) : Math.ceil(this.n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch<T>> {
    const order = this.shuffle ? (randperm(this.n, { generator: this.generator }).storage as Int32Array) : Int32Array.from({ length: this.n }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, this.n);
      yield this.tensors.map((t) => takeRows(t, order, start, end)) as unknown as Batch<T>;
    }
  }

  /** `epochs` passes over the data: yields {epoch, step (within the epoch), batch}. */
  *epochs(epochs: number): Generator_<{ epoch: number; step: number; batch: Batch<T> }> {
    if (!Number.isInteger(epochs) || epochs < 0) throw new ArgumentError(`DataLoader.epochs: epochs must be a non-negative integer, found ${epochs}`);
    for (let epoch = 0; epoch < epochs; epoch++) {
      let step = 0;
      for (const batch of this) yield { epoch, step: step++, batch };
    }
  }
}

type Generator_<Y> = globalThis.Generator<Y, void, undefined>;

/**
 * Splits 0..n−1 into a random training set of ⌊trainFraction·n⌋ indices and a validation set of
 * the rest (one randperm from `generator`). Int32 index tensors, for `indexSelect(0, idx)`.
 */
export function trainValSplit(n: number, trainFraction: number, generator?: Generator): { train: Tensor; val: Tensor } {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`trainValSplit: n must be a non-negative integer, found ${n}`);
  if (!(trainFraction >= 0 && trainFraction <= 1)) throw new ArgumentError(`trainValSplit: trainFraction must be in [0, 1], found ${trainFraction}`);
  const p = randperm(n, { generator }).storage as Int32Array;
  const k = Math.floor(trainFraction * n);
  return { train: new Tensor(p.slice(0, k), [k], 'int32'), val: new Tensor(p.slice(k), [n - k], 'int32') };
}
