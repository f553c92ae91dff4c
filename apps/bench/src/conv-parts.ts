/**
 * One image of a 3×3, stride-1, padding-1 convolution through the wasm kernels on one thread,
 * phase by phase: the forward (`convImages` = im2col + packB + GEMM; packB and the GEMM alone on
 * a ready column matrix), the direct convolution without im2col (`convDirectImages`, which core
 * picks in the relaxed-SIMD builds and for outputs at most 8 wide) and the weight gradient
 * (`convWeightGradImages`; its packing of im2colᵀ and its GEMM alone). Median µs and GFLOP/s per phase, for the shapes of the diffusion suite's
 * U-Nets; shows how far the convolutions sit from the GEMM's own speed. Operands are warm in
 * cache (the same image every repetition), as in a per-image loop.
 *
 *   cd apps/bench && npx tsx --conditions=source src/conv-parts.ts [C O S ...]   (default: 16 16 28  32 32 14  32 32 7)
 */
import { wasmKernels } from '../../../packages/core/src/kernels/wasm/runtime.js';

const k = wasmKernels();
if (!k) throw new Error('the wasm kernels did not load');
const exports = k as unknown as Record<string, (...args: number[]) => number>;
const argv = process.argv.slice(2).map(Number);
const shapes = argv.length >= 3 ? Array.from({ length: Math.floor(argv.length / 3) }, (_, i) => argv.slice(3 * i, 3 * i + 3)) : [[16, 16, 28], [32, 32, 14], [32, 32, 7]];

function median(f: () => void, reps = 400): number {
  for (let i = 0; i < 50; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[reps >> 1]!;
}

console.log('| C → O, S×S | phase | µs per image | GFLOP/s |\n|---|---|---|---|');
for (const [C, O, S] of shapes as [number, number, number][]) {
  const R = C * 9; // im2col rows: channels × taps
  const P = S * S; // output positions
  let top = (k.heapBase() + 15) & ~15;
  const alloc = (bytes: number) => {
    const p = top;
    top = (top + bytes + 15) & ~15;
    return p;
  };
  const px = alloc(C * P * 4);
  const pw = alloc(O * R * 4);
  const pout = alloc(O * P * 4);
  const pgy = alloc(O * P * 4);
  const pacc = alloc(O * R * 4);
  const geo = alloc(72);
  const col = alloc(R * P * 4);
  const packed = alloc(Math.max(k.packedBBytes(R, P), k.packedBBytes(P, R)));
  const scratch = alloc(k.sgemmScratchBytes());
  const wp = alloc(O * R * 4); // the direct kernel's weights (blocks of 4 channels; values do not matter for timing)
  const pad = alloc((C * (S + 2) * k.directPadWidth(S, 3) + R) * 4);
  const pu = alloc(36 * O * C * 4); // Winograd's transformed kernels
  const wbuf = alloc(Math.max(k.winogradWeightGradScratchBytes(C, O, S, S, 2), k.winogradWeightGradScratchBytes(C, O, S, S, 4))); // also holds the forwards' buffers
  const pdu = alloc(36 * O * C * 4); // Winograd-domain weight gradient
  const have = k.memory.buffer.byteLength;
  if (top > have) k.memory.grow(Math.ceil((top - have) / 65536));
  const f32 = new Float32Array(k.memory.buffer);
  for (let i = 0; i < C * P; i++) f32[px / 4 + i] = Math.sin(i);
  for (let i = 0; i < O * P; i++) f32[pgy / 4 + i] = Math.cos(i);
  f32.fill(0.25, pw / 4, pw / 4 + O * R);
  f32.fill(0.25, wp / 4, wp / 4 + O * R);
  f32.fill(0.25, pu / 4, pu / 4 + 36 * O * C);
  f32.fill(0.1, col / 4, col / 4 + R * P);
  // geometry (asm/kernels.ts): input d,h,w; kernel; output; strides; begin pads; dilations
  new Int32Array(k.memory.buffer, geo, 18).set([1, S, S, 1, 3, 3, 1, S, S, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  const flop = 2 * O * R * P;
  const rows: [string, number, number][] = [
    ['forward: convImages', median(() => exports.convImages!(px, pw, pout, geo, C, O, 1, col, packed, scratch, 0, 1)), flop],
    ['  packB of the column matrix', median(() => k.packB(col, packed, R, P, 0, 0, P)), 0],
    ['  GEMM on it', median(() => k.sgemmPacked(pw, packed, pout, O, P, R, 0, scratch, 0, O, 0, P)), flop],
    ['forward: convDirectImages', O % 4 === 0 ? median(() => k.convDirectImages(px, wp, pout, C, S, S, O, 3, 3, 1, 1, S, S, pad, 0, 1)) : Number.NaN, flop],
    ['forward: convWinogradImages, F(2×2, 3×3) (GFLOP/s of the direct conv)', O % 4 === 0 ? median(() => k.convWinogradImages(px, pu, pout, C, S, S, O, 1, 1, S, S, 2, wbuf, 0, 1)) : Number.NaN, flop],
    ['forward: convWinogradImages, F(4×4, 3×3)', O % 4 === 0 ? median(() => k.convWinogradImages(px, pu, pout, C, S, S, O, 1, 1, S, S, 4, wbuf, 0, 1)) : Number.NaN, flop],
    ['weight gradient: convWeightGradImages', median(() => exports.convWeightGradImages!(px, pgy, pacc, geo, C, O, 1, col, packed, scratch, 0, 1)), flop],
    ['weight gradient: convWinogradWeightGradImages, F(2×2, 3×3)', O % 4 === 0 ? median(() => k.convWinogradWeightGradImages(px, pgy, pdu, C, S, S, O, 1, 1, S, S, 2, wbuf, 0, 1)) : Number.NaN, flop],
    ['weight gradient: convWinogradWeightGradImages, F(4×4, 3×3)', O % 4 === 0 ? median(() => k.convWinogradWeightGradImages(px, pgy, pdu, C, S, S, O, 1, 1, S, S, 4, wbuf, 0, 1)) : Number.NaN, flop],
    ['  packB of im2colᵀ', median(() => k.packB(col, packed, P, R, 1, 0, R)), 0],
    ['  GEMM gy · im2colᵀ', median(() => k.sgemmPacked(pgy, packed, pacc, O, R, P, 0, scratch, 0, O, 0, R)), flop],
  ];
  for (const [phase, ms, fl] of rows) console.log(`| ${C} → ${O}, ${S}×${S} | ${phase} | ${(ms * 1000).toFixed(1)} | ${fl ? (fl / ms / 1e6).toFixed(1) : ''} |`);
}
