import type { PrimitiveAttrs } from '../../primitives.js';
import type { TensorData } from '../../registry.js';
import { convOutSize } from '../cpu/conv.js';
import { GEMM_MIN_WORK_PER_THREAD } from './gemm.js';
import { sumPartials } from './layerNorm.js';
import type { KernelExports } from './runtime.js';
import { type KernelName, beginKernelCall, imageThreads, runParallel } from './threads.js';

// 3×3 convolutions with unit strides by Winograd's minimal filtering (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016), the way cuDNN and oneDNN run them: an
// m×m output tile from an (m+2)×(m+2) input tile with (m+2)² products per channel pair instead
// of 9m² multiply-adds, for additions in the input and output transforms. F(2×2, 3×3) (16
// products for 4 outputs) and F(4×4, 3×3) (36 for 16, transforms with larger constants); the
// kernels (asm `convWinogradImages`, `convWinograd4Images` and their weight gradients) do the
// transforms and the GEMMs image by image; the kernel's transform U = G g Gᵀ and the weight
// gradient's way back Gᵀ ∂U G are made here, once per call.

/**
 * Input channels from which Winograd beats the direct kernel: below it the input transform (per
 * input channel) is large against the GEMMs' multiplies. apps/bench src/conv-parts.ts measures
 * both per image.
 */
export const WINOGRAD_MIN_CHANNELS = 8;

/**
 * Output width from which F(4×4, 3×3) is used instead of F(2×2, 3×3): narrower outputs waste
 * too much of its 4-wide tiles, taken four at a time (a 7-wide output computes 16 columns).
 */
export const WINOGRAD4_MIN_WIDTH = 12;

/** One of the two tile sizes: its kernel transform G ((m+2) × 3) and its wasm kernels. */
export interface WinogradVariant {
  /** Output tile side m. */
  m: 2 | 4;
  G: readonly (readonly number[])[];
  conv: KernelName;
  weightGrad: KernelName;
  scratchBytes(k: KernelExports, C: number, O: number, Oh: number, Ow: number): number;
  weightGradScratchBytes(k: KernelExports, C: number, O: number, Oh: number, Ow: number): number;
  /** Images the weight gradient transforms side by side (its chunks are whole groups). */
  gradGroup(k: KernelExports, Oh: number, Ow: number): number;
}

export const WINOGRAD_F2: WinogradVariant = {
  m: 2,
  G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
  conv: 'convWinogradImages',
  weightGrad: 'convWinogradWeightGradImages',
  scratchBytes: (k, C, O, Oh, Ow) => k.winogradScratchBytes(C, O, Oh, Ow),
  weightGradScratchBytes: (k, C, O, Oh, Ow) => k.winogradWeightGradScratchBytes(C, O, Oh, Ow),
  gradGroup: (k, Oh, Ow) => k.winogradGradGroup(Oh, Ow),
};

export const WINOGRAD_F4: WinogradVariant = {
  m: 4,
  G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
  conv: 'convWinograd4Images',
  weightGrad: 'convWinograd4WeightGradImages',
  scratchBytes: (k, C, O, Oh, Ow) => k.winograd4ScratchBytes(C, O, Oh, Ow),
  weightGradScratchBytes: (k, C, O, Oh, Ow) => k.winograd4WeightGradScratchBytes(C, O, Oh, Ow),
  gradGroup: (k, Oh, Ow) => k.winograd4GradGroup(Oh, Ow),
};

/** The variant for an output `Ow` wide. */
export function winogradVariant(Ow: number): WinogradVariant {
  return Ow >= WINOGRAD4_MIN_WIDTH ? WINOGRAD_F4 : WINOGRAD_F2;
}

/**
 * The kernels' Winograd transforms U = G g Gᵀ ((m+2)² values each) laid out for the conv kernels:
 * u[((ξ·O/4 + ⌊o/4⌋)·C + c)·4 + o mod 4] = U[o, c][ξ], ξ = (m+2)·row + column. w: (O, C, 3, 3)
 * with O a multiple of 4; written into `u` ((m+2)²·O·C floats).
 */
export function winogradWeights(w: ArrayLike<number>, O: number, C: number, u: Float32Array, variant: WinogradVariant): void {
  const G = variant.G;
  const n = G.length;
  const t = new Float64Array(3 * n); // G g: n rows × 3
  const xiStride = O * C; // floats between consecutive ξ
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      const g = (o * C + c) * 9;
      for (let a = 0; a < n; a++) {
        const Ga = G[a]!;
        for (let j = 0; j < 3; j++) t[3 * a + j] = Ga[0]! * w[g + j]! + Ga[1]! * w[g + 3 + j]! + Ga[2]! * w[g + 6 + j]!;
      }
      const lane = ((o >> 2) * C + c) * 4 + (o & 3);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const Gb = G[b]!;
          u[lane + (n * a + b) * xiStride] = t[3 * a]! * Gb[0]! + t[3 * a + 1]! * Gb[1]! + t[3 * a + 2]! * Gb[2]!;
        }
      }
    }
  }
}

/**
 * The kernels' gradients Gᵀ ∂U G (3×3 each) from the Winograd-domain gradients ∂U laid out as the
 * weight-gradient kernels accumulate them: dU[(ξ·C + c)·O + o]. Returns dW as (O, C, 3, 3).
 */
export function winogradWeightsGradient(dU: ArrayLike<number>, O: number, C: number, variant: WinogradVariant): Float32Array {
  const G = variant.G;
  const n = G.length;
  const dw = new Float32Array(O * C * 9);
  const p = new Float64Array(3 * n); // Gᵀ ∂U: 3 rows × n
  const xiStride = C * O;
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < O; o++) {
      const at = c * O + o;
      for (let r = 0; r < 3; r++) {
        for (let b = 0; b < n; b++) {
          let s = 0;
          for (let a = 0; a < n; a++) s += G[a]![r]! * dU[at + (n * a + b) * xiStride]!;
          p[n * r + b] = s;
        }
      }
      const out = (o * C + c) * 9;
      for (let r = 0; r < 3; r++) {
        for (let s = 0; s < 3; s++) {
          let v = 0;
          for (let b = 0; b < n; b++) v += p[n * r + b]! * G[b]![s]!;
          dw[out + 3 * r + s] = v;
        }
      }
    }
  }
  return dw;
}

/**
 * Conv (float32; conv.ts's winogradApplies says where) by Winograd (the variant for its output
 * width unless given): images split between threads, each with its own padded image and transform
 * buffers. Null when wasm cannot run.
 */
export function convWinogradWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv'], variant?: WinogradVariant): TensorData | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = w.shape[0]!;
  const [pt, pl, pb, pr] = attrs.pads as [number, number, number, number];
  const Oh = convOutSize(H, 3, 1, pt, pb, 1);
  const Ow = convOutSize(W, 3, 1, pl, pr, 1);
  const shape = [N, O, Oh, Ow];
  if (N * O * Oh * Ow === 0) return { storage: new Float32Array(N * O * Oh * Ow), shape, dtype: 'float32' };
  const v = variant ?? winogradVariant(Ow);
  const nu = (v.m + 2) ** 2 * O * C;
  // threads are worth it from the direct convolution's multiply-adds
  const call = beginKernelCall(N * O * C * 9 * Oh * Ow, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const bufBytes = v.scratchBytes(k, C, O, Oh, Ow);
  const threads = imageThreads(call.threads, N, bufBytes, (x.storage.length + nu + N * O * Oh * Ow) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pu = arena.alloc(nu * 4);
  const py = arena.output(N * O * Oh * Ow);
  const bufs: number[] = [];
  for (let t = 0; t < threads; t++) bufs.push(arena.alloc(bufBytes));
  if (!arena.commit()) return null;
  winogradWeights(w.storage, O, C, arena.f32(pu, nu), v);
  const args = (t: number) => [px, pu, py, C, H, W, O, pt, pl, Oh, Ow, bufs[t]!, 0, 0];
  runParallel(k, { fn: v.conv, args, lo: 12, hi: 13, total: N, chunk: 1 }, threads);
  return { storage: arena.take(py, N * O * Oh * Ow), shape, dtype: 'float32' };
}

/**
 * Conv's weight gradient (float32; where conv.ts's winogradApplies holds for the kernel's shape)
 * in the Winograd domain of the variant the forward uses (unless given): every thread sums ∂U
 * over its images, the partial sums are added and mapped back by winogradWeightsGradient.
 * g: the output gradient (N, O, Oh, Ow). Null when wasm cannot run.
 */
export function convWinogradWeightGradWasm(x: TensorData, g: TensorData, attrs: PrimitiveAttrs['Conv'], variant?: WinogradVariant): Float32Array | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, O, Oh, Ow] = g.shape as [number, number, number, number];
  const [pt, pl] = attrs.pads as [number, number];
  if (N * Oh * Ow === 0) return new Float32Array(O * C * 9);
  const v = variant ?? winogradVariant(Ow);
  const call = beginKernelCall(N * O * C * 9 * Oh * Ow, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const bufBytes = v.weightGradScratchBytes(k, C, O, Oh, Ow);
  const accFloats = (v.m + 2) ** 2 * C * O;
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
  runParallel(k, { fn: v.weightGrad, args, lo: 12, hi: 13, total: N, chunk: v.gradGroup(k, Oh, Ow) }, threads);
  return winogradWeightsGradient(sumPartials(arena.f32(pacc, threads * accFloats), threads, accFloats), O, C, v);
}
