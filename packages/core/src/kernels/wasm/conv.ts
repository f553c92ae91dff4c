import type { PrimitiveAttrs } from '../../primitives.js';
import { type TensorData, getKernel, registerKernel } from '../../registry.js';
import { Tensor } from '../../tensor.js';
import { type Geom, convGeom, convOutSize, convTransposeKernel, convWeightGradKernel, prod } from '../cpu/conv.js';
import { gemm } from '../cpu/gemm.js';
import { GEMM_MIN_WORK_PER_THREAD, makeGemmWasm, packBOnThreads, reserveGemmWorkspace, sgemmPackedOnThreads } from './gemm.js';
import { MATMUL_WASM_MIN_WORK, directBackwardAllowed } from './matmul.js';
import { useWasm } from './preference.js';
import type { KernelExports } from './runtime.js';
import { beginKernelCall, runParallel, splitChunk } from './threads.js';

// Conv, its weight gradient and ConvTranspose with their GEMMs in wasm (float32), so
// convolutional models get the SIMD kernel and its threads. Conv and the weight gradient write
// im2col straight into linear memory; ConvTranspose is cpu/conv.ts's code on the wasm GEMM. The
// TypeScript kernels stay registered underneath as the reference and the fallback.

const gemmWasm = makeGemmWasm(gemm);
const convTranspose = convTransposeKernel(gemmWasm);
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
  return useWasm(work, MATMUL_WASM_MIN_WORK) ? convTranspose(inputs, attrs) : convTransposeReference(inputs, attrs);
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

/** im2col (asm/kernels.ts) of one image's `channels` channels at byte pointer x into col, channels split between threads. */
function im2colOnThreads(k: KernelExports, x: number, col: number, ld: number, channels: number, g: Geom, threads: number): void {
  const args = () => [x, col, ld, 0, 0, ...g.S, ...g.K, ...g.O, ...g.st, ...g.pb, ...g.dl];
  runParallel(k, { fn: 'im2col', args, lo: 3, hi: 4, total: channels, chunk: splitChunk(channels, 1, threads) }, threads);
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
      for (let j = 0; j < m; j++) im2colOnThreads(k, px + ((n0 + j) * C + gi * Cg) * Svol * 4, pcol + j * Ovol * 4, ld, Cg, geom, threads);
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
      for (let j = 0; j < m; j++) {
        im2colOnThreads(k, px + ((n0 + j) * C + gi * Cg) * Svol * 4, pcol + j * Ovol * 4, ld, Cg, geom, threads);
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
