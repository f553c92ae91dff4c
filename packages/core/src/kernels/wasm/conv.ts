import type { PrimitiveAttrs } from '../../primitives.js';
import { type TensorData, getKernel, registerKernel } from '../../registry.js';
import { Tensor } from '../../tensor.js';
import { type Geom, convGeom, convOutSize, convTransposeOutSize, convWeightGradKernel, prod } from '../cpu/conv.js';
import { GEMM_MIN_WORK_PER_THREAD } from './gemm.js';
import { MATMUL_WASM_MIN_WORK, directBackwardAllowed } from './matmul.js';
import { sumPartials } from './layerNorm.js';
import { useWasm } from './preference.js';
import type { Arena, KernelExports } from './runtime.js';
import { type KernelName, beginKernelCall, imageThreads, runParallel } from './threads.js';
import { WINOGRAD_MIN_CHANNELS, convWinogradWasm, convWinogradWeightGradWasm } from './winograd.js';

// Conv, its weight gradient and ConvTranspose (which is also Conv's input gradient) in wasm
// (float32), image by image, threads splitting the images. Each call picks the first algorithm
// that applies: Winograd for 3×3 unit-stride convs with enough channels (winograd.ts), the
// direct kernel for other unit-stride 2-D convs (no im2col), else im2col + GEMM in buffers
// private to the thread, small enough to stay in cache. A unit-stride ConvTranspose goes the same
// way as the conv it is. The TypeScript kernels stay registered underneath as the reference and
// the fallback.

const convReference = getKernel('Conv', 'cpu');
const convTransposeReference = getKernel('ConvTranspose', 'cpu');

/** What the kernel choices read of an operand. */
type Shaped = { readonly shape: readonly number[] };

/** Multiply-adds of one image's GEMM: output channels × positions × (input channels · kernel volume). */
function imageWork(outChannels: number, positions: number, reduction: number): number {
  return outChannels * positions * reduction;
}

registerKernel('Conv', 'cpu', (inputs, attrs) => {
  const [x, w] = inputs;
  if (x!.dtype !== 'float32' || w!.dtype !== 'float32') return convReference(inputs, attrs);
  // w: (O, C/group, ...kernel); the output has about as many positions as the input
  const work = imageWork(w!.shape[0]!, prod(x!.shape.slice(2)), prod(w!.shape.slice(1)));
  if (!useWasm(work, MATMUL_WASM_MIN_WORK)) return convReference(inputs, attrs);
  return fastConv(x!, w!, attrs) || convWasm(x!, w!, attrs) || convReference(inputs, attrs);
});

registerKernel('ConvTranspose', 'cpu', (inputs, attrs) => {
  const [x, w] = inputs;
  if (x!.dtype !== 'float32' || w!.dtype !== 'float32') return convTransposeReference(inputs, attrs);
  // w: (C, O/group, ...kernel); one GEMM per image: (O/group·kernel) × positions × C/group
  const work = imageWork(prod(w!.shape.slice(1)), prod(x!.shape.slice(2)), w!.shape[0]! / attrs.group);
  if (!useWasm(work, MATMUL_WASM_MIN_WORK)) return convTransposeReference(inputs, attrs);
  // a unit-stride ConvTranspose (every stride-1 conv's input gradient) is a conv with the kernel flipped
  return unitStrideTransposeFast(x!, w!, attrs) || convTransposeWasm(x!, w!, attrs) || convTransposeReference(inputs, attrs);
});

/**
 * A unit-stride ConvTranspose as the conv it is, by Winograd (which flips the kernels as it
 * transforms them) or the direct kernel (given them flipped); null where neither applies.
 */
function unitStrideTransposeFast(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['ConvTranspose']): TensorData | null {
  const geo = unitStrideTransposeGeometry(w, attrs);
  if (!geo) return null;
  if (winogradApplies(x, geo, geo.attrs)) return convWinogradWasm(x, w, geo.attrs, undefined, true);
  return directConvApplies(x, geo, geo.attrs) ? convDirectWasm(x, unitStrideTransposeAsConv(w, attrs)!.w, geo.attrs) : null;
}

/** Conv by Winograd or the direct kernel where one applies; null otherwise (or when wasm cannot run). */
function fastConv(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv']): TensorData | null {
  if (winogradApplies(x, w, attrs)) return convWinogradWasm(x, w, attrs);
  return directConvApplies(x, w, attrs) ? convDirectWasm(x, w, attrs) : null;
}

/**
 * Where the direct convolution (asm `convDirectImages`: no im2col, no packing) runs: 2-D, one
 * group, unit strides and dilations, output channels in fours. Per image on one thread it beats
 * im2col + GEMM on every diffusion U-Net shape (apps/bench src/conv-parts.ts: 14–29 % in the
 * baseline builds, 11–41 % in the relaxed ones).
 */
export function directConvApplies(x: Shaped, w: Shaped, attrs: PrimitiveAttrs['Conv']): boolean {
  if (x.shape.length !== 4 || attrs.group !== 1 || w.shape[0]! % 4 !== 0) return false;
  return attrs.strides.every((s) => s === 1) && attrs.dilations.every((d) => d === 1);
}

/** Where the Winograd kernel (winograd.ts) runs: the direct kernel's conditions (2-D, one group, unit strides, O in fours), a 3×3 kernel and enough input channels. */
export function winogradApplies(x: Shaped, w: Shaped, attrs: PrimitiveAttrs['Conv']): boolean {
  return directConvApplies(x, w, attrs) && w.shape[2] === 3 && w.shape[3] === 3 && w.shape[1]! >= WINOGRAD_MIN_CHANNELS;
}

/**
 * The conv a ConvTranspose with unit strides and dilations is: x convolved with the kernel's taps
 * flipped and its two channel dims swapped per group, padded by k − 1 − p on each side. Its
 * weight shape (G·Og, Cg, ...K) and attrs; null where that does not hold (strides, dilations,
 * output padding, pads past k − 1).
 */
export function unitStrideTransposeGeometry(w: Shaped, attrs: PrimitiveAttrs['ConvTranspose']): { shape: number[]; attrs: PrimitiveAttrs['Conv'] } | null {
  const { strides, pads, dilations, group: G, outputPadding } = attrs;
  if (strides.some((s) => s !== 1) || dilations.some((d) => d !== 1) || outputPadding.some((o) => o !== 0)) return null;
  const K = w.shape.slice(2);
  const nsp = K.length;
  const convPads = pads.map((p, i) => K[i % nsp]! - 1 - p);
  if (convPads.some((p) => p < 0)) return null;
  const [C, Og] = w.shape as [number, number];
  return { shape: [G * Og, C / G, ...K], attrs: { strides, pads: convPads, dilations, group: G } };
}

/** unitStrideTransposeGeometry with the flipped kernel itself: w'[g·Og + o, c, t] = w[g·Cg + c, o, Kvol − 1 − t]. */
export function unitStrideTransposeAsConv(w: TensorData, attrs: PrimitiveAttrs['ConvTranspose']): { w: TensorData; attrs: PrimitiveAttrs['Conv'] } | null {
  const geo = unitStrideTransposeGeometry(w, attrs);
  if (!geo) return null;
  const G = attrs.group;
  const [C, Og] = w.shape as [number, number];
  const Cg = C / G;
  const Kvol = prod(w.shape.slice(2));
  const src = w.storage;
  const flipped = new Float32Array(src.length);
  for (let g = 0; g < G; g++) {
    for (let o = 0; o < Og; o++) {
      for (let c = 0; c < Cg; c++) {
        const from = ((g * Cg + c) * Og + o) * Kvol + Kvol - 1;
        const to = ((g * Og + o) * Cg + c) * Kvol;
        for (let t = 0; t < Kvol; t++) flipped[to + t] = src[from - t]!;
      }
    }
  }
  return { w: { storage: flipped, shape: geo.shape, dtype: 'float32' }, attrs: geo.attrs };
}

/**
 * Conv (float32, 2-D, one group, unit strides and dilations, O a multiple of 4) by the direct
 * kernel: images split between threads, each with its own zero-padded copy of its image; the
 * weights rearranged once per call into blocks of four output channels. Null when wasm cannot run.
 */
export function convDirectWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv']): TensorData | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, , Kh, Kw] = w.shape as [number, number, number, number];
  const [pt, pl, pb, pr] = attrs.pads as [number, number, number, number];
  const Oh = convOutSize(H, Kh, 1, pt, pb, 1);
  const Ow = convOutSize(W, Kw, 1, pl, pr, 1);
  const shape = [N, O, Oh, Ow];
  if (N * O * Oh * Ow === 0) return { storage: new Float32Array(N * O * Oh * Ow), shape, dtype: 'float32' };
  const taps = C * Kh * Kw;
  const call = beginKernelCall(N * O * taps * Oh * Ow, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const padBytes = (C * (Oh + Kh - 1) * k.directPadWidth(Ow, Kw) + taps) * 4;
  const threads = imageThreads(call.threads, N, padBytes, (x.storage.length + w.storage.length + N * O * Oh * Ow) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pwp = arena.alloc(O * taps * 4);
  const py = arena.output(N * O * Oh * Ow);
  const pads: number[] = [];
  for (let t = 0; t < threads; t++) pads.push(arena.alloc(padBytes));
  if (!arena.commit()) return null;
  // wp[(ob·taps + tap)·4 + i] = w[4·ob + i, tap]
  const wp = arena.f32(pwp, O * taps);
  const ws = w.storage;
  for (let o = 0; o < O; o++) {
    const base = (o >> 2) * taps * 4 + (o & 3);
    for (let t = 0; t < taps; t++) wp[base + t * 4] = ws[o * taps + t]!;
  }
  const args = (t: number) => [px, pwp, py, C, H, W, O, Kh, Kw, pt, pl, Oh, Ow, pads[t]!, 0, 0];
  runParallel(k, { fn: 'convDirectImages', args, lo: 14, hi: 15, total: N, chunk: 1 }, threads);
  return { storage: arena.take(py, N * O * Oh * Ow), shape, dtype: 'float32' };
}

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
  const dw = (inWasm && (winogradWeightGrad(x, g, K, attrs) || convWeightGradWasm(x, g, K, attrs))) || convWeightGradKernel(x.storage, x.shape, g.storage, g.shape, K, attrs, x.dtype);
  return new Tensor(dw, [g.shape[1]!, x.shape[1]! / attrs.group, ...K], x.dtype);
}

/** The weight gradient by Winograd where the forward conv would run by it (winogradApplies); null otherwise. */
function winogradWeightGrad(x: TensorData, g: TensorData, K: readonly number[], attrs: PrimitiveAttrs['Conv']): Float32Array | null {
  return winogradApplies(x, { shape: [g.shape[1]!, x.shape[1]! / attrs.group, ...K] }, attrs) ? convWinogradWeightGradWasm(x, g, attrs) : null;
}

/** Writes a conv's geometry (asm/kernels.ts's 18-int block: S, K, O, strides, begin pads, dilations) into the arena. */
function writeGeom(arena: Arena, ptr: number, g: Geom): void {
  arena.i32(ptr, 18).set([...g.S, ...g.K, ...g.O, ...g.st, ...g.pb, ...g.dl]);
}

/** Byte pointers of each thread's buffers for a per-image kernel: the column matrix, its packing and the GEMM's scratch. */
interface ThreadBuffers {
  col: number[];
  packed: number[];
  scratch: number[];
}

/** Reserves per-thread buffers: `colFloats` floats of columns and a packed B of K × N. */
function reserveThreadBuffers(k: KernelExports, arena: Arena, threads: number, colFloats: number, K: number, N: number): ThreadBuffers {
  const b: ThreadBuffers = { col: [], packed: [], scratch: [] };
  for (let t = 0; t < threads; t++) {
    b.col.push(arena.alloc(colFloats * 4));
    b.packed.push(arena.alloc(k.packedBBytes(K, N)));
    b.scratch.push(arena.alloc(k.sgemmScratchBytes()));
  }
  return b;
}

/** Runs a per-image kernel (args: 7 operands, then col, packed, scratch, i0, i1) over N images, one image per chunk. */
function runImages(k: KernelExports, fn: KernelName, operands: number[], N: number, b: ThreadBuffers, threads: number): void {
  const args = (t: number) => [...operands, b.col[t]!, b.packed[t]!, b.scratch[t]!, 0, 0];
  runParallel(k, { fn, args, lo: 10, hi: 11, total: N, chunk: 1 }, threads);
}

/**
 * Conv (float32) in wasm: every image's im2col, packing and GEMM (w_g (Og, R) · cols (R, Ovol))
 * on one thread, images split between threads. Null when wasm cannot run (the caller falls back).
 */
function convWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['Conv']): TensorData | null {
  const { strides, pads, dilations, group: G } = attrs;
  const nsp = x.shape.length - 2;
  const [N, C] = x.shape as [number, number];
  const O = w.shape[0]!;
  const Sx = x.shape.slice(2);
  const Kx = w.shape.slice(2);
  const Ox = Sx.map((s, i) => convOutSize(s, Kx[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!));
  const Ovol = prod(Ox);
  const R = (C / G) * prod(Kx);
  const shape = [N, O, ...Ox];
  if (N * O * Ovol === 0 || R === 0) return { storage: new Float32Array(N * O * Ovol), shape, dtype: 'float32' };
  const call = beginKernelCall(N * O * R * Ovol, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const threads = imageThreads(call.threads, N, R * Ovol * 4 + k.packedBBytes(R, Ovol), (x.storage.length + w.storage.length + N * O * Ovol) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pw = arena.input(w.storage as Float32Array);
  const pout = arena.output(N * O * Ovol);
  const geo = arena.alloc(18 * 4);
  const bufs = reserveThreadBuffers(k, arena, threads, R * Ovol, R, Ovol);
  if (!arena.commit()) return null;
  writeGeom(arena, geo, convGeom(Sx, Kx, Ox, attrs));
  runImages(k, 'convImages', [px, pw, pout, geo, C, O, G], N, bufs, threads);
  return { storage: arena.take(pout, N * O * Ovol), shape, dtype: 'float32' };
}

/**
 * Conv's weight gradient (float32) in wasm: each thread accumulates dW_g (Og, R) += gy_j,g
 * (Og, Ovol) · im2col(x_j,g)ᵀ (Ovol, R) over its images into its own sum, laid out as dW
 * (O, R); the sums are added at the end. Null when wasm cannot run.
 */
function convWeightGradWasm(x: TensorData, g: TensorData, K: readonly number[], attrs: PrimitiveAttrs['Conv']): Float32Array | null {
  const [N, C] = x.shape as [number, number];
  const O = g.shape[1]!;
  const So = g.shape.slice(2);
  const G = attrs.group;
  const Ovol = prod(So);
  const R = (C / G) * prod(K);
  if (O * R === 0 || Ovol === 0 || N === 0) return new Float32Array(O * R);
  const call = beginKernelCall(N * O * R * Ovol, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const threads = imageThreads(call.threads, N, (R * Ovol + O * R) * 4 + k.packedBBytes(Ovol, R), (x.storage.length + g.storage.length) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pg = arena.input(g.storage as Float32Array);
  const pacc = arena.alloc(threads * O * R * 4);
  const geo = arena.alloc(18 * 4);
  const bufs = reserveThreadBuffers(k, arena, threads, R * Ovol, Ovol, R);
  if (!arena.commit()) return null;
  arena.f32(pacc, threads * O * R).fill(0);
  writeGeom(arena, geo, convGeom(x.shape.slice(2), K, So, attrs));
  // thread t accumulates into its own slice of pacc, laid out as dW
  const args = (t: number) => [px, pg, pacc + t * O * R * 4, geo, C, O, G, bufs.col[t]!, bufs.packed[t]!, bufs.scratch[t]!, 0, 0];
  runParallel(k, { fn: 'convWeightGradImages', args, lo: 10, hi: 11, total: N, chunk: 1 }, threads);
  return sumPartials(arena.f32(pacc, threads * O * R), threads, O * R);
}

/**
 * ConvTranspose (float32) in wasm, which is also Conv's input gradient: per image and group,
 * cols (Og·Kvol, Svol) = w_gᵀ (Og·Kvol, Cg) · x_j,g (Cg, Svol) and col2im into the output (the
 * equivalent conv maps the output to x, so col2im is its im2col's adjoint), images split between
 * threads. Null when wasm cannot run (the caller falls back).
 */
function convTransposeWasm(x: TensorData, w: TensorData, attrs: PrimitiveAttrs['ConvTranspose']): TensorData | null {
  const { strides, pads, dilations, group: G, outputPadding } = attrs;
  const nsp = x.shape.length - 2;
  const [N, C] = x.shape as [number, number];
  const O = w.shape[1]! * G;
  const Sx = x.shape.slice(2);
  const Kx = w.shape.slice(2);
  const Yx = Sx.map((s, i) => convTransposeOutSize(s, Kx[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!, outputPadding[i]!));
  const Svol = prod(Sx);
  const Yvol = prod(Yx);
  const R = w.shape[1]! * prod(Kx);
  const shape = [N, O, ...Yx];
  if (N * O * Yvol === 0 || Svol === 0 || C === 0) return { storage: new Float32Array(N * O * Yvol), shape, dtype: 'float32' };
  const call = beginKernelCall(N * R * C * Svol, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena } = call;
  const threads = imageThreads(call.threads, N, R * Svol * 4 + k.packedBBytes(C / G, Svol), (x.storage.length + w.storage.length + N * O * Yvol) * 4);
  const px = arena.input(x.storage as Float32Array);
  const pw = arena.input(w.storage as Float32Array);
  const py = arena.output(N * O * Yvol);
  const geo = arena.alloc(18 * 4);
  const bufs = reserveThreadBuffers(k, arena, threads, R * Svol, C / G, Svol);
  if (!arena.commit()) return null;
  writeGeom(arena, geo, convGeom(Yx, Kx, Sx, { strides, pads, dilations })); // the conv from the output to x
  runImages(k, 'convTransposeImages', [px, pw, py, geo, C, O, G], N, bufs, threads);
  return { storage: arena.take(py, N * O * Yvol), shape, dtype: 'float32' };
}
