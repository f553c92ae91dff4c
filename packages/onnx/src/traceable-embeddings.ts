import type { Tensor } from '@likelihood/core';

/** A module shaped like @likelihood/nn's Embedding. */
interface EmbeddingLike {
  weight: Tensor;
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number | null;
  forward(indices: Tensor): Tensor;
}

/** Anything with nn's `modules()` walk (a Module). */
export interface ModuleTree {
  modules(): Iterable<unknown>;
}

const isEmbedding = (m: unknown): m is EmbeddingLike => {
  const e = m as Partial<EmbeddingLike> | null;
  return !!e && typeof e.forward === 'function' && typeof e.numEmbeddings === 'number' && typeof e.embeddingDim === 'number' && e.paddingIdx === null && !!e.weight;
};

/**
 * Runs `fn` (a trace) with every Embedding of `root` looking its rows up through GatherElements
 * instead of Gather. Why: core's backward rule for Gather reads the indices' values in
 * JavaScript, so a traced backward pass freezes the example batch's token ids into the graph as
 * constants and every later batch would update the example's embedding rows. GatherElements'
 * backward is a ScatterAdd whose index is the traced indices tensor itself. The forward values
 * are identical (a row copy either way); the gradient differs only in summation order.
 * The lookups are restored afterwards. (Remove once core's Gather rule is traceable.)
 */
export function withTraceableEmbeddings<T>(root: ModuleTree | undefined, fn: () => T): T {
  const patched: EmbeddingLike[] = [];
  if (root) {
    for (const m of root.modules()) {
      if (!isEmbedding(m) || Object.hasOwn(m, 'forward')) continue;
      const e = m;
      const original = e.forward.bind(e);
      e.forward = (indices: Tensor) => {
        original(indices); // the layer's own checks (dtype, range)
        const n = indices.shape.reduce((a, b) => a * b, 1);
        const D = e.embeddingDim;
        const index = indices.reshape([n, 1]).expand([n, D]); // [N, D]: row id repeated along D
        return e.weight.gather(0, index).reshape([...indices.shape, D]); // (*indices, D)
      };
      patched.push(e);
    }
  }
  try {
    return fn();
  } finally {
    for (const e of patched) delete (e as Partial<EmbeddingLike>).forward;
  }
}
