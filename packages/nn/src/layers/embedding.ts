import { ArgumentError, DTypeError, ShapeError, arange, type FloatDType, type Generator, type Tensor, embedding, ne, noGrad, unsqueeze, where, zeros } from '@likelihood/core';
import { normal_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkInt, floatDType, fmtShape } from './util.js';

export interface EmbeddingOptions {
  /** This row gets no gradient and starts at zero (torch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (torch.nn.Embedding):
 * int32 indices of any shape give (*indices.shape, embeddingDim). `weight` starts N(0, 1),
 * with the padding row zeroed.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    checkInt('Embedding', 'numEmbeddings', numEmbeddings, 1);
    checkInt('Embedding', 'embeddingDim', embeddingDim, 1);
    const dtype = floatDType('Embedding', opts.dtype);
    let p = opts.paddingIdx ?? null;
    if (p !== null) {
      if (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings) {
        throw new ArgumentError(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], found ${String(p)}`);
      }
      if (p < 0) p += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = p;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype }));
    this.resetParameters(opts.generator);
  }

  /**
   * An Embedding holding a copy of `embeddings` (numEmbeddings, embeddingDim), frozen unless
   * `freeze: false` (torch.nn.Embedding.from_pretrained).
   */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings?.ndim !== 2) {
      throw new ShapeError(`Embedding.fromPretrained: expected embeddings of shape (numEmbeddings, embeddingDim), found ${embeddings?.shape ? fmtShape(embeddings.shape) : typeof embeddings}`);
    }
    const [n, d] = embeddings.shape as [number, number];
    const e = new Embedding(n, d, { paddingIdx: opts.paddingIdx, dtype: floatDType('Embedding.fromPretrained', embeddings.dtype as FloatDType) });
    e.weight = new Parameter(embeddings.detach(), !(opts.freeze ?? true));
    return e;
  }

  resetParameters(generator?: Generator): void {
    normal_(this.weight, 0, 1, generator);
    const p = this.paddingIdx;
    if (p !== null) {
      noGrad(() => {
        const keep = unsqueeze(ne(arange(this.numEmbeddings, undefined, 1, { dtype: 'int32' }), p), 1); // (V, 1)
        this.weight.assign_(where(keep, this.weight, 0));
      });
    }
  }

  forward(indices: Tensor): Tensor {
    if (indices?.dtype !== 'int32') {
      throw new DTypeError(`Embedding: expected int32 indices, found ${indices?.dtype === undefined ? typeof indices : `dtype ${indices.dtype}`}`);
    }
    const s = indices.storage;
    for (let i = 0; i < s.length; i++) {
      if (!(s[i]! >= 0 && s[i]! < this.numEmbeddings)) {
        throw new ArgumentError(
          `Embedding: expected indices in [0, ${this.numEmbeddings - 1}], found ${s[i]} at flat position ${i} of indices with shape ${fmtShape(indices.shape)}`,
        );
      }
    }
    const out = embedding(indices, this.weight); // (*indices, D)
    if (this.paddingIdx === null) return out;
    // Same values; padding positions carry no gradient to the weight (torch's padding_idx).
    const keep = unsqueeze(ne(indices, this.paddingIdx), -1);
    return where(keep, out, out.detach());
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
