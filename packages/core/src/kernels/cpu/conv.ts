import { type DType, type TypedArray, allocate } from '../../dtype.js';
import { type Kernel, registerKernel } from '../../registry.js';
import { gemm } from './gemm.js';

/**
 * Conv and ConvTranspose for 1, 2 or 3 spatial dims (NC + spatial layout, ONNX attributes).
 * Both go through im2col/col2im and a `gemm`; 1-D and 2-D are run as 3-D with leading
 * spatial dims of size 1, so there is one code path. These are the reference kernels;
 * kernels/wasm/conv.ts registers float32 ones on top that run image by image in wasm memory.
 */

/** Geometry of a convolution, padded to 3 spatial dims. */
export interface Geom {
  S: number[]; // input spatial (of the conv's input)
  K: number[]; // kernel spatial
  O: number[]; // output spatial (of the conv)
  st: number[];
  pb: number[]; // begin pads
  dl: number[];
}

// Temporaries (im2col matrices, GEMM outputs before scattering) come from buffers kept between
// calls: freshly allocated memory costs a page fault per 4 KiB on first write, which on VMs
// costs more than the im2col itself. Slots keep the temporaries of one call apart; kernels do
// not re-enter, and nothing returned aliases these buffers.
const scratchBuffers: ArrayBuffer[] = [];

/** A zero-offset typed array of `n` elements of `dtype` over scratch slot `slot` (contents undefined). */
function scratch(dtype: DType, n: number, slot: number): TypedArray {
  const proto = allocate(dtype, 0);
  const bytes = n * proto.BYTES_PER_ELEMENT;
  let buf = scratchBuffers[slot];
  if (!buf || buf.byteLength < bytes) {
    buf = new ArrayBuffer(Math.max(bytes, Math.ceil((buf?.byteLength ?? 0) * 1.5)));
    scratchBuffers[slot] = buf;
  }
  return new (proto.constructor as new (b: ArrayBuffer, o: number, n: number) => TypedArray)(buf, 0, n);
}

/**
 * The geometry of a conv from input spatial dims S, kernel K and output O (each of 1–3 dims) and
 * the conv's attributes (pads: begins then ends; only the begins matter to im2col).
 */
export function convGeom(S: readonly number[], K: readonly number[], O: readonly number[], a: { strides: number[]; pads: number[]; dilations: number[] }): Geom {
  const nsp = S.length;
  return { S: to3(S, 1), K: to3(K, 1), O: to3(O, 1), st: to3(a.strides, 1), pb: to3(a.pads.slice(0, nsp), 0), dl: to3(a.dilations, 1) };
}

function to3(a: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - a.length).fill(fill), ...a];
}

/** Output size of a conv along one dim (ONNX / torch formula, floor mode). */
export function convOutSize(s: number, k: number, stride: number, pb: number, pe: number, dil: number): number {
  return Math.floor((s + pb + pe - dil * (k - 1) - 1) / stride) + 1;
}

/** Output size of a transposed conv along one dim. */
export function convTransposeOutSize(s: number, k: number, stride: number, pb: number, pe: number, dil: number, op: number): number {
  return (s - 1) * stride - pb - pe + dil * (k - 1) + op + 1;
}

/**
 * im2col: col[(c·Kvol + kidx), p] = x[c, conv-input position of (p, kidx)] or 0 outside.
 * `x` holds C channels starting at xOff; col is (C·Kvol) × Ovol, written at colOff with row
 * stride `ld` (default Ovol), so several images can sit side by side in one wide matrix.
 */
function im2col(x: TypedArray, xOff: number, C: number, g: Geom, col: TypedArray, colOff = 0, ld = -1): void {
  const [Sd, Sh, Sw] = g.S as [number, number, number];
  const [Kd, Kh, Kw] = g.K as [number, number, number];
  const [Od, Oh, Ow] = g.O as [number, number, number];
  const [sd, sh, sw] = g.st as [number, number, number];
  const [pd, ph, pw] = g.pb as [number, number, number];
  const [dd, dh, dw] = g.dl as [number, number, number];
  const Svol = Sd * Sh * Sw;
  const rowStride = ld < 0 ? Od * Oh * Ow : ld;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * Svol;
    for (let kd = 0; kd < Kd; kd++) {
      for (let kh = 0; kh < Kh; kh++) {
        for (let kw = 0; kw < Kw; kw++, r++) {
          let p = colOff + r * rowStride;
          for (let od = 0; od < Od; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= Sd) {
              col.fill(0, p, p + Oh * Ow);
              p += Oh * Ow;
              continue;
            }
            for (let oh = 0; oh < Oh; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= Sh) {
                col.fill(0, p, p + Ow);
                p += Ow;
                continue;
              }
              // Output columns whose input column iw = ow·sw − pw + kw·dw lies in [0, Sw): [lo, hi).
              const iw0 = kw * dw - pw;
              const lo = Math.min(Ow, iw0 >= 0 ? 0 : Math.ceil(-iw0 / sw));
              const hi = Math.max(lo, Math.min(Ow, Math.floor((Sw - 1 - iw0) / sw) + 1));
              const src = xc + (id * Sh + ih) * Sw + iw0;
              if (lo > 0) col.fill(0, p, p + lo);
              for (let ow = lo; ow < hi; ow++) col[p + ow] = x[src + ow * sw]!;
              if (hi < Ow) col.fill(0, p + hi, p + Ow);
              p += Ow;
            }
          }
        }
      }
    }
  }
}

/** col2im: the adjoint of im2col, accumulating col (C·Kvol × Ovol) into y (C channels of S). */
function col2im(col: ArrayLike<number>, C: number, g: Geom, y: Float64Array, yOff: number): void {
  const [Sd, Sh, Sw] = g.S as [number, number, number];
  const [Kd, Kh, Kw] = g.K as [number, number, number];
  const [Od, Oh, Ow] = g.O as [number, number, number];
  const [sd, sh, sw] = g.st as [number, number, number];
  const [pd, ph, pw] = g.pb as [number, number, number];
  const [dd, dh, dw] = g.dl as [number, number, number];
  const Svol = Sd * Sh * Sw;
  const Ovol = Od * Oh * Ow;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const yc = yOff + c * Svol;
    for (let kd = 0; kd < Kd; kd++) {
      for (let kh = 0; kh < Kh; kh++) {
        for (let kw = 0; kw < Kw; kw++, r++) {
          let p = r * Ovol;
          for (let od = 0; od < Od; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= Sd) {
              p += Oh * Ow;
              continue;
            }
            for (let oh = 0; oh < Oh; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= Sh) {
                p += Ow;
                continue;
              }
              const row = yc + (id * Sh + ih) * Sw;
              let iw = -pw + kw * dw;
              for (let ow = 0; ow < Ow; ow++, iw += sw, p++) if (iw >= 0 && iw < Sw) y[row + iw]! += col[p]!;
            }
          }
        }
      }
    }
  }
}

export function prod(a: readonly number[]): number {
  return a.reduce((x, y) => x * y, 1);
}

/** Below this many output positions per image, images are batched side by side into one gemm. */
const SMALL_OUTPUT = 1024;

registerKernel('Conv', 'cpu', ([x, w], { strides, pads, dilations, group }) => {
  const nsp = x!.shape.length - 2;
  const [N, C] = x!.shape as [number, number];
  const O = w!.shape[0]!;
  const Sx = x!.shape.slice(2);
  const Kx = w!.shape.slice(2);
  const Ox = Sx.map((s, i) => convOutSize(s, Kx[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!));
  const geom = convGeom(Sx, Kx, Ox, { strides, pads, dilations });
  const Cg = C / group;
  const Og = O / group;
  const Kvol = prod(Kx);
  const Svol = prod(Sx);
  const Ovol = prod(Ox);
  const R = Cg * Kvol;
  const dtype: DType = x!.dtype;
  const out = allocate(dtype, N * O * Ovol);
  if (out.length === 0) return { storage: out, shape: [N, O, ...Ox], dtype };
  // 1×1 kernels with stride 1 and no padding: the input slab already is the im2col matrix.
  const direct = Kvol === 1 && strides.every((v) => v === 1) && pads.every((v) => v === 0);
  if (!direct && Ovol < SMALL_OUTPUT && N > 1) {
    // Small outputs (late CNN layers; the weight-gradient conv, whose "output" is the kernel):
    // one gemm per group over a chunk of images side by side, so gemm's N is nb·Ovol, not Ovol.
    const nb = Math.max(1, Math.min(N, Math.floor((1 << 22) / Math.max(1, R * Ovol))));
    const colB = scratch(dtype, R * nb * Ovol, 0);
    const tmp = scratch(dtype, Og * nb * Ovol, 1);
    for (let n0 = 0; n0 < N; n0 += nb) {
      const m = Math.min(nb, N - n0);
      const ld = m * Ovol;
      for (let gi = 0; gi < group; gi++) {
        for (let j = 0; j < m; j++) im2col(x!.storage, ((n0 + j) * C + gi * Cg) * Svol, Cg, geom, colB, j * Ovol, ld);
        // (Og, R) · (R, m·Ovol) -> (Og, m·Ovol), then scatter to (N, O, Ovol)
        gemm(w!.storage, gi * Og * R, colB, 0, tmp, 0, Og, ld, R);
        for (let o = 0; o < Og; o++) {
          for (let j = 0; j < m; j++) {
            const dst = ((n0 + j) * O + gi * Og + o) * Ovol;
            const src = o * ld + j * Ovol;
            for (let q = 0; q < Ovol; q++) out[dst + q] = tmp[src + q]!;
          }
        }
      }
    }
    return { storage: out, shape: [N, O, ...Ox], dtype };
  }
  const col = direct ? x!.storage : scratch(dtype, R * Ovol, 0);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * Svol;
      if (!direct) im2col(x!.storage, xOff, Cg, geom, col);
      // (Og, R) · (R, Ovol) -> (Og, Ovol)
      gemm(w!.storage, gi * Og * R, col, direct ? xOff : 0, out, (n * O + gi * Og) * Ovol, Og, Ovol, R);
    }
  }
  return { storage: out, shape: [N, O, ...Ox], dtype };
});

/** ConvTranspose: per group and image, Wᵀ·x by `gemm`, then col2im (the adjoint of the equivalent conv's im2col). */
const convTransposeKernel: Kernel<'ConvTranspose'> = ([x, w], { strides, pads, dilations, group, outputPadding }) => {
  const nsp = x!.shape.length - 2;
  const [N, C] = x!.shape as [number, number];
  const Og = w!.shape[1]!;
  const O = Og * group;
  const Sx = x!.shape.slice(2);
  const Kx = w!.shape.slice(2);
  const Yx = Sx.map((s, i) => convTransposeOutSize(s, Kx[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!, outputPadding[i]!));
  // The equivalent conv maps the output Y (as its input) to x (as its output).
  const geom = convGeom(Yx, Kx, Sx, { strides, pads, dilations });
  const Cg = C / group;
  const Kvol = prod(Kx);
  const Svol = prod(Sx);
  const Yvol = prod(Yx);
  const R = Og * Kvol;
  const dtype: DType = x!.dtype;
  // 1×1 kernels with stride 1 and no padding: col2im is the identity, gemm writes the output.
  const direct = Kvol === 1 && strides.every((v) => v === 1) && pads.every((v) => v === 0) && outputPadding.every((v) => v === 0);
  const acc = direct ? allocate(dtype, N * O * Yvol) : new Float64Array(N * O * Yvol);
  const W = w!.storage;
  const cols = direct ? acc : scratch(dtype, R * Svol, 0);
  for (let gi = 0; gi < group; gi++) {
    const base = gi * Cg * R; // the group's (Cg, Og·Kvol) slab of w, read transposed
    for (let n = 0; n < N; n++) {
      if (Svol === 0 || R === 0) continue;
      // Wᵀ (R, Cg) · x (Cg, Svol) -> (R, Svol)
      if (direct) gemm(W, base, x!.storage, (n * C + gi * Cg) * Svol, acc, (n * O + gi * Og) * Yvol, R, Svol, Cg, true);
      else {
        gemm(W, base, x!.storage, (n * C + gi * Cg) * Svol, cols, 0, R, Svol, Cg, true);
        col2im(cols, Og, geom, acc as Float64Array, (n * O + gi * Og) * Yvol);
      }
    }
  }
  if (direct) return { storage: acc, shape: [N, O, ...Yx], dtype };
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return { storage: out, shape: [N, O, ...Yx], dtype };
};

/**
 * Weight gradient of Conv straight from im2col and one GEMM per group and chunk of images:
 * dW_g (Og × R) = Σₙ gₙ,g (Og × Ovol) · colₙ,gᵀ (Ovol × R), images side by side along the
 * contracted axis. (The tensor-op rule in autograd/rules/neural.ts writes it as a conv whose
 * "kernel" is the output, which has short inner loops and permuted copies.) x: (N, C, *S),
 * g: (N, O, *So); returns (O, C/group, *K) in x's dtype.
 */
export function convWeightGradKernel(
  x: TypedArray, xShape: readonly number[], g: TypedArray, gShape: readonly number[], K: readonly number[],
  a: { strides: number[]; pads: number[]; dilations: number[]; group: number }, dtype: DType,
): TypedArray {
  const [N, C] = xShape as [number, number];
  const O = gShape[1]!;
  const So = gShape.slice(2);
  const geom = convGeom(xShape.slice(2), K, So, a);
  const G = a.group;
  const Cg = C / G;
  const Og = O / G;
  const Svol = prod(xShape.slice(2));
  const Ovol = prod(So);
  const R = Cg * prod(K);
  const dw = allocate(dtype, O * R);
  if (dw.length === 0 || Ovol === 0 || N === 0) return dw;
  const nb = Math.max(1, Math.min(N, Math.floor((1 << 22) / Math.max(1, R * Ovol))));
  const col = scratch(dtype, R * nb * Ovol, 0);
  const gp = scratch(dtype, Og * nb * Ovol, 1);
  const part = scratch(dtype, Og * R, 2);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const m = Math.min(nb, N - n0);
    const ld = m * Ovol;
    for (let gi = 0; gi < G; gi++) {
      for (let j = 0; j < m; j++) {
        im2col(x, ((n0 + j) * C + gi * Cg) * Svol, Cg, geom, col, j * Ovol, ld);
        // g of image n0 + j, group gi: (Og, Ovol) rows into columns [j·Ovol, (j+1)·Ovol) of gp (Og, m·Ovol)
        for (let o = 0; o < Og; o++) {
          const src = ((n0 + j) * O + gi * Og + o) * Ovol;
          gp.set(g.subarray(src, src + Ovol), o * ld + j * Ovol);
        }
      }
      // (Og, m·Ovol) · (R, m·Ovol)ᵀ -> (Og, R)
      gemm(gp, 0, col, 0, part, 0, Og, R, ld, false, true);
      const base = gi * Og * R;
      if (n0 === 0) dw.set(part, base);
      else for (let i = 0; i < Og * R; i++) dw[base + i]! += part[i]!;
    }
  }
  return dw;
}

registerKernel('ConvTranspose', 'cpu', convTransposeKernel);
