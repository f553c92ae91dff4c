import type { PrimitiveAttrs } from '../../primitives.js';
import type { TensorData } from '../../registry.js';
import { convOutSize } from '../cpu/conv.js';
import { GEMM_MIN_WORK_PER_THREAD } from './gemm.js';
import type { Arena } from './runtime.js';
import { beginKernelCall, imageThreads, runParallel } from './threads.js';

// 3×3 convolutions with unit strides by Winograd's minimal filtering (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016), the way cuDNN and oneDNN run them: an
// m×m output tile from an (m+2)×(m+2) input tile with (m+2)² products per channel pair instead
// of 9m² multiply-adds, for additions in the input and output transforms. F(2×2, 3×3) (16
// products for 4 outputs) and F(4×4, 3×3) (36 for 16, transforms with larger constants); the
// kernels (asm `convWinogradImages` and `convWinogradWeightGradImages`, both taking m) do the
// transforms and the GEMMs image by image; the kernel's transform U = G g Gᵀ and the weight
// gradient's way back Gᵀ ∂U G (asm `winogradKernelTransform`, `winogradKernelGradient`) run once
// per call on the calling thread.

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

/** One of the two tile sizes: m and its kernel transform G ((m+2) × 3). */
export interface WinogradVariant {
  /** Output tile side m. */
  m: 2 | 4;
  G: readonly (readonly number[])[];
}

export const WINOGRAD_F2: WinogradVariant = { m: 2, G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]] };

export const WINOGRAD_F4: WinogradVariant = {
  m: 4,
  G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
};

/** The variant for an output `Ow` wide. */
export function winogradVariant(Ow: number): WinogradVariant {
  return Ow >= WINOGRAD4_MIN_WIDTH ? WINOGRAD_F4 : WINOGRAD_F2;
}

/** Writes the variant's G (n × 3, row-major float32) at `ptr` of the arena's memory. */
function writeG(arena: Arena, ptr: number, v: WinogradVariant): void {
  arena.f32(ptr, 3 * v.G.length).set(v.G.flat());
}

/**
 * The kernels' Winograd transforms U = G g Gᵀ as the conv kernels read them (asm
 * `winogradKernelTransform`): u[((ξ·O/4 + ⌊o/4⌋)·C + c)·4 + o mod 4] = U[o, c][ξ]. w: (O, C, 3, 3),
 * or with `flip` a ConvTranspose weight (C, O, 3, 3) whose kernels are turned by 180°. For tests
 * and tools: the conv calls run the same kernel inside their own call. Null when wasm cannot run.
 */
export function winogradWeightsWasm(w: Float32Array, O: number, C: number, variant: WinogradVariant, flip = false): Float32Array | null {
  const n = variant.G.length;
  const call = beginKernelCall(0, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const pw = arena.input(w);
  const pu = arena.alloc(n * n * O * C * 4);
  const pG = arena.alloc(3 * n * 4);
  if (!arena.commit()) return null;
  writeG(arena, pG, variant);
  k.winogradKernelTransform(pw, pu, pG, n, O, C, flip ? 1 : 0);
  return arena.f32(pu, n * n * O * C).slice();
}

/**
 * dW (O, C, 3, 3) = Gᵀ ∂U G from `parts` partial sums of ∂U (each n²·C·O floats laid out
 * acc[(ξ·C + c)·O + o], as the weight-gradient kernels leave them; asm `winogradKernelGradient`).
 * For tests and tools, as winogradWeightsWasm. Null when wasm cannot run.
 */
export function winogradWeightsGradientWasm(acc: Float32Array, parts: number, O: number, C: number, variant: WinogradVariant): Float32Array | null {
  const n = variant.G.length;
  const call = beginKernelCall(0, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const pacc = arena.input(acc);
  const pG = arena.alloc(3 * n * 4);
  const pdw = arena.alloc(O * C * 9 * 4);
  if (!arena.commit()) return null;
  writeG(arena, pG, variant);
  k.winogradKernelGradient(pacc, parts, pG, n, O, C, pdw);
  return arena.f32(pdw, O * C * 9).slice();
}

/**
 * Conv (float32; conv.ts's winogradApplies says where) by Winograd (the variant for its output
 * width unless given): images split between threads, each with its own padded image and transform
 * buffers. With `flip`, w is a ConvTranspose weight (C, O, 3, 3) and the conv is its unit-stride
 * transpose's (kernels turned by 180° as they are transformed; attrs are the conv's). Null when
 * wasm cannot run.
 */
export function convWinogradWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv'], variant?: WinogradVariant, flip = false): TensorData | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = w.shape[flip ? 1 : 0]!;
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
  const bufBytes = k.winogradScratchBytes(C, O, Oh, Ow, v.m);
  const threads = imageThreads(call.threads, N, bufBytes, (x.storage.length + nu + N * O * Oh * Ow) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pw = arena.input(w.storage as Float32Array);
  const pu = arena.alloc(nu * 4);
  const pG = arena.alloc(3 * (v.m + 2) * 4);
  const py = arena.output(N * O * Oh * Ow);
  const bufs: number[] = [];
  for (let t = 0; t < threads; t++) bufs.push(arena.alloc(bufBytes));
  if (!arena.commit()) return null;
  writeG(arena, pG, v);
  k.winogradKernelTransform(pw, pu, pG, v.m + 2, O, C, flip ? 1 : 0);
  const args = (t: number) => [px, pu, py, C, H, W, O, pt, pl, Oh, Ow, v.m, bufs[t]!, 0, 0];
  runParallel(k, { fn: 'convWinogradImages', args, lo: 13, hi: 14, total: N, chunk: 1 }, threads);
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
  const bufBytes = k.winogradWeightGradScratchBytes(C, O, Oh, Ow, v.m);
  const accFloats = (v.m + 2) ** 2 * C * O;
  const threads = imageThreads(call.threads, N, bufBytes + accFloats * 4, (x.storage.length + g.storage.length) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pg = arena.input(g.storage as Float32Array);
  const pacc = arena.alloc(threads * accFloats * 4);
  const pG = arena.alloc(3 * (v.m + 2) * 4);
  const pdw = arena.alloc(O * C * 9 * 4);
  const bufs: number[] = [];
  for (let t = 0; t < threads; t++) bufs.push(arena.alloc(bufBytes));
  if (!arena.commit()) return null;
  arena.f32(pacc, threads * accFloats).fill(0);
  writeG(arena, pG, v);
  const args = (t: number) => [px, pg, pacc + t * accFloats * 4, C, H, W, O, pt, pl, Oh, Ow, v.m, bufs[t]!, 0, 0];
  // chunks of whole image groups (the kernel transforms a group's images side by side)
  runParallel(k, { fn: 'convWinogradWeightGradImages', args, lo: 13, hi: 14, total: N, chunk: k.winogradGradGroup(Oh, Ow, v.m) }, threads);
  k.winogradKernelGradient(pacc, threads, pG, v.m + 2, O, C, pdw);
  return arena.f32(pdw, O * C * 9).slice();
}
