import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { fusedCausalAttention } from '../kernels/wasm/attention.js';
import { type Tensor, ones } from '../tensor.js';
import { where } from './elementwise.js';
import { matmul } from './linalg.js';
import { split, transpose, triu } from './movement.js';
import { softmax } from './reduce.js';

export interface CausalAttentionOptions {
  /** Multiplier of q·k (default 1/√headDim). */
  scale?: number;
}

/**
 * Causal multi-head self-attention on a packed projection, as GPT-2 computes it: `qkv` is
 * [B, T, 3·C] holding q, k and v side by side (each C = nHead·headDim, heads contiguous), and
 * the result is softmax(q·kᵀ·scale, masked to keys j ≤ i)·v with the heads merged back, [B, T, C].
 * Equal to splitting, reshaping to [B, nHead, T, headDim], scaled dot-product attention with
 * torch's `is_causal` and merging, which is what it computes (and records) under `trace`; in
 * eager float32 mode it is one fused kernel each way, reading the heads in place.
 */
export function causalAttentionPacked(qkv: Tensor, nHead: number, opts: CausalAttentionOptions = {}): Tensor {
  const op = 'causalAttentionPacked';
  if (!isFloating(qkv.dtype)) throw new DTypeError(`${op}: qkv must be a float tensor, found dtype ${qkv.dtype}`);
  if (!Number.isInteger(nHead) || nHead < 1) throw new ArgumentError(`${op}: nHead must be a positive integer, found ${nHead}`);
  if (qkv.ndim !== 3 || qkv.shape[2]! % (3 * nHead) !== 0) {
    throw new ShapeError(`${op}: qkv must be [B, T, 3·C] with C a multiple of nHead (${nHead}), found shape ${fmtShape(qkv.shape)}`);
  }
  const hd = qkv.shape[2]! / 3 / nHead;
  const scale = opts.scale ?? 1 / Math.sqrt(hd);
  if (typeof scale !== 'number' || Number.isNaN(scale)) throw new ArgumentError(`${op}: scale must be a number, found ${String(scale)}`);
  const composite = (x: Tensor) => causalAttentionComposite(x, nHead, scale);
  return fusedCausalAttention(qkv, nHead, scale, composite) ?? composite(qkv);
}

/** The primitive chain: split, heads to [B, H, T, hd], masked softmax(q·kᵀ·scale)·v, heads merged. */
function causalAttentionComposite(qkv: Tensor, H: number, scale: number): Tensor {
  const [B, T, C3] = qkv.shape as [number, number, number];
  const C = C3 / 3;
  const heads = (t: Tensor) => transpose(t.reshape([B, T, H, C / H]), 1, 2); // [B, T, C] -> [B, H, T, hd]
  const [q, k, v] = split(qkv, C, 2).map(heads) as [Tensor, Tensor, Tensor];
  const scores = matmul(q, transpose(k, -2, -1)).mul(scale); // [B, H, T, T]
  const future = triu(ones([T, T], { dtype: 'bool' }), 1); // true where key j > query i
  const w = softmax(where(future, -Infinity, scores), -1);
  return transpose(matmul(w, v), 1, 2).reshape([B, T, C]); // [B, H, T, hd] -> [B, T, C]
}
