import type { PrimitiveAttrs } from '../../primitives.js';
import { type TensorData, getKernel, registerKernel } from '../../registry.js';
import { Tensor } from '../../tensor.js';
import { type Geom, convGeom, convOutSize, convTransposeOutSize, convWeightGradKernel, prod } from '../cpu/conv.js';
import { GEMM_MIN_WORK_PER_THREAD, packBOnThreads, reserveGemmWorkspace, sgemmPackedOnThreads } from './gemm.js';
import { MATMUL_WASM_MIN_WORK, directBackwardAllowed } from './matmul.js';
import { useWasm } from './preference.js';
import type { KernelExports } from './runtime.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk, threadsFor } from './threads.js';

// Conv, its weight gradient and ConvTranspose (which is also Conv's input gradient) with their
// GEMMs in wasm (float32), so convolutional models get the SIMD kernel and its threads. im2col and
// col2im run in linear memory too, over all images of a chunk in one threaded call. The
// TypeScript kernels stay registered underneath as the reference and the fallback.

const convReference = getKernel('Conv', 'cpu');
const convTransposeReference = getKernel('ConvTranspose', 'cpu');

/** Multiply-adds of one image's GEMM: output channels × positions × (input channels · kernel volume). */
function imageWork(outChannels: number, positions: number, reduction: number): number {
  return outChannels * positions * reduction;
}


registerKernel('Conv', 'cpu', (inputs, attrs) => {
  const [x, w] = inputs;
  if (x!.dtype !== 'float32' || w!.dtype !== 'float32') return convReference(inputs, attrs);
  // w: (O, C/group, ...kernel); the output has about as many positions as the input
  const work = imageWork(w!.shape[0]!, prod(x!.shape.slice(2)), prod(w!.shape.slice(1)));
  return (useWasm(work, MATMUL_WASM_MIN_WORK) && convWasm(x!, w!, attrs)) || convReference(inputs, attrs);
});

registerKernel('ConvTranspose', 'cpu', (inputs, attrs) => {
  const [x, w] = inputs;
  if (x!.dtype !== 'float32' || w!.dtype !== 'float32') return convTransposeReference(inputs, attrs);
  // w: (C, O/group, ...kernel); one GEMM per image: (O/group·kernel) × positions × C/group
  const work = imageWork(prod(w!.shape.slice(1)), prod(x!.shape.slice(2)), w!.shape[0]! / attrs.group);
  return (useWasm(work, MATMUL_WASM_MIN_WORK) && convTransposeWasm(x!, w!, attrs)) || convTransposeReference(inputs, attrs);
});

/**
 * Conv's weight gradient from im2col and GEMMs (wasm for float32 when large enough), for the
 * Conv backward rule; null when the rule must build it from tensor ops (createGraph, trace,
 * anomaly detection) or for dtypes other than float32/float64.
 */
export function convWeightGradDirect(x: Tensor, g: Tensor, K: readonly number[], attrs: PrimitiveAttrs['Conv']): Tensor | null {
  if (!directBackwardAllowed() || x.dtype !== g.dtype || (x.dtype !== 'float32' && x.dtype !== 'float64')) return null;
  const R = (x.shape[1]! / attrs.group) * prod(K);
  const work = imageWork(g.shape[1]!, prod(g.shape.slice(2)) * x.shape[0]!, R);
  const inWasm = x.dtype === 'float32' && useWasm(work, MATMUL_WASM_MIN_WORK);
  const dw = (inWasm && convWeightGradWasm(x, g, K, attrs)) || convWeightGradKernel(x.storage, x.shape, g.storage, g.shape, K, attrs, x.dtype);
  return new Tensor(dw, [g.shape[1]!, x.shape[1]! / attrs.group, ...K], x.dtype);
}

/** Threads for an im2col/col2im pass over `elements` floats: at most the call's, fewer when small. */
function copyThreads(elements: number, threads: number): number {
  return threads <= 1 ? 1 : Math.min(threads, threadsFor(elements, ELEMENTWISE_MIN_WORK_PER_THREAD));
}

/**
 * im2col (asm/kernels.ts) of `channels` channels of m images (image j's at byte pointer x + j·xImage
 * floats) into col, the images side by side (row stride ld, image j's columns from j·colImage):
 * one call, (image, channel) pairs split between threads.
 */
function im2colImages(k: KernelExports, x: number, xImage: number, col: number, ld: number, colImage: number, m: number, channels: number, g: Geom, threads: number): void {
  const units = m * channels;
  const t = copyThreads(units * prod(g.K) * prod(g.O), threads);
  const args = () => [x, xImage, col, ld, colImage, 0, 0, channels, ...g.S, ...g.K, ...g.O, ...g.st, ...g.pb, ...g.dl];
  runParallel(k, { fn: 'im2col', args, lo: 5, hi: 6, total: units, chunk: splitChunk(units, 1, t) }, t);
}

/** col2im (asm/kernels.ts), im2col's adjoint with the same layout, into y (image j's channels from j·yImage floats). */
function col2imImages(k: KernelExports, col: number, ld: number, colImage: number, y: number, yImage: number, m: number, channels: number, g: Geom, threads: number): void {
  const units = m * channels;
  const t = copyThreads(units * prod(g.K) * prod(g.O), threads);
  const args = () => [col, ld, colImage, y, yImage, 0, 0, channels, ...g.S, ...g.K, ...g.O, ...g.st, ...g.pb, ...g.dl];
  runParallel(k, { fn: 'col2im', args, lo: 5, hi: 6, total: units, chunk: splitChunk(units, 1, t) }, t);
}

/** Images of one im2col chunk: all of them unless R × (images·Ovol) would pass 4 Mi floats. */
function imagesPerChunk(N: number, R: number, Ovol: number): number {
  return Math.max(1, Math.min(N, Math.floor((1 << 22) / Math.max(1, R * Ovol))));
}

/**
 * Conv (float32) in wasm: per group and chunk of images, im2col writes the images side by side
 * straight into linear memory, which is packed once and multiplied by the group's weights on
 * all threads: (Og, R)·(R, m·Ovol); the result is scattered to (N, O, *So). Null when wasm
 * cannot run (the caller falls back).
 */
function convWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv']): TensorData | null {
  const { strides, pads, dilations, group: G } = attrs;
  const nsp = x.shape.length - 2;
  const [N, C] = x.shape as [number, number];
  const O = w.shape[0]!;
  const Sx = x.shape.slice(2);
  const Kx = w.shape.slice(2);
  const Ox = Sx.map((s, i) => convOutSize(s, Kx[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!));
  const geom = convGeom(Sx, Kx, Ox, attrs);
  const Cg = C / G;
  const Og = O / G;
  const Svol = prod(Sx);
  const Ovol = prod(Ox);
  const R = Cg * prod(Kx);
  const out = new Float32Array(N * O * Ovol);
  if (out.length === 0 || R === 0) return { storage: out, shape: [N, O, ...Ox], dtype: 'float32' };
  const nb = imagesPerChunk(N, R, Ovol);
  const call = beginKernelCall(Og * R * nb * Ovol, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.alloc(x.storage.length * 4);
  const pw = arena.alloc(O * R * 4);
  const pcol = arena.alloc(R * nb * Ovol * 4);
  const pout = arena.alloc(Og * nb * Ovol * 4);
  const work = reserveGemmWorkspace(k, arena, R, nb * Ovol, threads);
  if (!arena.commit()) return null;
  arena.f32(px, x.storage.length).set(x.storage);
  arena.f32(pw, O * R).set(w.storage);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const ld = m * Ovol;
    for (let gi = 0; gi < G; gi++) {
      im2colImages(k, px + (n0 * C + gi * Cg) * Svol * 4, C * Svol, pcol, ld, Ovol, m, Cg, geom, threads);
      packBOnThreads(k, pcol, R, ld, 0, work);
      sgemmPackedOnThreads(k, pw + gi * Og * R * 4, pout, Og, ld, R, 0, work); // (Og, R)·(R, m·Ovol)
      const res = arena.f32(pout, Og * ld);
      for (let o = 0; o < Og; o++) {
        for (let j = 0; j < m; j++) out.set(res.subarray(o * ld + j * Ovol, o * ld + (j + 1) * Ovol), ((n0 + j) * O + gi * Og + o) * Ovol);
      }
    }
  }
  return { storage: out, shape: [N, O, ...Ox], dtype: 'float32' };
}

/**
 * Conv's weight gradient (float32) in wasm: dW_g (Og, R) = Σ over chunks of g_g (Og, m·Ovol) ·
 * col_gᵀ, col from im2col straight into linear memory (as in convWasm). Null when wasm cannot run.
 */
function convWeightGradWasm(x: TensorData, g: TensorData, K: readonly number[], attrs: PrimitiveAttrs['Conv']): Float32Array | null {
  const [N, C] = x.shape as [number, number];
  const O = g.shape[1]!;
  const So = g.shape.slice(2);
  const geom = convGeom(x.shape.slice(2), K, So, attrs);
  const G = attrs.group;
  const Cg = C / G;
  const Og = O / G;
  const Svol = prod(x.shape.slice(2));
  const Ovol = prod(So);
  const R = Cg * prod(K);
  const dw = new Float32Array(O * R);
  if (dw.length === 0 || Ovol === 0 || N === 0) return dw;
  const nb = imagesPerChunk(N, R, Ovol);
  const call = beginKernelCall(Og * R * nb * Ovol, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.alloc(x.storage.length * 4);
  const pcol = arena.alloc(R * nb * Ovol * 4);
  const pg = arena.alloc(Og * nb * Ovol * 4);
  const ppart = arena.alloc(Og * R * 4);
  const work = reserveGemmWorkspace(k, arena, nb * Ovol, R, threads);
  if (!arena.commit()) return null;
  arena.f32(px, x.storage.length).set(x.storage);
  const gs = g.storage;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const ld = m * Ovol;
    for (let gi = 0; gi < G; gi++) {
      const gp = arena.f32(pg, Og * ld);
      im2colImages(k, px + (n0 * C + gi * Cg) * Svol * 4, C * Svol, pcol, ld, Ovol, m, Cg, geom, threads);
      for (let j = 0; j < m; j++) {
        for (let o = 0; o < Og; o++) {
          const src = ((n0 + j) * O + gi * Og + o) * Ovol;
          gp.set(gs.subarray(src, src + Ovol), o * ld + j * Ovol);
        }
      }
      packBOnThreads(k, pcol, ld, R, 1, work); // colᵀ: col is (R, m·Ovol), read as N×K
      sgemmPackedOnThreads(k, pg, ppart, Og, R, ld, 0, work); // (Og, m·Ovol)·(m·Ovol, R)
      const part = arena.f32(ppart, Og * R);
      const base = gi * Og * R;
      if (n0 === 0) dw.set(part, base);
      else for (let i = 0; i < Og * R; i++) dw[base + i]! += part[i]!;
    }
  }
  return dw;
}

/**
 * ConvTranspose (float32) in wasm, which is also Conv's input gradient. Per group and chunk of
 * images, the images' input channels go side by side into linear memory, one GEMM makes every
 * image's columns, cols (Og·Kvol, m·Svol) = W_gᵀ (Og·Kvol, Cg) · x_g (Cg, m·Svol), and col2im
 * accumulates them into the output (the equivalent conv maps the output to x, so col2im is its
 * im2col's adjoint). Null when wasm cannot run (the caller falls back).
 */
function convTransposeWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['ConvTranspose']): TensorData | null {
  const { strides, pads, dilations, group: G, outputPadding } = attrs;
  const nsp = x.shape.length - 2;
  const [N, C] = x.shape as [number, number];
  const Og = w.shape[1]!;
  const O = Og * G;
  const Sx = x.shape.slice(2);
  const Kx = w.shape.slice(2);
  const Yx = Sx.map((s, i) => convTransposeOutSize(s, Kx[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!, outputPadding[i]!));
  const geom = convGeom(Yx, Kx, Sx, { strides, pads, dilations }); // the conv from the output Y to x
  const Cg = C / G;
  const Svol = prod(Sx);
  const Yvol = prod(Yx);
  const R = Og * prod(Kx);
  const out = new Float32Array(N * O * Yvol);
  if (out.length === 0) return { storage: out, shape: [N, O, ...Yx], dtype: 'float32' };
  if (Svol === 0 || R === 0 || Cg === 0) return { storage: out, shape: [N, O, ...Yx], dtype: 'float32' };
  const nb = imagesPerChunk(N, R, Svol);
  const call = beginKernelCall(R * Cg * nb * Svol, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pw = arena.alloc(C * R * 4);
  const pxg = arena.alloc(Cg * nb * Svol * 4);
  const pcol = arena.alloc(R * nb * Svol * 4);
  const py = arena.alloc(nb * Og * Yvol * 4);
  const work = reserveGemmWorkspace(k, arena, Cg, nb * Svol, threads);
  if (!arena.commit()) return null;
  arena.f32(pw, C * R).set(w.storage);
  const xs = x.storage;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const ld = m * Svol;
    for (let gi = 0; gi < G; gi++) {
      const xg = arena.f32(pxg, Cg * ld); // (Cg, m·Svol): image j's channel c at row c, columns j·Svol…
      for (let j = 0; j < m; j++) {
        for (let c = 0; c < Cg; c++) {
          const src = ((n0 + j) * C + gi * Cg + c) * Svol;
          xg.set(xs.subarray(src, src + Svol), c * ld + j * Svol);
        }
      }
      packBOnThreads(k, pxg, Cg, ld, 0, work);
      sgemmPackedOnThreads(k, pw + gi * Cg * R * 4, pcol, R, ld, Cg, 1, work); // W_g is (Cg, R), read transposed
      col2imImages(k, pcol, ld, Svol, py, Og * Yvol, m, Og, geom, threads);
      const y = arena.f32(py, m * Og * Yvol);
      for (let j = 0; j < m; j++) out.set(y.subarray(j * Og * Yvol, (j + 1) * Og * Yvol), ((n0 + j) * O + gi * Og) * Yvol);
    }
  }
  return { storage: out, shape: [N, O, ...Yx], dtype: 'float32' };
}
