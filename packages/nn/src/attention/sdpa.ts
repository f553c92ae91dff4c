import { fmtShape as fmt } from '@likelihood/core';
import {
  ArgumentError,
  DTypeError,
  type Generator,
  ShapeError,
  type Tensor,
  dropout,
  matmul,
  ones,
  softmax,
  transpose,
  triu,
  where,
} from '@likelihood/core';

export interface AttentionOptions {
  /**
   * Causal masking, aligned to the bottom right: query i of L may attend key j of S when
   * j <= i + (S − L). With L = S this is torch's `is_causal`; with a KV cache (S > L) the new
   * queries see every cached key, which is what incremental decoding needs.
   */
  causal?: boolean;
  /** Bool mask (true = attend, torch's convention) or additive float mask, broadcast to [.., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights, applied only when `training` (default false). */
  dropoutP?: number;
  training?: boolean;
  generator?: Generator;
  /** Multiplier of q·k (default 1/√E). */
  scale?: number;
}


/**
 * softmax(q kᵀ · scale + mask) v, as torch.nn.functional.scaled_dot_product_attention.
 * q is [..., L, E], k is [..., S, E], v is [..., S, Ev]; leading dims broadcast. Written with
 * core ops, so it has gradients, traces, and exports to ONNX as MatMul/Softmax/Where.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new ShapeError(`scaledDotProductAttention: q, k, v need at least 2 dims, found ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
  }
  const L = q.shape[q.ndim - 2]!;
  const E = q.shape[q.ndim - 1]!;
  const S = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== E) throw new ShapeError(`scaledDotProductAttention: q has feature size ${E} but k has ${k.shape[k.ndim - 1]} (shapes ${fmt(q.shape)}, ${fmt(k.shape)})`);
  if (v.shape[v.ndim - 2] !== S) throw new ShapeError(`scaledDotProductAttention: k has ${S} positions but v has ${v.shape[v.ndim - 2]} (shapes ${fmt(k.shape)}, ${fmt(v.shape)})`);
  if (opts.causal && S < L) throw new ArgumentError(`scaledDotProductAttention: causal needs at least as many keys as queries, found L=${L} queries and S=${S} keys`);
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  let scores = matmul(q, transpose(k, -2, -1)).mul(scale); // [..., L, S]
  if (opts.causal) {
    const future = triu(ones([L, S], { dtype: 'bool' }), S - L + 1); // true where j > i + (S − L)
    scores = where(future, -Infinity, scores);
  }
  const m = opts.attnMask;
  if (m) {
    if (m.dtype === 'bool') scores = where(m, scores, -Infinity);
    else if (m.dtype === 'float32' || m.dtype === 'float64') scores = scores.add(m);
    else throw new DTypeError(`scaledDotProductAttention: attnMask must be bool or float, found ${m.dtype}`);
  }
  let w = softmax(scores, -1);
  const p = opts.dropoutP ?? 0;
  if (p > 0 && opts.training) w = dropout(w, p, true, opts.generator);
  return matmul(w, v); // [..., L, Ev]
}
