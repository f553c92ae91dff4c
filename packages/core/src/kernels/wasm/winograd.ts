import type { PrimitiveAttrs } from '../../primitives.js';
import type { TensorData } from '../../registry.js';
import { convOutSize } from '../cpu/conv.js';
import { GEMM_MIN_WORK_PER_THREAD } from './gemm.js';
import { sumPartials } from './layerNorm.js';
import { beginKernelCall, imageThreads, runParallel } from './threads.js';

// 3×3 convolutions with unit strides by Winograd's F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms
// for Convolutional Neural Networks", 2016), the way cuDNN and oneDNN run them: 16 multiplies per
// 2×2 output tile and channel pair instead of 36, for a few additions in the input and output
// transforms. The kernel (asm `convWinogradImages`) does the transforms and the 16 GEMMs image
// by image; the kernel's transform U = G g Gᵀ is made here, once per call.

/**
 * Input channels from which Winograd beats the direct kernel: below it the input transform (per
 * input channel) is large against the GEMMs' 16·O·C multiplies per tile. apps/bench
 * src/conv-parts.ts measures both per image.
 */
export const WINOGRAD_MIN_CHANNELS = 8;

/**
 * The kernels' Winograd transforms U = G g Gᵀ (4×4 each; G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]) laid
 * out for convWinogradImages: u[((ξ·O/4 + ⌊o/4⌋)·C + c)·4 + o mod 4] = U[o, c][ξ], ξ = 4·row + column.
 * w: (O, C, 3, 3) with O a multiple of 4; written into `u` (16·O·C floats).
 */
export function winogradWeights(w: ArrayLike<number>, O: number, C: number, u: Float32Array): void {
  const t = new Float64Array(12); // G g: 4 rows × 3
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      const g = (o * C + c) * 9;
      for (let j = 0; j < 3; j++) {
        const g0 = w[g + j]!, g1 = w[g + 3 + j]!, g2 = w[g + 6 + j]!;
        t[j] = g0;
        t[3 + j] = 0.5 * (g0 + g1 + g2);
        t[6 + j] = 0.5 * (g0 - g1 + g2);
        t[9 + j] = g2;
      }
      const lane = ((o >> 2) * C + c) * 4 + (o & 3);
      const xiStride = O * C; // floats between consecutive ξ
      for (let r = 0; r < 4; r++) {
        const a = t[3 * r]!, b = t[3 * r + 1]!, d = t[3 * r + 2]!;
        const base = lane + 4 * r * xiStride;
        u[base] = a;
        u[base + xiStride] = 0.5 * (a + b + d);
        u[base + 2 * xiStride] = 0.5 * (a - b + d);
        u[base + 3 * xiStride] = d;
      }
    }
  }
}

/**
 * Conv (float32; conv.ts's winogradApplies says where) by Winograd F(2×2, 3×3): images split between threads, each
 * with its own padded image and transform buffers. Null when wasm cannot run.
 */
export function convWinogradWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv']): TensorData | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = w.shape[0]!;
  const [pt, pl, pb, pr] = attrs.pads as [number, number, number, number];
  const Oh = convOutSize(H, 3, 1, pt, pb, 1);
  const Ow = convOutSize(W, 3, 1, pl, pr, 1);
  const shape = [N, O, Oh, Ow];
  if (N * O * Oh * Ow === 0) return { storage: new Float32Array(N * O * Oh * Ow), shape, dtype: 'float32' };
  // threads are worth it from the direct convolution's multiply-adds
  const call = beginKernelCall(N * O * C * 9 * Oh * Ow, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const bufBytes = k.winogradScratchBytes(C, O, Oh, Ow);
  const threads = imageThreads(call.threads, N, bufBytes, (x.storage.length + 16 * O * C + N * O * Oh * Ow) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pu = arena.alloc(16 * O * C * 4);
  const py = arena.output(N * O * Oh * Ow);
  const bufs: number[] = [];
  for (let t = 0; t < threads; t++) bufs.push(arena.alloc(bufBytes));
  if (!arena.commit()) return null;
  winogradWeights(w.storage, O, C, arena.f32(pu, 16 * O * C));
  const args = (t: number) => [px, pu, py, C, H, W, O, pt, pl, Oh, Ow, bufs[t]!, 0, 0];
  runParallel(k, { fn: 'convWinogradImages', args, lo: 12, hi: 13, total: N, chunk: 1 }, threads);
  return { storage: arena.take(py, N * O * Oh * Ow), shape, dtype: 'float32' };
}

/**
 * The kernels' gradients Gᵀ ∂U G (3×3 each) from the Winograd-domain gradients ∂U laid out as
 * convWinogradWeightGradImages accumulates them: dU[(ξ·C + c)·O + o]. Returns dW as (O, C, 3, 3).
 */
export function winogradWeightsGradient(dU: ArrayLike<number>, O: number, C: number): Float32Array {
  const dw = new Float32Array(O * C * 9);
  const p = new Float64Array(12); // Gᵀ ∂U: 3 rows × 4
  const xiStride = C * O;
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < O; o++) {
      const at = c * O + o;
      for (let b = 0; b < 4; b++) {
        const u0 = dU[at + b * xiStride]!, u1 = dU[at + (4 + b) * xiStride]!, u2 = dU[at + (8 + b) * xiStride]!, u3 = dU[at + (12 + b) * xiStride]!;
        p[b] = u0 + 0.5 * (u1 + u2);
        p[4 + b] = 0.5 * (u1 - u2);
        p[8 + b] = 0.5 * (u1 + u2) + u3;
      }
      const out = (o * C + c) * 9;
      for (let r = 0; r < 3; r++) {
        const q0 = p[4 * r]!, q1 = p[4 * r + 1]!, q2 = p[4 * r + 2]!, q3 = p[4 * r + 3]!;
        dw[out + 3 * r] = q0 + 0.5 * (q1 + q2);
        dw[out + 3 * r + 1] = 0.5 * (q1 - q2);
        dw[out + 3 * r + 2] = 0.5 * (q1 + q2) + q3;
      }
    }
  }
  return dw;
}

/**
 * Conv's weight gradient (float32; where conv.ts's winogradApplies holds for the kernel's shape)
 * in the Winograd domain: every thread sums ∂U over its images, the partial sums are added and
 * mapped back by winogradWeightsGradient. g: the output gradient (N, O, Oh, Ow). Null when wasm
 * cannot run.
 */
export function convWinogradWeightGradWasm(x: TensorData, g: TensorData, attrs: PrimitiveAttrs['Conv']): Float32Array | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, O, Oh, Ow] = g.shape as [number, number, number, number];
  const [pt, pl] = attrs.pads as [number, number];
  if (N * Oh * Ow === 0) return new Float32Array(O * C * 9);
  const call = beginKernelCall(N * O * C * 9 * Oh * Ow, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const bufBytes = k.winogradWeightGradScratchBytes(C, O, Oh, Ow);
  const accFloats = 16 * C * O;
  const threads = imageThreads(call.threads, N, bufBytes + accFloats * 4, (x.storage.length + g.storage.length) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pg = arena.input(g.storage as Float32Array);
  const pacc = arena.alloc(threads * accFloats * 4);
  const bufs: number[] = [];
  for (let t = 0; t < threads; t++) bufs.push(arena.alloc(bufBytes));
  if (!arena.commit()) return null;
  arena.f32(pacc, threads * accFloats).fill(0);
  const args = (t: number) => [px, pg, pacc + t * accFloats * 4, C, H, W, O, pt, pl, Oh, Ow, bufs[t]!, 0, 0];
  // chunks of whole image groups (the kernel transforms a group's images side by side)
  runParallel(k, { fn: 'convWinogradWeightGradImages', args, lo: 12, hi: 13, total: N, chunk: k.winogradGradGroup(Oh, Ow) }, threads);
  return winogradWeightsGradient(sumPartials(arena.f32(pacc, threads * accFloats), threads, accFloats), O, C);
}
