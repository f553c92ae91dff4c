// AssemblyScript source of @likelihood/core's WebAssembly SIMD kernels (float32).
// Build: `npm run build:wasm` in packages/core (writes src/kernels/wasm/module.generated.ts).
// No AssemblyScript runtime: the JS side lays out linear memory and passes byte pointers.
// Plain TypeScript syntax only (no decorators), so the repo's linter can parse this file.

// Register block of C: MR rows × NR columns (NR = two f32x4 vectors), 8 accumulators. (6×8, with
// 12 accumulators, measured 0.6× as fast in V8: too few xmm registers left, so it spills.)
const MR: i32 = 4;
const NR: i32 = 8;
// Cache blocks: KC×NR panel of B and MR×KC panel of A stay in L1; MC×KC block of A in L2.
const KC: i32 = 256;
const MC: i32 = 64;

/** Bytes of per-thread scratch that `sgemmPacked` needs: one packed block of A and one edge tile. */
export function sgemmScratchBytes(): i32 {
  return (MC * KC + MR * NR) * 4;
}

/** Bytes that `packB` writes for a K×N op(B): K rows of N rounded up to whole NR-column panels. */
export function packedBBytes(K: i32, N: i32): i32 {
  return K * (((N + NR - 1) / NR) * NR) * 4;
}

export function heapBase(): usize {
  return __heap_base;
}

/** Zeroes `bytes` bytes at p (bulk memory.fill: several times TypedArray.fill on a shared buffer). */
export function zeroBytes(p: usize, bytes: usize): void {
  memory.fill(p, 0, bytes);
}

/**
 * Packs columns [n0, n1) of op(B) (K×N; transB reads B as N×K) for `sgemmPacked`: per KC-deep
 * block of k, panels of NR columns, each kc×NR floats, zero-padded past N. Block pc starts at
 * pb + pc·Np floats (Np = N rounded up to NR), panel q at + q·kc·NR. n0 is a multiple of NR,
 * so threads can pack disjoint column ranges.
 */
export function packB(b: usize, pb: usize, K: i32, N: i32, transB: i32, n0: i32, n1: i32): void {
  const sb: i32 = transB ? K : 1;
  const kb: i32 = transB ? 1 : N;
  const np = ((N + NR - 1) / NR) * NR;
  for (let pc: i32 = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    const block = pb + (<usize>(pc * np) << 2);
    packBPanels(b, block + (<usize>(n0 * kc) << 2), pc, n0, kc, n1 - n0, sb, kb, transB);
  }
}

/**
 * C[m0:m1, n0:n1] of C = op(A)·op(B), op(A) M×K (transA reads A as K×M), with op(B) packed by
 * `packB`; row-major float32 at byte pointers. n0 is a multiple of NR. `scratch` holds
 * sgemmScratchBytes() bytes, 16-aligned, private to the calling thread: threads each compute
 * their own block of C from the one packed B.
 */
export function sgemmPacked(
  a: usize, pb: usize, c: usize, M: i32, N: i32, K: i32, transA: i32, scratch: usize,
  m0: i32, m1: i32, n0: i32, n1: i32,
): void {
  gemmPacked(a, pb, c, M, N, K, transA, scratch, m0, m1, n0, n1, false);
}

/** sgemmPacked, or C += op(A)·op(B) when `accumulate`. */
function gemmPacked(
  a: usize, pb: usize, c: usize, M: i32, N: i32, K: i32, transA: i32, scratch: usize,
  m0: i32, m1: i32, n0: i32, n1: i32, accumulate: bool,
): void {
  if (m1 <= m0 || n1 <= n0) return;
  if (K <= 0) {
    if (accumulate) return;
    for (let i: i32 = m0; i < m1; i++) memory.fill(c + (<usize>(i * N + n0) << 2), 0, <usize>(n1 - n0) << 2);
    return;
  }
  // Element strides of op(A): between rows, and along k.
  const sa: i32 = transA ? 1 : K;
  const ka: i32 = transA ? M : 1;
  const np = ((N + NR - 1) / NR) * NR;
  const pa = scratch;
  const tile = pa + (<usize>(MC * KC) << 2);
  const ldc = <usize>N << 2;
  for (let pc: i32 = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    const block = pb + (<usize>(pc * np) << 2);
    const first = pc === 0 && !accumulate;
    for (let ic: i32 = m0; ic < m1; ic += MC) {
      const mc = min(MC, m1 - ic);
      packA(a, pa, ic, pc, mc, kc, sa, ka, transA);
      for (let jr: i32 = n0; jr < n1; jr += NR) {
        const w = min(NR, n1 - jr);
        const bp = block + (<usize>(jr * kc) << 2);
        for (let ir: i32 = 0; ir < mc; ir += MR) {
          const h = min(MR, mc - ir);
          const ap = pa + (<usize>(ir * kc) << 2);
          const cp = c + (<usize>((ic + ir) * N + jr) << 2);
          if (h === MR && w === NR) {
            micro(ap, bp, kc, cp, ldc, first);
          } else {
            micro(ap, bp, kc, tile, <usize>(NR << 2), true);
            for (let i: i32 = 0; i < h; i++) {
              for (let j: i32 = 0; j < w; j++) {
                const src = load<f32>(tile + (<usize>(i * NR + j) << 2));
                const dst = cp + <usize>i * ldc + (<usize>j << 2);
                store<f32>(dst, first ? src : load<f32>(dst) + src);
              }
            }
          }
        }
      }
    }
  }
}

/** Packs op(B)[pc:pc+kc, jc:jc+nc] into column panels of NR: pb[(p·kc + k)·NR + j], zero-padded. */
function packBPanels(b: usize, pb: usize, pc: i32, jc: i32, kc: i32, nc: i32, sb: i32, kb: i32, transB: i32): void {
  let dst = pb;
  for (let j0: i32 = 0; j0 < nc; j0 += NR) {
    const w = min(NR, nc - j0);
    if (!transB && w === NR) {
      // Rows of B are contiguous in j: two vector loads per k.
      let src = b + (<usize>(pc * kb + jc + j0) << 2);
      const step = <usize>kb << 2;
      for (let k: i32 = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += 32;
      }
    } else {
      let k: i32 = 0;
      if (transB && w === NR) {
        // The panel's 8 columns are 8 rows of the stored B, each contiguous in k: load 4 k from
        // each row and transpose two 4×4 blocks into 4 panel rows.
        const row0 = b + (<usize>(pc + (jc + j0) * sb) << 2);
        const rs = <usize>sb << 2;
        for (; k + 4 <= kc; k += 4) {
          const s = row0 + (<usize>k << 2);
          transpose4x4Store(v128.load(s), v128.load(s + rs), v128.load(s + 2 * rs), v128.load(s + 3 * rs), dst);
          transpose4x4Store(v128.load(s + 4 * rs), v128.load(s + 5 * rs), v128.load(s + 6 * rs), v128.load(s + 7 * rs), dst + 16);
          dst += 128;
        }
      }
      for (; k < kc; k++) {
        const src = b + (<usize>((pc + k) * kb + (jc + j0) * sb) << 2);
        for (let j: i32 = 0; j < NR; j++) {
          store<f32>(dst + (<usize>j << 2), j < w ? load<f32>(src + (<usize>(j * sb) << 2)) : 0);
        }
        dst += 32;
      }
    }
  }
}

/** Stores the transpose of the 4×4 block with rows r0…r3 as 4 rows of 4 floats, 32 bytes apart (one panel row each). */
function transpose4x4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize): void {
  const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const b = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // r0[2] r1[2] r0[3] r1[3]
  const c = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const d = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f64>(a, c, 0, 2)); // r0[0] r1[0] r2[0] r3[0]
  v128.store(dst, v128.shuffle<f64>(a, c, 1, 3), 32);
  v128.store(dst, v128.shuffle<f64>(b, d, 0, 2), 64);
  v128.store(dst, v128.shuffle<f64>(b, d, 1, 3), 96);
}

/** Packs op(A)[ic:ic+mc, pc:pc+kc] into row panels of MR: pa[(q·kc + k)·MR + i], zero-padded. */
function packA(a: usize, pa: usize, ic: i32, pc: i32, mc: i32, kc: i32, sa: i32, ka: i32, transA: i32): void {
  let dst = pa;
  for (let i0: i32 = 0; i0 < mc; i0 += MR) {
    const h = min(MR, mc - i0);
    if (h === MR && !transA) {
      // Four rows of A, each contiguous in k.
      const r0 = a + (<usize>((ic + i0) * sa + pc) << 2);
      const rs = <usize>sa << 2;
      for (let k: i32 = 0; k < kc; k++) {
        const s = r0 + (<usize>k << 2);
        store<f32>(dst, load<f32>(s));
        store<f32>(dst, load<f32>(s + rs), 4);
        store<f32>(dst, load<f32>(s + 2 * rs), 8);
        store<f32>(dst, load<f32>(s + 3 * rs), 12);
        dst += 16;
      }
    } else if (h === MR) {
      // transA: the four rows' values at each k are adjacent in memory
      let src = a + (<usize>(pc * ka + ic + i0) << 2);
      const step = <usize>ka << 2;
      for (let k: i32 = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        src += step;
        dst += 16;
      }
    } else {
      for (let k: i32 = 0; k < kc; k++) {
        const src = a + (<usize>((pc + k) * ka + (ic + i0) * sa) << 2);
        for (let i: i32 = 0; i < MR; i++) {
          store<f32>(dst + (<usize>i << 2), i < h ? load<f32>(src + (<usize>(i * sa) << 2)) : 0);
        }
        dst += 16;
      }
    }
  }
}

/**
 * c + a·b on four lanes. The relaxed-SIMD build (`--enable relaxed-simd`) makes it one fused
 * multiply-add where the CPU has FMA (1.2× the GEMM's inner loop on an AVX-512 Xeon; fused, so
 * the last bit can differ from a multiply then an add); the baseline build, a multiply and an add.
 */
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** C[0:4, 0:8] (row stride ldc bytes) = (first ? 0 : C) + Ap·Bp over kc steps. */
function micro(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k: i32 = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  let r = c;
  if (!first) {
    c00 = f32x4.add(c00, v128.load(r)); c01 = f32x4.add(c01, v128.load(r, 16)); r += ldc;
    c10 = f32x4.add(c10, v128.load(r)); c11 = f32x4.add(c11, v128.load(r, 16)); r += ldc;
    c20 = f32x4.add(c20, v128.load(r)); c21 = f32x4.add(c21, v128.load(r, 16)); r += ldc;
    c30 = f32x4.add(c30, v128.load(r)); c31 = f32x4.add(c31, v128.load(r, 16));
    r = c;
  }
  v128.store(r, c00); v128.store(r, c01, 16); r += ldc;
  v128.store(r, c10); v128.store(r, c11, 16); r += ldc;
  v128.store(r, c20); v128.store(r, c21, 16); r += ldc;
  v128.store(r, c30); v128.store(r, c31, 16);
}

// ---- exp, softmax, logSoftmax ----------------------------------------------------------------

/**
 * exp on four lanes (Cephes expf: x = n·ln2 + r, degree-6 polynomial on |r| ≤ ln2/2), within
 * 2 ulp of the correctly rounded result. 2ⁿ is applied as two factors so results that are
 * subnormal or overflow come out right; min/max keep NaN (wasm semantics), ±inf clamp to 89/-104.
 */
function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const t = expRound(x);
  const p = expMantissa(x, t);
  const ni = i32x4.sub(t, i32x4.splat(0x4b400000));
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * x·log2(e) rounded to an integer n by adding 1.5·2²³: the sum's low mantissa bits are n itself,
 * cheaper than nearest + trunc_sat (|x·log2 e| < 2²² after the callers' clamps). Returns the sum.
 */
function expRound(x: v128): v128 {
  return f32x4.add(f32x4.mul(x, f32x4.splat(<f32>Math.LOG2E)), f32x4.splat(12582912.0));
}

/** exp(r) for r = x − n·ln 2 (n from expRound's t), |r| ≤ ln 2 / 2: Cephes' polynomial, ln 2 in two parts. */
function expMantissa(x: v128, t: v128): v128 {
  const n = f32x4.sub(t, f32x4.splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  return f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
}

/**
 * exp(x) for x ≤ 0, as expv but with one scaling by 2ⁿ (n ≥ −126 keeps 2ⁿ normal): the same values
 * on [−87.33, 0], and 0 below it and for NaN, where expv gives denormals (a sigmoid's 1 + e cannot
 * tell them from 0).
 */
function expNegv(x0: v128): v128 {
  const x = f32x4.max(x0, f32x4.splat(-87.33));
  const t = expRound(x);
  // 2ⁿ from n's bits in t: (n + 127) << 23
  const e = f32x4.mul(expMantissa(x, t), i32x4.shl(i32x4.add(i32x4.sub(t, i32x4.splat(0x4b400000)), i32x4.splat(127)), 23));
  return v128.and(e, f32x4.ge(x0, f32x4.splat(-87.33)));
}

function exp1(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}

// Elementwise and row kernels take a range [i0, i1) of elements or rows, so threads can split them.

/** y[i] = exp(x[i]) for i in [i0, i1), floats at byte pointers x, y. */
export function expf32(x: usize, y: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, expv(v128.load(x + o)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, exp1(load<f32>(x + o)));
  }
}

/**
 * softmax (log = 0) or logSoftmax (log = 1) over rows [r0, r1) of `cols` floats: subtract the row
 * max, exponentiate and sum in one pass, then scale (or subtract log of the sum) in a second.
 */
export function softmaxRows(x: usize, y: usize, r0: i32, r1: i32, cols: i32, log: i32): void {
  for (let r: i32 = r0; r < r1; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    const yr = y + (<usize>(r * cols) << 2);
    let mv = f32x4.splat(-Infinity);
    let j: i32 = 0;
    for (; j + 4 <= cols; j += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>j << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < cols; j++) m = max(m, load<f32>(xr + (<usize>j << 2)));
    // A row that is all -inf has no finite max: torch gives NaN, which (-inf) - (-inf) yields too.
    // logSoftmax shifts by 0 when the max is infinite, as the composite in ops/reduce.ts does.
    if (log && m - m !== 0) m = 0; // m is ±inf (or NaN, which gives NaN either way)
    const mm = f32x4.splat(m);
    let sv = f32x4.splat(0);
    j = 0;
    if (log) {
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        const d = f32x4.sub(v128.load(xr + o), mm);
        v128.store(yr + o, d);
        sv = f32x4.add(sv, expv(d));
      }
    } else {
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        const e = expv(f32x4.sub(v128.load(xr + o), mm));
        v128.store(yr + o, e);
        sv = f32x4.add(sv, e);
      }
    }
    let s = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const d = load<f32>(xr + o) - m;
      const e = exp1(d);
      store<f32>(yr + o, log ? d : e);
      s += e;
    }
    j = 0;
    if (log) {
      const ls = f32x4.splat(Mathf.log(s));
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, f32x4.sub(v128.load(yr + o), ls));
      }
      for (; j < cols; j++) {
        const o = <usize>j << 2;
        store<f32>(yr + o, load<f32>(yr + o) - f32x4.extract_lane(ls, 0));
      }
    } else {
      const inv = f32x4.splat(1 / s);
      for (; j + 4 <= cols; j += 4) {
        const o = <usize>j << 2;
        v128.store(yr + o, f32x4.mul(v128.load(yr + o), inv));
      }
      for (; j < cols; j++) {
        const o = <usize>j << 2;
        store<f32>(yr + o, load<f32>(yr + o) * f32x4.extract_lane(inv, 0));
      }
    }
  }
}

// ---- sin and cos ----------------------------------------------------------------------------------

/**
 * sin (cos = false) or cos of four lanes (Cephes sinf/cosf as vectorised in sse_mathfun): j = the
 * nearest even multiple of π/4 to |x|, x − j·π/4 reduced with π/4 split into three parts (exact
 * for |x| up to 8192, where the caller sends larger arguments elsewhere), then the sine or cosine
 * polynomial on [−π/4, π/4] chosen by the octant and the sign from it. NaN stays NaN.
 */
function sinCosV(v: v128, cos: bool): v128 {
  const j = sinCosOctant(v);
  const x = sinCosReduce(v, j);
  const z = f32x4.mul(x, x);
  const pc = cosPoly(z);
  const ps = sinPoly(x, z);
  // octants 2 and 6 (j & 2 set) swap the polynomials
  const swap = i32x4.eq(v128.and(j, i32x4.splat(2)), i32x4.splat(2));
  return cos ? v128.xor(v128.bitselect(ps, pc, swap), cosSign(j)) : v128.xor(v128.bitselect(pc, ps, swap), sinSign(v, j));
}

/** cos(v) at c and sin(v) at s (16 bytes each): sinCosV's two results from one reduction. */
function sinCosStore(v: v128, c: usize, s: usize): void {
  const j = sinCosOctant(v);
  const x = sinCosReduce(v, j);
  const z = f32x4.mul(x, x);
  const pc = cosPoly(z);
  const ps = sinPoly(x, z);
  const swap = i32x4.eq(v128.and(j, i32x4.splat(2)), i32x4.splat(2));
  v128.store(c, v128.xor(v128.bitselect(ps, pc, swap), cosSign(j)));
  v128.store(s, v128.xor(v128.bitselect(pc, ps, swap), sinSign(v, j)));
}

/** j = the nearest even multiple of π/4 to |v|, as an integer per lane. */
function sinCosOctant(v: v128): v128 {
  const j = i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.abs(v), f32x4.splat(<f32>1.27323954473516))); // |x|·4/π
  return v128.and(i32x4.add(j, i32x4.splat(1)), i32x4.splat(~1));
}

/** |v| − j·π/4 with π/4 in three parts. */
function sinCosReduce(v: v128, j: v128): v128 {
  const y = f32x4.convert_i32x4_s(j);
  let x = f32x4.sub(f32x4.abs(v), f32x4.mul(y, f32x4.splat(0.78515625)));
  x = f32x4.sub(x, f32x4.mul(y, f32x4.splat(2.4187564849853515625e-4)));
  return f32x4.sub(x, f32x4.mul(y, f32x4.splat(3.77489497744594108e-8)));
}

/** The cosine polynomial of the reduced argument (z = x²). */
function cosPoly(z: v128): v128 {
  let pc = f32x4.splat(2.443315711809948e-5);
  pc = madd(pc, z, f32x4.splat(-1.388731625493765e-3));
  pc = madd(pc, z, f32x4.splat(4.166664568298827e-2));
  return f32x4.add(f32x4.sub(f32x4.mul(f32x4.mul(pc, z), z), f32x4.mul(z, f32x4.splat(0.5))), f32x4.splat(1.0));
}

/** The sine polynomial of the reduced argument x (z = x²). */
function sinPoly(x: v128, z: v128): v128 {
  let ps = f32x4.splat(-1.9515295891e-4);
  ps = madd(ps, z, f32x4.splat(8.3321608736e-3));
  ps = madd(ps, z, f32x4.splat(-1.6666654611e-1));
  return madd(f32x4.mul(ps, z), x, x);
}

/** cos is even; its sign flips in octants 2–5: ((j − 2) & 4) == 0. */
function cosSign(j: v128): v128 {
  return i32x4.shl(v128.andnot(i32x4.splat(4), i32x4.sub(j, i32x4.splat(2))), 29);
}

/** sin is odd (v's own sign) and flips in octants 4–7 (j & 4). */
function sinSign(v: v128, j: v128): v128 {
  return v128.xor(v128.and(v, i32x4.splat(0x80000000)), i32x4.shl(v128.and(j, i32x4.splat(4)), 29));
}

/** y = sin(x) for elements [i0, i1); |x| ≤ 8192 (the caller checks). */
export function sinF32(x: usize, y: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) v128.store(y + (<usize>i << 2), sinCosV(v128.load(x + (<usize>i << 2)), false));
  for (; i < i1; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(sinCosV(f32x4.splat(load<f32>(x + (<usize>i << 2))), false), 0));
}

/** y = cos(x) for elements [i0, i1); |x| ≤ 8192 (the caller checks). */
export function cosF32(x: usize, y: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) v128.store(y + (<usize>i << 2), sinCosV(v128.load(x + (<usize>i << 2)), true));
  for (; i < i1; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(sinCosV(f32x4.splat(load<f32>(x + (<usize>i << 2))), true), 0));
}

/**
 * Rows [r0, r1) of a sinusoidal embedding (nn's timestep embedding): row n of y (`dim` floats) is
 * [cos(t[n]·f[0…half)), sin(t[n]·f[0…half)), 0 when dim is odd]. t[n]·f[i] is rounded to float32
 * first, as the composite's multiply; |t[n]·f[i]| ≤ 8192 (the caller checks).
 */
export function sinusoidalRows(t: usize, f: usize, y: usize, half: i32, dim: i32, r0: i32, r1: i32): void {
  for (let n: i32 = r0; n < r1; n++) {
    const tn = f32x4.splat(load<f32>(t + (<usize>n << 2)));
    const row = y + (<usize>n * <usize>dim << 2);
    let i: i32 = 0;
    for (; i + 4 <= half; i += 4) {
      sinCosStore(f32x4.mul(tn, v128.load(f + (<usize>i << 2))), row + (<usize>i << 2), row + (<usize>(half + i) << 2));
    }
    for (; i < half; i++) {
      const a = f32x4.mul(tn, f32x4.splat(load<f32>(f + (<usize>i << 2))));
      store<f32>(row + (<usize>i << 2), f32x4.extract_lane(sinCosV(a, true), 0));
      store<f32>(row + (<usize>(half + i) << 2), f32x4.extract_lane(sinCosV(a, false), 0));
    }
    if (dim > 2 * half) store<f32>(row + (<usize>(dim - 1) << 2), 0);
  }
}

// ---- GELU, tanh approximation (GPT-2's) -------------------------------------------------------
// 0.5·x·(1 + tanh(u)) = x·σ(2u) with u = √(2/π)·(x + 0.044715·x³): one exp, no cancellation.

/** σ(2u(x)) on four lanes. */
function geluGate(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const inner = f32x4.add(f32x4.splat(1.0), f32x4.mul(x2, f32x4.splat(0.044715)));
  const m2u = f32x4.mul(f32x4.mul(x, inner), f32x4.splat(-1.5957691216057308)); // −2·√(2/π)
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expv(m2u)));
}

/** y = x·σ(2u) for elements [i0, i1). */
export function geluTanh(x: usize, y: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, f32x4.mul(v, geluGate(v)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const v = f32x4.splat(load<f32>(x + o));
    store<f32>(y + o, f32x4.extract_lane(f32x4.mul(v, geluGate(v)), 0));
  }
}

/**
 * dx = g·(s + x·s·(1 − s)·2u'(x)) with s = σ(2u), 2u' = 2√(2/π)·(1 + 3·0.044715·x²); 1 − s is
 * computed as e·s with e = exp(−2u) (no cancellation when s rounds to 1).
 */
function geluGradV(v: v128, g: v128): v128 {
  // Beyond |x| = 10 the gate is 0 or 1 and its slope < 1e-30: clamping keeps e finite (no 0·inf).
  const vc = f32x4.min(f32x4.max(v, f32x4.splat(-10.0)), f32x4.splat(10.0));
  const x2 = f32x4.mul(vc, vc);
  const inner = f32x4.add(f32x4.splat(1.0), f32x4.mul(x2, f32x4.splat(0.044715)));
  const e = expv(f32x4.mul(f32x4.mul(vc, inner), f32x4.splat(-1.5957691216057308)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  const du = f32x4.mul(f32x4.add(f32x4.splat(1.0), f32x4.mul(x2, f32x4.splat(0.134145))), f32x4.splat(1.5957691216057308));
  const ds = f32x4.mul(f32x4.mul(f32x4.mul(s, s), e), du);
  return f32x4.mul(g, f32x4.add(s, f32x4.mul(vc, ds)));
}

/** dx = g·gelu'(x) for elements [i0, i1). */
export function geluTanhGrad(x: usize, g: usize, dx: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, geluGradV(v128.load(x + o), v128.load(g + o)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const r = geluGradV(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(g + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- layerNorm over the last D values of each row ---------------------------------------------

function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Mean of a row of D floats, and 1/√(variance + eps) by a second pass, stored at mean and rstd (layerNormRows, groupNormRows). */
function rowStats(xr: usize, D: i32, eps: f32, mean: usize, rstd: usize): void {
  const inv = <f32>1.0 / <f32>D;
  let sv = f32x4.splat(0);
  let j: i32 = 0;
  for (; j + 4 <= D; j += 4) sv = f32x4.add(sv, v128.load(xr + (<usize>j << 2)));
  let s = hsum(sv);
  for (; j < D; j++) s += load<f32>(xr + (<usize>j << 2));
  const mu = s * inv;
  const mv = f32x4.splat(mu);
  sv = f32x4.splat(0);
  j = 0;
  for (; j + 4 <= D; j += 4) {
    const d = f32x4.sub(v128.load(xr + (<usize>j << 2)), mv);
    sv = f32x4.add(sv, f32x4.mul(d, d));
  }
  s = hsum(sv);
  for (; j < D; j++) {
    const d = load<f32>(xr + (<usize>j << 2)) - mu;
    s += d * d;
  }
  store<f32>(mean, mu);
  store<f32>(rstd, <f32>1.0 / Mathf.sqrt(s * inv + eps));
}

/**
 * y = (x − μ)·rstd·w + b for rows [r0, r1) (w, b optional: pointer 0), two passes for μ and the
 * biased variance; μ and rstd = 1/√(var + eps) are written per row for the backward.
 */
export function layerNormRows(x: usize, w: usize, b: usize, y: usize, mean: usize, rstd: usize, r0: i32, r1: i32, D: i32, eps: f32): void {
  for (let r: i32 = r0; r < r1; r++) {
    const xr = x + (<usize>(r * D) << 2);
    const yr = y + (<usize>(r * D) << 2);
    rowStats(xr, D, eps, mean + (<usize>r << 2), rstd + (<usize>r << 2));
    const mu = load<f32>(mean + (<usize>r << 2));
    const rs = load<f32>(rstd + (<usize>r << 2));
    const mv = f32x4.splat(mu);
    let j: i32 = 0;
    const rv = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= D; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      if (w) v = f32x4.mul(v, v128.load(w + o));
      if (b) v = f32x4.add(v, v128.load(b + o));
      v128.store(yr + o, v);
    }
    for (; j < D; j++) {
      const o = <usize>j << 2;
      let v = (load<f32>(xr + o) - mu) * rs;
      if (w) v *= load<f32>(w + o);
      if (b) v += load<f32>(b + o);
      store<f32>(yr + o, v);
    }
  }
}

/**
 * Backward of layerNormRows for rows [r0, r1) given the output gradient g: x̂ = (x − μ)·rstd,
 * ĝ = g·w, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); adds Σ_rows g·x̂ to dw and Σ_rows g to db
 * (when pointers are non-zero; the caller zeroes them, one pair per thread).
 */
export function layerNormBackward(
  x: usize, w: usize, g: usize, mean: usize, rstd: usize, dx: usize, dw: usize, db: usize, r0: i32, r1: i32, D: i32,
): void {
  const inv = <f32>1.0 / <f32>D;
  for (let r: i32 = r0; r < r1; r++) {
    const off = <usize>(r * D) << 2;
    const mu = f32x4.splat(load<f32>(mean + (<usize>r << 2)));
    const rs = load<f32>(rstd + (<usize>r << 2));
    const rv = f32x4.splat(rs);
    // Pass 1: Σĝ and Σĝ·x̂; dw and db.
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let j: i32 = 0;
    for (; j + 4 <= D; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(x + off + o), mu), rv);
      const gv = v128.load(g + off + o);
      const gh = w ? f32x4.mul(gv, v128.load(w + o)) : gv;
      s1 = f32x4.add(s1, gh);
      s2 = f32x4.add(s2, f32x4.mul(gh, xh));
      if (dw) v128.store(dw + o, f32x4.add(v128.load(dw + o), f32x4.mul(gv, xh)));
      if (db) v128.store(db + o, f32x4.add(v128.load(db + o), gv));
    }
    let a1 = hsum(s1);
    let a2 = hsum(s2);
    const jt = j;
    for (; j < D; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(x + off + o) - f32x4.extract_lane(mu, 0)) * rs;
      const gv = load<f32>(g + off + o);
      const gh = w ? gv * load<f32>(w + o) : gv;
      a1 += gh;
      a2 += gh * xh;
      if (dw) store<f32>(dw + o, load<f32>(dw + o) + gv * xh);
      if (db) store<f32>(db + o, load<f32>(db + o) + gv);
    }
    const m1 = f32x4.splat(a1 * inv);
    const m2 = f32x4.splat(a2 * inv);
    // Pass 2: dx.
    j = 0;
    for (; j < jt; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(x + off + o), mu), rv);
      const gv = v128.load(g + off + o);
      const gh = w ? f32x4.mul(gv, v128.load(w + o)) : gv;
      v128.store(dx + off + o, f32x4.mul(rv, f32x4.sub(f32x4.sub(gh, m1), f32x4.mul(xh, m2))));
    }
    for (; j < D; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(x + off + o) - f32x4.extract_lane(mu, 0)) * rs;
      const gv = load<f32>(g + off + o);
      const gh = w ? gv * load<f32>(w + o) : gv;
      store<f32>(dx + off + o, rs * (gh - f32x4.extract_lane(m1, 0) - xh * f32x4.extract_lane(m2, 0)));
    }
  }
}

// ---- causal multi-head attention on packed projections --------------------------------------
// Element (b, h, t, d) of q, k, v (and of their gradients) lives at base + ((b·T + t)·ld + h·hd + d)
// floats, so GPT's packed qkv [B, T, 3C] is read in place (k = q + C, v = q + 2C, ld = 3C) and
// the output is written with heads merged ([B, T, C], ldOut = C): no split, no transposes.

/** Σ_d x[d]·y[d] over hd floats. */
function dot(x: usize, y: usize, hd: i32): f32 {
  let acc = f32x4.splat(0);
  let d: i32 = 0;
  for (; d + 4 <= hd; d += 4) {
    const o = <usize>d << 2;
    acc = madd(v128.load(x + o), v128.load(y + o), acc);
  }
  let s = hsum(acc);
  for (; d < hd; d++) s += load<f32>(x + (<usize>d << 2)) * load<f32>(y + (<usize>d << 2));
  return s;
}

/** y[d] += a·x[d] over hd floats. */
function axpy(a: f32, x: usize, y: usize, hd: i32): void {
  const av = f32x4.splat(a);
  let d: i32 = 0;
  for (; d + 4 <= hd; d += 4) {
    const o = <usize>d << 2;
    v128.store(y + o, madd(av, v128.load(x + o), v128.load(y + o)));
  }
  for (; d < hd; d++) {
    const o = <usize>d << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/**
 * out[r] = x·src_r for rows r < n (src_r at src + r·stride bytes, hd floats each; hd a multiple
 * of 4): four rows at a time, their four partial-sum vectors reduced together by one 4×4 transpose.
 */
function dotRows(x: usize, src: usize, stride: usize, n: i32, out: usize, hd: i32): void {
  let r: i32 = 0;
  for (; r + 4 <= n; r += 4) {
    const s0 = src + <usize>r * stride;
    const s1 = s0 + stride;
    const s2 = s1 + stride;
    const s3 = s2 + stride;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let d: i32 = 0; d < hd; d += 4) {
      const o = <usize>d << 2;
      const xv = v128.load(x + o);
      a0 = madd(xv, v128.load(s0 + o), a0);
      a1 = madd(xv, v128.load(s1 + o), a1);
      a2 = madd(xv, v128.load(s2 + o), a2);
      a3 = madd(xv, v128.load(s3 + o), a3);
    }
    // lane k of the result = Σ lanes of a_k
    const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
    const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
    const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
    const u = f32x4.add(t0, t1); // a0₀+a0₂ a1₀+a1₂ a0₁+a0₃ a1₁+a1₃
    const w = f32x4.add(t2, t3);
    v128.store(out + (<usize>r << 2), f32x4.add(v128.shuffle<f64>(u, w, 0, 2), v128.shuffle<f64>(u, w, 1, 3)));
  }
  for (; r < n; r++) store<f32>(out + (<usize>r << 2), dot(x, src + <usize>r * stride, hd));
}

/**
 * dst[0:hd] = Σ_{r<n} coef[r]·src_r (coef[r] at coef + r·coefStride bytes, src_r at src +
 * r·stride; hd a multiple of 4): 16 columns at a time held in four registers across all n rows.
 */
function combineRows(coef: usize, coefStride: usize, src: usize, stride: usize, n: i32, dst: usize, hd: i32): void {
  let d: i32 = 0;
  for (; d + 16 <= hd; d += 16) {
    const o = <usize>d << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let c = coef;
    let s = src + o;
    for (let r: i32 = 0; r < n; r++) {
      const cv = v128.load32_splat(c);
      a0 = madd(cv, v128.load(s), a0);
      a1 = madd(cv, v128.load(s, 16), a1);
      a2 = madd(cv, v128.load(s, 32), a2);
      a3 = madd(cv, v128.load(s, 48), a3);
      c += coefStride;
      s += stride;
    }
    v128.store(dst + o, a0);
    v128.store(dst + o, a1, 16);
    v128.store(dst + o, a2, 32);
    v128.store(dst + o, a3, 48);
  }
  for (; d < hd; d += 4) {
    const o = <usize>d << 2;
    let a0 = f32x4.splat(0);
    let c = coef;
    let s = src + o;
    for (let r: i32 = 0; r < n; r++) {
      a0 = madd(v128.load32_splat(c), v128.load(s), a0);
      c += coefStride;
      s += stride;
    }
    v128.store(dst + o, a0);
  }
}

/**
 * y = softmax(q·kᵀ·scale, causal) · v per head, for batch entries [b0, b1). Row i attends keys
 * j ≤ i. The probabilities are written to p ([B, H, T, T], zeros above the diagonal) for the backward.
 */
export function attnCausal(
  q: usize, k: usize, v: usize, y: usize, p: usize, b0: i32, b1: i32, H: i32, T: i32, hd: i32, ld: i32, ldOut: i32, scale: f32,
): void {
  const stride = <usize>ld << 2;
  const fast = (hd & 3) === 0;
  for (let b: i32 = b0; b < b1; b++) {
    for (let h: i32 = 0; h < H; h++) {
      const pbh = p + (<usize>((b * H + h) * T * T) << 2);
      const k0 = k + (<usize>(b * T * ld + h * hd) << 2);
      const v0 = v + (<usize>(b * T * ld + h * hd) << 2);
      for (let i: i32 = 0; i < T; i++) {
        const qi = q + (<usize>((b * T + i) * ld + h * hd) << 2);
        const pr = pbh + (<usize>(i * T) << 2);
        if (fast) {
          dotRows(qi, k0, stride, i + 1, pr, hd);
        } else {
          for (let j: i32 = 0; j <= i; j++) store<f32>(pr + (<usize>j << 2), dot(qi, k0 + <usize>j * stride, hd));
        }
        let m: f32 = -Infinity;
        for (let j: i32 = 0; j <= i; j++) {
          const o = pr + (<usize>j << 2);
          const sc = load<f32>(o) * scale;
          store<f32>(o, sc);
          m = max(m, sc);
        }
        // softmax of the scaled scores, four at a time
        const mv = f32x4.splat(m);
        let acc = f32x4.splat(0);
        let j: i32 = 0;
        for (; j + 4 <= i + 1; j += 4) {
          const o = pr + (<usize>j << 2);
          const e = expv(f32x4.sub(v128.load(o), mv));
          v128.store(o, e);
          acc = f32x4.add(acc, e);
        }
        let sum: f32 = hsum(acc);
        for (; j <= i; j++) {
          const o = pr + (<usize>j << 2);
          const e = exp1(load<f32>(o) - m);
          store<f32>(o, e);
          sum += e;
        }
        const inv = f32x4.splat(<f32>1 / sum);
        for (j = 0; j + 4 <= i + 1; j += 4) {
          const o = pr + (<usize>j << 2);
          v128.store(o, f32x4.mul(v128.load(o), inv));
        }
        for (; j <= i; j++) {
          const o = pr + (<usize>j << 2);
          store<f32>(o, load<f32>(o) * f32x4.extract_lane(inv, 0));
        }
        const yi = y + (<usize>((b * T + i) * ldOut + h * hd) << 2);
        if (fast) {
          combineRows(pr, 4, v0, stride, i + 1, yi, hd);
        } else {
          memory.fill(yi, 0, <usize>hd << 2);
          for (j = 0; j <= i; j++) axpy(load<f32>(pr + (<usize>j << 2)), v0 + <usize>j * stride, yi, hd);
        }
        if (i + 1 < T) memory.fill(pr + (<usize>(i + 1) << 2), 0, <usize>(T - i - 1) << 2);
      }
    }
  }
}

/**
 * Backward of attnCausal for batch entries [b0, b1) from the saved probabilities p and the output
 * gradient gy (layout of y): dPᵢⱼ = gyᵢ·vⱼ, dSᵢⱼ = Pᵢⱼ(dPᵢⱼ − Σⱼ Pᵢⱼ dPᵢⱼ)·scale, dq = dS·k,
 * dk = dSᵀ·q, dv = Pᵀ·gy. dq, dk, dv (layout of q, k, v) must be zeroed by the caller; `row` is
 * T floats of scratch private to the calling thread. p is overwritten with dS.
 */
export function attnCausalBackward(
  q: usize, k: usize, v: usize, gy: usize, p: usize, dq: usize, dk: usize, dv: usize, row: usize,
  b0: i32, b1: i32, H: i32, T: i32, hd: i32, ld: i32, ldOut: i32, scale: f32,
): void {
  const stride = <usize>ld << 2;
  const gStride = <usize>ldOut << 2;
  const colStride = <usize>T << 2;
  const fast = (hd & 3) === 0;
  for (let b: i32 = b0; b < b1; b++) {
    for (let h: i32 = 0; h < H; h++) {
      const pbh = p + (<usize>((b * H + h) * T * T) << 2);
      const head = <usize>(b * T * ld + h * hd) << 2;
      const g0 = gy + (<usize>(b * T * ldOut + h * hd) << 2);
      if (fast) {
        // dv_j = Σ_{i ≥ j} P_ij gy_i: column j of P from row j down
        for (let j: i32 = 0; j < T; j++) {
          combineRows(pbh + (<usize>(j * T + j) << 2), colStride, g0 + <usize>j * gStride, gStride, T - j, dv + head + <usize>j * stride, hd);
        }
      }
      for (let i: i32 = 0; i < T; i++) {
        const rowOff = head + <usize>i * stride;
        const gi = g0 + <usize>i * gStride;
        const pr = pbh + (<usize>(i * T) << 2);
        if (fast) {
          dotRows(gi, v + head, stride, i + 1, row, hd);
        } else {
          for (let j: i32 = 0; j <= i; j++) store<f32>(row + (<usize>j << 2), dot(gi, v + head + <usize>j * stride, hd));
        }
        let s: f32 = 0;
        for (let j: i32 = 0; j <= i; j++) s += load<f32>(row + (<usize>j << 2)) * load<f32>(pr + (<usize>j << 2));
        if (fast) {
          for (let j: i32 = 0; j <= i; j++) {
            const o = pr + (<usize>j << 2);
            store<f32>(o, load<f32>(o) * (load<f32>(row + (<usize>j << 2)) - s) * scale); // P → dS in place
          }
          combineRows(pr, 4, k + head, stride, i + 1, dq + rowOff, hd);
        } else {
          for (let j: i32 = 0; j <= i; j++) {
            const colOff = head + <usize>j * stride;
            const pij = load<f32>(pr + (<usize>j << 2));
            const ds = pij * (load<f32>(row + (<usize>j << 2)) - s) * scale;
            axpy(ds, k + colOff, dq + rowOff, hd);
            axpy(ds, q + rowOff, dk + colOff, hd);
            axpy(pij, gi, dv + colOff, hd);
          }
        }
      }
      if (fast) {
        // dk_j = Σ_{i ≥ j} dS_ij q_i
        for (let j: i32 = 0; j < T; j++) {
          combineRows(pbh + (<usize>(j * T + j) << 2), colStride, q + head + <usize>j * stride, stride, T - j, dk + head + <usize>j * stride, hd);
        }
      }
    }
  }
}

// ---- im2col for convolutions (3 spatial dims; 1-D and 2-D pad with leading 1s) ---------------

// A convolution's geometry, 18 i32 at byte pointer geo (3 spatial dims; 1-D and 2-D pad with
// leading 1s): input S (d, h, w), kernel K, output O, strides, begin pads, dilations.
function geoAt(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

function geoVolume(geo: usize, first: i32): i32 {
  return geoAt(geo, first) * geoAt(geo, first + 1) * geoAt(geo, first + 2);
}

/**
 * col[(c·Kvol + kidx)·ld + j·colImage + p] = x[j·xImage + c, input position of output p and kernel
 * tap kidx], or 0 where that position is padding: im2col of C channels (Sd×Sh×Sw floats each) of
 * several images j, written side by side (rows are ld floats apart, image j's columns start at
 * j·colImage). Units [i0, i1) are (image, channel) pairs i = j·C + c, which threads split.
 */
function im2col(
  x: usize, xImage: i32, col: usize, ld: i32, colImage: i32, i0: i32, i1: i32, C: i32, geo: usize): void {
  const Sd = geoAt(geo, 0), Sh = geoAt(geo, 1), Sw = geoAt(geo, 2), Kd = geoAt(geo, 3), Kh = geoAt(geo, 4), Kw = geoAt(geo, 5);
  const Od = geoAt(geo, 6), Oh = geoAt(geo, 7), Ow = geoAt(geo, 8), sd = geoAt(geo, 9), sh = geoAt(geo, 10), sw = geoAt(geo, 11);
  const pd = geoAt(geo, 12), ph = geoAt(geo, 13), pw = geoAt(geo, 14), dd = geoAt(geo, 15), dh = geoAt(geo, 16), dw = geoAt(geo, 17);
  const Svol = Sd * Sh * Sw;
  const Kvol = Kd * Kh * Kw;
  const rowBytes = <usize>Ow << 2;
  for (let i: i32 = i0; i < i1; i++) {
    const j = i / C;
    const c = i - j * C;
    const xc = x + (<usize>(j * xImage + c * Svol) << 2);
    const colj = col + (<usize>(j * colImage) << 2);
    let r = c * Kvol;
    for (let kd: i32 = 0; kd < Kd; kd++) {
      for (let kh: i32 = 0; kh < Kh; kh++) {
        for (let kw: i32 = 0; kw < Kw; kw++, r++) {
          let p = colj + (<usize>r * <usize>ld << 2);
          // Output columns whose input column iw = ow·sw + iw0 lies in [0, Sw): [lo, hi).
          const iw0 = kw * dw - pw;
          const lo = min(Ow, iw0 >= 0 ? 0 : (sw - 1 - iw0) / sw);
          const last = Sw - 1 - iw0;
          const hi = last < 0 ? lo : max(lo, min(Ow, last / sw + 1));
          for (let od: i32 = 0; od < Od; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= Sd) {
              memory.fill(p, 0, rowBytes * <usize>Oh);
              p += rowBytes * <usize>Oh;
              continue;
            }
            for (let oh: i32 = 0; oh < Oh; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= Sh) {
                memory.fill(p, 0, rowBytes);
                p += rowBytes;
                continue;
              }
              const src = xc + (<usize>((id * Sh + ih) * Sw + iw0) << 2);
              // rows are short (an image's width): inline loops, not memory.copy/fill calls
              for (let ow: i32 = 0; ow < lo; ow++) store<f32>(p + (<usize>ow << 2), 0);
              if (sw === 1) {
                let ow: i32 = lo;
                for (; ow + 4 <= hi; ow += 4) v128.store(p + (<usize>ow << 2), v128.load(src + (<usize>ow << 2)));
                for (; ow < hi; ow++) store<f32>(p + (<usize>ow << 2), load<f32>(src + (<usize>ow << 2)));
              } else {
                for (let ow: i32 = lo; ow < hi; ow++) store<f32>(p + (<usize>ow << 2), load<f32>(src + (<usize>(ow * sw) << 2)));
              }
              for (let ow: i32 = hi; ow < Ow; ow++) store<f32>(p + (<usize>ow << 2), 0);
              p += rowBytes;
            }
          }
        }
      }
    }
  }
}

/**
 * col2im, im2col's adjoint: y[j·yImage + c] = Σ over kernel taps of the col entries that im2col
 * would have copied from each position (padding taps dropped), for the (image, channel) pairs
 * [i0, i1) (i = j·C + c), which threads split; each pair's channel of y is overwritten. col is
 * laid out as im2col writes it (rows ld floats apart, image j's columns from j·colImage).
 */
function col2im(
  col: usize, ld: i32, colImage: i32, y: usize, yImage: i32, i0: i32, i1: i32, C: i32, geo: usize): void {
  const Sd = geoAt(geo, 0), Sh = geoAt(geo, 1), Sw = geoAt(geo, 2), Kd = geoAt(geo, 3), Kh = geoAt(geo, 4), Kw = geoAt(geo, 5);
  const Od = geoAt(geo, 6), Oh = geoAt(geo, 7), Ow = geoAt(geo, 8), sd = geoAt(geo, 9), sh = geoAt(geo, 10), sw = geoAt(geo, 11);
  const pd = geoAt(geo, 12), ph = geoAt(geo, 13), pw = geoAt(geo, 14), dd = geoAt(geo, 15), dh = geoAt(geo, 16), dw = geoAt(geo, 17);
  const Svol = Sd * Sh * Sw;
  const Kvol = Kd * Kh * Kw;
  const rowBytes = <usize>Ow << 2;
  for (let i: i32 = i0; i < i1; i++) {
    const j = i / C;
    const c = i - j * C;
    const yc = y + (<usize>(j * yImage + c * Svol) << 2);
    memory.fill(yc, 0, <usize>Svol << 2);
    const colj = col + (<usize>(j * colImage) << 2);
    let r = c * Kvol;
    for (let kd: i32 = 0; kd < Kd; kd++) {
      for (let kh: i32 = 0; kh < Kh; kh++) {
        for (let kw: i32 = 0; kw < Kw; kw++, r++) {
          let p = colj + (<usize>r * <usize>ld << 2);
          const iw0 = kw * dw - pw;
          const lo = min(Ow, iw0 >= 0 ? 0 : (sw - 1 - iw0) / sw);
          const last = Sw - 1 - iw0;
          const hi = last < 0 ? lo : max(lo, min(Ow, last / sw + 1));
          for (let od: i32 = 0; od < Od; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= Sd) {
              p += rowBytes * <usize>Oh;
              continue;
            }
            for (let oh: i32 = 0; oh < Oh; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih >= 0 && ih < Sh) {
                const dst = yc + (<usize>((id * Sh + ih) * Sw + iw0) << 2);
                if (sw === 1) {
                  let ow: i32 = lo;
                  for (; ow + 4 <= hi; ow += 4) {
                    const o = <usize>ow << 2;
                    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(p + o)));
                  }
                  for (; ow < hi; ow++) {
                    const o = <usize>ow << 2;
                    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(p + o));
                  }
                } else {
                  for (let ow: i32 = lo; ow < hi; ow++) {
                    const d = dst + (<usize>(ow * sw) << 2);
                    store<f32>(d, load<f32>(d) + load<f32>(p + (<usize>ow << 2)));
                  }
                }
              }
              p += rowBytes;
            }
          }
        }
      }
    }
  }
}

/**
 * Conv of images [i0, i1) (threads split the images): per image and group,
 * out[j, group's O/G channels] (Og × Ovol) = w_g (Og × R) · im2col(x[j], group's channels)
 * (R × Ovol), R = (C/G)·Kvol. The im2col matrix and its packing stay in the calling thread's
 * col, packed (packedBBytes(R, Ovol)) and scratch (sgemmScratchBytes()), small enough to stay
 * in cache, and the GEMM writes the output in place. x: (N, C, S), w: (O, C/G, K), out: (N, O, Ovol).
 */
export function convImages(x: usize, w: usize, out: usize, geo: usize, C: i32, O: i32, G: i32, col: usize, packed: usize, scratch: usize, i0: i32, i1: i32): void {
  const Svol = geoVolume(geo, 0);
  const Kvol = geoVolume(geo, 3);
  const Ovol = geoVolume(geo, 6);
  const Cg = C / G;
  const Og = O / G;
  const R = Cg * Kvol;
  for (let j: i32 = i0; j < i1; j++) {
    for (let g: i32 = 0; g < G; g++) {
      im2col(x + (<usize>((j * C + g * Cg) * Svol) << 2), 0, col, Ovol, 0, 0, Cg, Cg, geo);
      packB(col, packed, R, Ovol, 0, 0, Ovol);
      sgemmPacked(w + (<usize>(g * Og * R) << 2), packed, out + (<usize>((j * O + g * Og) * Ovol) << 2), Og, Ovol, R, 0, scratch, 0, Og, 0, Ovol);
    }
  }
}

/**
 * Conv's weight gradient over images [i0, i1): acc (per group an Og × R block, the thread's own,
 * zeroed by the caller; together the layout of dW) += gy[j, group's channels] (Og × Ovol) ·
 * im2col(x[j], group's channels)ᵀ (Ovol × R). The im2col matrix is packed as B by packB's
 * transposing path (vector 4×4 transposes); gy, Og rows, is the GEMM's A. (The transposed
 * product, im2col as A, packs the 9×-larger matrix with scalar loads and ran 5–20 % slower.)
 * Per-thread buffers as convImages (packed: packedBBytes(Ovol, R)).
 */
export function convWeightGradImages(
  x: usize, gy: usize, acc: usize, geo: usize, C: i32, O: i32, G: i32, col: usize, packed: usize, scratch: usize, i0: i32, i1: i32,
): void {
  const Svol = geoVolume(geo, 0);
  const Kvol = geoVolume(geo, 3);
  const Ovol = geoVolume(geo, 6);
  const Cg = C / G;
  const Og = O / G;
  const R = Cg * Kvol;
  for (let j: i32 = i0; j < i1; j++) {
    for (let g: i32 = 0; g < G; g++) {
      im2col(x + (<usize>((j * C + g * Cg) * Svol) << 2), 0, col, Ovol, 0, 0, Cg, Cg, geo);
      packB(col, packed, Ovol, R, 1, 0, R); // colᵀ: col is R × Ovol, read as N × K
      gemmPacked(gy + (<usize>((j * O + g * Og) * Ovol) << 2), packed, acc + (<usize>(g * Og * R) << 2), Og, R, Ovol, 0, scratch, 0, Og, 0, R, true);
    }
  }
}

/**
 * ConvTranspose of images [i0, i1), which is also Conv's input gradient: per image and group,
 * col (R × Svol) = w_gᵀ (R × Cg) · x[j, group's channels] (Cg × Svol), R = Og·Kvol, then col2im
 * into y[j, group's Og channels]. geo is the conv from y to x (its input is y, its output x).
 * x: (N, C, Svol), w: (C, Og, K), y: (N, O, Yvol). Per-thread col (R × Svol floats), packed
 * (packedBBytes(Cg, Svol)) and scratch.
 */
export function convTransposeImages(x: usize, w: usize, y: usize, geo: usize, C: i32, O: i32, G: i32, col: usize, packed: usize, scratch: usize, i0: i32, i1: i32): void {
  const Yvol = geoVolume(geo, 0);
  const Kvol = geoVolume(geo, 3);
  const Svol = geoVolume(geo, 6);
  const Cg = C / G;
  const Og = O / G;
  const R = Og * Kvol;
  for (let j: i32 = i0; j < i1; j++) {
    for (let g: i32 = 0; g < G; g++) {
      packB(x + (<usize>((j * C + g * Cg) * Svol) << 2), packed, Cg, Svol, 0, 0, Svol);
      sgemmPacked(w + (<usize>(g * Cg * R) << 2), packed, col, R, Svol, Cg, 1, scratch, 0, R, 0, Svol);
      col2im(col, Svol, 0, y + (<usize>((j * O + g * Og) * Yvol) << 2), 0, 0, Og, Og, geo);
    }
  }
}

// ---- direct convolution with unit strides (no im2col) -------------------------------------------

/** Stores the first n (0…4) lanes of v at p. */
function storeLanes(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  if (n > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/**
 * One tile of convDirectImages: 4 output channels × 8 columns (the first n stored, planeOut bytes
 * between channels) summed over the taps, whose byte offsets from `tile` are the i32s at offs. A
 * function of its own, like `micro`, so its 8 accumulators get the registers.
 */
function directTile(tile: usize, wq: usize, offs: usize, taps: i32, out: usize, planeOut: usize, n: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const tend = offs + (<usize>taps << 2);
  for (let tq = offs; tq < tend; tq += 4) {
    const row = tile + <usize>load<i32>(tq);
    const b0 = v128.load(row);
    const b1 = v128.load(row, 16);
    let a = v128.load32_splat(wq);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(wq, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(wq, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(wq, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    wq += 16;
  }
  storeLanes(out, c00, n);
  if (n > 4) storeLanes(out + 16, c01, n - 4);
  let o = out + planeOut;
  storeLanes(o, c10, n);
  if (n > 4) storeLanes(o + 16, c11, n - 4);
  o += planeOut;
  storeLanes(o, c20, n);
  if (n > 4) storeLanes(o + 16, c21, n - 4);
  o += planeOut;
  storeLanes(o, c30, n);
  if (n > 4) storeLanes(o + 16, c31, n - 4);
}

/** Floats per row of convDirectImages' padded image: the output width rounded up to 8, plus Kw − 1 rounded up to 4 (16-byte rows). */
export function directPadWidth(Ow: i32, Kw: i32): i32 {
  return ((Ow + 7) & ~7) + ((Kw + 2) & ~3);
}

/**
 * 2-D convolution with unit strides and dilations, one group, of images [i0, i1), without im2col
 * or packing (threads split the images). Each image's C channels are first copied into the
 * thread's `pad` buffer with zero borders: Hp = Oh + Kh − 1 rows of Wp = directPadWidth(Ow, Kw)
 * floats per channel, the image at row pt, column pl; a table of the taps' byte offsets (C·Kh·Kw
 * i32s) follows the planes. Then every tile of 4 output channels × 8 columns of one output row
 * sums over the taps in 8 registers: two loads of the padded row and four weight splats per tap,
 * the GEMM micro-kernel's mix, with no column matrix. wp holds the weights in blocks of 4 output
 * channels, lanes innermost: wp[((ob·C + c)·Kh + kh)·Kw + kw)·4 + i] = w[4·ob + i, c, kh, kw];
 * O is a multiple of 4. x: (N, C, H, W), y: (N, O, Oh, Ow).
 */
export function convDirectImages(
  x: usize, wp: usize, y: usize, C: i32, H: i32, W: i32, O: i32, Kh: i32, Kw: i32, pt: i32, pl: i32, Oh: i32, Ow: i32,
  pad: usize, i0: i32, i1: i32,
): void {
  const Hp = Oh + Kh - 1;
  const Wp = directPadWidth(Ow, Kw);
  const planeBytes = <usize>(Hp * Wp) << 2;
  const rowBytes = <usize>Wp << 2;
  const taps = C * Kh * Kw;
  const offs = pad + planeBytes * <usize>C;
  for (let c: i32 = 0, t: i32 = 0; c < C; c++) {
    for (let kh: i32 = 0; kh < Kh; kh++) {
      for (let kw: i32 = 0; kw < Kw; kw++, t++) {
        store<i32>(offs + (<usize>t << 2), <i32>(<usize>c * planeBytes + <usize>kh * rowBytes + (<usize>kw << 2)));
      }
    }
  }
  const planeOut = <usize>(Oh * Ow) << 2;
  for (let j: i32 = i0; j < i1; j++) {
    padImage(x + (<usize>(j * C * H * W) << 2), pad, C, H, W, Hp, Wp, pt, pl);
    const yj = y + (<usize>(j * O * Oh * Ow) << 2);
    for (let ob: i32 = 0; ob < O; ob += 4) {
      const wblock = wp + (<usize>(ob * taps) << 2);
      for (let oh: i32 = 0; oh < Oh; oh++) {
        for (let ow0: i32 = 0; ow0 < Ow; ow0 += 8) {
          const tile = pad + <usize>oh * rowBytes + (<usize>ow0 << 2);
          directTile(tile, wblock, offs, taps, yj + <usize>ob * planeOut + (<usize>(oh * Ow + ow0) << 2), planeOut, min(8, Ow - ow0));
        }
      }
    }
  }
}

// ---- Winograd convolution with unit strides: F(2×2, 3×3) and F(4×4, 3×3) ------------------------
// Lavin & Gray's minimal filtering: an m×m output tile from an (m+2)×(m+2) input tile d as
// Aᵀ[U ⊙ V]A with V = Bᵀ d B and U = G g Gᵀ the kernel's transform, (m+2)² products per tile and
// channel pair instead of 9m² multiply-adds. m = 2 (16 products for 4 outputs) or m = 4 (36 for
// 16, transforms with larger constants: points 0, ±1, ±2, ∞). Four horizontally adjacent tiles
// per vector; the m = 4 transforms go row by row through a small scratch at the start of the
// thread's buffer. The kernels' transforms U (and the way back for the weight gradient) are
// winogradKernelTransform and winogradKernelGradient below.

/** Bytes at the start of a thread's Winograd buffer for the transforms' intermediate rows. */
const WINOGRAD_TMP: usize = 1024;

/** Tiles per row: ⌈Ow / m⌉ rounded up to 4 (the transforms take 4 tiles per vector). */
function winogradTilesPerRow(Ow: i32, m: i32): i32 {
  return (((Ow + m - 1) / m) + 3) & ~3;
}

/** Tiles per image: rows × tiles per row, rounded up to 8 (the GEMM tile's width). */
function winogradTiles(Oh: i32, Ow: i32, m: i32): i32 {
  return ((((Oh + m - 1) / m) * winogradTilesPerRow(Ow, m)) + 7) & ~7;
}

/** Bytes of the zero-padded image: C planes of m·th + 2 rows × m·tw + 4 floats (16-byte rows). */
function winogradPaddedBytes(C: i32, Oh: i32, Ow: i32, m: i32): usize {
  return <usize>C * <usize>(((Oh + m - 1) / m * m + 2) * (m * winogradTilesPerRow(Ow, m) + 4)) << 2;
}

/** Bytes of one thread's buffer for convWinogradImages: scratch, padded image, channel offsets, V and M. */
export function winogradScratchBytes(C: i32, O: i32, Oh: i32, Ow: i32, m: i32): usize {
  const T = winogradTiles(Oh, Ow, m);
  return WINOGRAD_TMP + winogradPaddedBytes(C, Oh, Ow, m) + (<usize>(C + (m + 2) * (m + 2) * (C + O) * T) << 2);
}

/**
 * 3×3 convolution with unit strides and dilations, one group, of images [i0, i1) by Winograd's
 * F(m×m, 3×3), m = 2 or 4: per image V of every input tile, the (m+2)² GEMMs M[ξ] (O × T) = U[ξ]
 * (O × C) · V[ξ] (C × T) by convDirectImages' tile, then Aᵀ M A. u holds U (winogradKernelTransform)
 * in blocks of 4 output channels, u[((ξ·O/4 + ob)·C + c)·4 + i] = U[4·ob + i, c][ξ], ξ = (m+2)·row
 * + column; O is a multiple of 4. The thread's buffer (winogradScratchBytes): scratch, the padded
 * image, the channels' offsets into V, V ((m+2)² × C × T) and M ((m+2)² × O × T).
 * x: (N, C, H, W), y: (N, O, Oh, Ow).
 */
export function convWinogradImages(
  x: usize, u: usize, y: usize, C: i32, H: i32, W: i32, O: i32, pt: i32, pl: i32, Oh: i32, Ow: i32, m: i32,
  buf: usize, i0: i32, i1: i32,
): void {
  const nXi = (m + 2) * (m + 2);
  const th = (Oh + m - 1) / m;
  const tw = winogradTilesPerRow(Ow, m);
  const T = winogradTiles(Oh, Ow, m);
  const tmp = buf;
  const padded = buf + WINOGRAD_TMP;
  const offs = padded + winogradPaddedBytes(C, Oh, Ow, m);
  const vBase = offs + (<usize>C << 2);
  const tBytes = <usize>T << 2;
  const vPlane = <usize>C * tBytes; // one ξ of V
  const mBase = vBase + vPlane * nXi;
  const mPlane = <usize>O * tBytes; // one ξ of M
  for (let c: i32 = 0; c < C; c++) store<i32>(offs + (<usize>c << 2), <i32>(<usize>c * tBytes));
  zeroColumns(vBase, nXi * C, T, th * tw, T);
  const planeOut = <usize>(Oh * Ow) << 2;
  for (let j: i32 = i0; j < i1; j++) {
    winogradImageTransform(x + (<usize>(j * C * H * W) << 2), padded, vBase, tBytes, C, H, W, pt, pl, Oh, Ow, m, tmp);
    for (let xi: i32 = 0; xi < nXi; xi++) {
      const v = vBase + <usize>xi * vPlane;
      const mq = mBase + <usize>xi * mPlane;
      for (let ob: i32 = 0; ob < O; ob += 4) {
        const ublock = u + (<usize>((xi * O + ob) * C) << 2);
        for (let t: i32 = 0; t < T; t += 8) directTile(v + (<usize>t << 2), ublock, offs, C, mq + <usize>ob * tBytes + (<usize>t << 2), tBytes, 8);
      }
    }
    // y = Aᵀ M A per tile, four tiles at a time
    const yj = y + (<usize>(j * O * Oh * Ow) << 2);
    for (let o: i32 = 0; o < O; o++) {
      for (let ty: i32 = 0; ty < th; ty++) {
        for (let tx: i32 = 0; tx < tw; tx += 4) {
          const oh = m * ty;
          const ow = m * tx;
          if (ow >= Ow) break;
          const mt = mBase + <usize>o * tBytes + (<usize>(ty * tw + tx) << 2);
          const yt = yj + <usize>o * planeOut + (<usize>(oh * Ow + ow) << 2);
          if (m === 2) winogradOutputTiles(mt, mPlane, yt, <usize>Ow << 2, min(8, Ow - ow), oh + 1 < Oh);
          else winograd4OutputTiles(mt, mPlane, yt, <usize>Ow << 2, min(16, Ow - ow), min(4, Oh - oh), tmp);
        }
      }
    }
  }
}

/**
 * Copies image xj (C × H × W) into `padded` (C planes of Hp rows × Wp floats, zeroed first) at row
 * pt, column pl; rows and columns outside the buffer are left out. Shared by convDirectImages and
 * the Winograd kernels.
 */
function padImage(xj: usize, padded: usize, C: i32, H: i32, W: i32, Hp: i32, Wp: i32, pt: i32, pl: i32): void {
  const rowBytes = <usize>Wp << 2;
  const planeBytes = <usize>Hp * rowBytes;
  // the columns of an image row that land inside the buffer: [w0, w1)
  const w0 = max(0, -pl);
  const w1 = min(W, Wp - pl);
  memory.fill(padded, 0, planeBytes * <usize>C);
  if (w1 <= w0) return;
  for (let c: i32 = 0; c < C; c++) {
    for (let h: i32 = 0; h < H; h++) {
      const hp = h + pt;
      if (hp < 0 || hp >= Hp) continue;
      memory.copy(padded + <usize>c * planeBytes + <usize>hp * rowBytes + (<usize>(w0 + pl) << 2), xj + (<usize>((c * H + h) * W + w0) << 2), <usize>(w1 - w0) << 2);
    }
  }
}

/**
 * One image's V = Bᵀ d B for every (m+2)×(m+2) input tile ((m+2)² × C rows of `vRow` bytes from
 * v, the image's tiles at the start of each), through its zero-padded copy at `padded` (the image
 * at row pt, column pl). Shared by convWinogradImages and convWinogradWeightGradImages.
 */
function winogradImageTransform(xj: usize, padded: usize, v: usize, vRow: usize, C: i32, H: i32, W: i32, pt: i32, pl: i32, Oh: i32, Ow: i32, m: i32, tmp: usize): void {
  const th = (Oh + m - 1) / m;
  const tw = winogradTilesPerRow(Ow, m);
  const Hp = th * m + 2;
  const Wp = m * tw + 4;
  const vPlane = <usize>C * vRow;
  const rowBytes = <usize>Wp << 2;
  const planeBytes = <usize>Hp * rowBytes;
  padImage(xj, padded, C, H, W, Hp, Wp, pt, pl);
  for (let c: i32 = 0; c < C; c++) {
    const plane = padded + <usize>c * planeBytes;
    for (let ty: i32 = 0; ty < th; ty++) {
      for (let tx: i32 = 0; tx < tw; tx += 4) {
        const p = plane + <usize>(m * ty) * rowBytes + (<usize>(m * tx) << 2);
        const vt = v + <usize>c * vRow + (<usize>(ty * tw + tx) << 2);
        if (m === 2) winogradInputTiles(p, rowBytes, vt, vPlane, tmp);
        else winograd4InputTiles(p, rowBytes, vt, vPlane, tmp);
      }
    }
  }
}

/** Images per GEMM pass of convWinogradWeightGradImages: enough that 64 or more tiles are reduced over (7×7 has 16 at m = 2), at least 1. */
export function winogradGradGroup(Oh: i32, Ow: i32, m: i32): i32 {
  return max(1, 64 / winogradTiles(Oh, Ow, m));
}

/** Bytes of one thread's buffer for convWinogradWeightGradImages (see there). */
export function winogradWeightGradScratchBytes(C: i32, O: i32, Oh: i32, Ow: i32, m: i32): usize {
  const th = (Oh + m - 1) / m;
  const tw = winogradTilesPerRow(Ow, m);
  const L = winogradGradGroup(Oh, Ow, m) * winogradTiles(Oh, Ow, m);
  return WINOGRAD_TMP + winogradPaddedBytes(C, Oh, Ow, m) + (<usize>((m + 2) * (m + 2) * (C + O) * L + O * m * th * m * tw) << 2);
}

/**
 * The weight gradient of convWinogradImages' convolution over images [i0, i1), in the Winograd
 * domain: Y = Aᵀ[U ⊙ V]A per tile is linear in U, so ∂L/∂U[ξ] = Σ over tiles of (A ∂Y Aᵀ)[ξ] ·
 * V[ξ], a GEMM per ξ of Ĝ[ξ] (O × tiles) with V[ξ]ᵀ (tiles × C) reduced over the tiles, and the
 * kernel's gradient is Gᵀ (∂L/∂U) G (winogradKernelGradient). Up to winogradGradGroup images are
 * transformed side by side (rows of L = group · T tiles) before each GEMM pass, so small images
 * still give long reductions. acc: the thread's own (m+2)² × C × O floats, acc[(ξ·C + c)·O + o] +=
 * ∂L/∂U[o, c][ξ], zeroed by the caller; O is a multiple of 4. The buffer
 * (winogradWeightGradScratchBytes): scratch, the padded image, V ((m+2)² × C × L), Ĝ
 * ((m+2)² × O × L), then one image's output gradient zero-padded to m·th rows of m·tw floats per
 * channel. x: (N, C, H, W), gy: (N, O, Oh, Ow).
 */
export function convWinogradWeightGradImages(
  x: usize, gy: usize, acc: usize, C: i32, H: i32, W: i32, O: i32, pt: i32, pl: i32, Oh: i32, Ow: i32, m: i32,
  buf: usize, i0: i32, i1: i32,
): void {
  const nXi = (m + 2) * (m + 2);
  const th = (Oh + m - 1) / m;
  const tw = winogradTilesPerRow(Ow, m);
  const T = winogradTiles(Oh, Ow, m);
  const group = winogradGradGroup(Oh, Ow, m);
  const L = group * T;
  const lBytes = <usize>L << 2;
  const tmp = buf;
  const paddedX = buf + WINOGRAD_TMP;
  const vBase = paddedX + winogradPaddedBytes(C, Oh, Ow, m);
  const vPlane = <usize>C * lBytes;
  const gBase = vBase + vPlane * nXi; // Ĝ
  const gPlane = <usize>O * lBytes;
  const padded = gBase + gPlane * nXi; // ∂Y zero-padded
  const gRow = <usize>(m * tw) << 2;
  const gPadPlane = <usize>(m * th) * gRow;
  for (let g: i32 = 0; g < group; g++) {
    zeroColumns(vBase, nXi * C, L, g * T + th * tw, g * T + T);
    zeroColumns(gBase, nXi * O, L, g * T + th * tw, g * T + T);
  }
  for (let j0: i32 = i0; j0 < i1; j0 += group) {
    const n = min(group, i1 - j0);
    for (let g: i32 = 0; g < n; g++) {
      const j = j0 + g;
      const col = <usize>(g * T) << 2;
      winogradImageTransform(x + (<usize>(j * C * H * W) << 2), paddedX, vBase + col, lBytes, C, H, W, pt, pl, Oh, Ow, m, tmp);
      // Ĝ = A ∂Y Aᵀ per tile, four tiles per vector
      padImage(gy + (<usize>(j * O * Oh * Ow) << 2), padded, O, Oh, Ow, m * th, m * tw, 0, 0);
      for (let o: i32 = 0; o < O; o++) {
        for (let ty: i32 = 0; ty < th; ty++) {
          for (let tx: i32 = 0; tx < tw; tx += 4) {
            const p = padded + <usize>o * gPadPlane + <usize>(m * ty) * gRow + (<usize>(m * tx) << 2);
            const gt = gBase + <usize>o * lBytes + col + (<usize>(ty * tw + tx) << 2);
            if (m === 2) winogradGradTiles(p, gRow, gt, gPlane);
            else winograd4GradTiles(p, gRow, gt, gPlane, tmp);
          }
        }
      }
    }
    // acc[ξ] (C × O) += V[ξ] · Ĝ[ξ]ᵀ over the n images' tiles, in tiles of 4 output × 2 input channels
    const len = n * T;
    for (let xi: i32 = 0; xi < nXi; xi++) {
      const v = vBase + <usize>xi * vPlane;
      const gq = gBase + <usize>xi * gPlane;
      const a = acc + (<usize>(xi * C * O) << 2);
      for (let o: i32 = 0; o < O; o += 4) {
        let c: i32 = 0;
        for (; c + 2 <= C; c += 2) winogradDotTile(gq + <usize>o * lBytes, v + <usize>c * lBytes, lBytes, len, a + (<usize>(c * O + o) << 2), <usize>O << 2, 2);
        if (c < C) winogradDotTile(gq + <usize>o * lBytes, v + <usize>c * lBytes, lBytes, len, a + (<usize>(c * O + o) << 2), <usize>O << 2, 1);
      }
    }
  }
}

/** Zeroes columns [from, to) of `rows` rows of `L` floats: tiles past an image's, so no garbage (denormals, NaN) enters a GEMM. */
function zeroColumns(p: usize, rows: i32, L: i32, from: i32, to: i32): void {
  if (from >= to) return;
  for (let q: i32 = 0; q < rows; q++) memory.fill(p + (<usize>(q * L + from) << 2), 0, <usize>(to - from) << 2);
}

// F(2×2, 3×3) tile transforms

/** Bᵀ of F(2×2, 3×3) applied to four vectors d0…d3: stores d0 − d2, d1 + d2, d2 − d1, d1 − d3, `stride` bytes apart from out. */
function winograd2B(d0: v128, d1: v128, d2: v128, d3: v128, out: usize, stride: usize): void {
  v128.store(out, f32x4.sub(d0, d2));
  v128.store(out + stride, f32x4.add(d1, d2));
  v128.store(out + 2 * stride, f32x4.sub(d2, d1));
  v128.store(out + 3 * stride, f32x4.sub(d1, d3));
}

/**
 * Input transform of four horizontally adjacent 4×4 tiles (tile l starts 2·l columns right of p):
 * Bᵀ along each row (columns 0…3 of tile l are the row's columns 2l…2l+3, gathered by shuffles)
 * into tmp, then down the columns; stores V's 16 vectors `plane` bytes apart (ξ = 4·row + column).
 */
function winogradInputTiles(p: usize, rowBytes: usize, v: usize, plane: usize, tmp: usize): void {
  for (let r: i32 = 0; r < 4; r++) {
    const q = p + <usize>r * rowBytes;
    const a = v128.load(q), b = v128.load(q, 16), c = v128.load(q, 32);
    const d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
    const d2 = v128.shuffle<f32>(d0, c, 1, 2, 3, 4), d3 = v128.shuffle<f32>(d1, c, 1, 2, 3, 5);
    winograd2B(d0, d1, d2, d3, tmp + (<usize>r << 6), 16);
  }
  for (let j: i32 = 0; j < 4; j++) {
    const q = tmp + (<usize>j << 4);
    winograd2B(v128.load(q), v128.load(q, 64), v128.load(q, 128), v128.load(q, 192), v + <usize>j * plane, 4 * plane);
  }
}

/**
 * Output transform of four horizontally adjacent tiles: reads M's 16 vectors (`plane` bytes
 * apart), writes Aᵀ M A's 2×2 outputs of each tile to rows y and y + rowBytes, columns 0…n − 1
 * (the second row only when `second`).
 */
function winogradOutputTiles(m: usize, plane: usize, y: usize, rowBytes: usize, n: i32, second: bool): void {
  // s[r][b] = (Aᵀ M)[r][b]: rows 0 + 1 + 2 and 1 − 2 − 3
  const m00 = v128.load(m), m01 = v128.load(m + plane), m02 = v128.load(m + 2 * plane), m03 = v128.load(m + 3 * plane);
  m += 4 * plane;
  const m10 = v128.load(m), m11 = v128.load(m + plane), m12 = v128.load(m + 2 * plane), m13 = v128.load(m + 3 * plane);
  m += 4 * plane;
  const m20 = v128.load(m), m21 = v128.load(m + plane), m22 = v128.load(m + 2 * plane), m23 = v128.load(m + 3 * plane);
  m += 4 * plane;
  const m30 = v128.load(m), m31 = v128.load(m + plane), m32 = v128.load(m + 2 * plane), m33 = v128.load(m + 3 * plane);
  const s00 = f32x4.add(f32x4.add(m00, m10), m20), s10 = f32x4.sub(f32x4.sub(m10, m20), m30);
  const s01 = f32x4.add(f32x4.add(m01, m11), m21), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
  const s02 = f32x4.add(f32x4.add(m02, m12), m22), s12 = f32x4.sub(f32x4.sub(m12, m22), m32);
  const s03 = f32x4.add(f32x4.add(m03, m13), m23), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
  // y[r][0] = s[r][0] + s[r][1] + s[r][2], y[r][1] = s[r][1] − s[r][2] − s[r][3]; lanes are tiles
  const y00 = f32x4.add(f32x4.add(s00, s01), s02), y01 = f32x4.sub(f32x4.sub(s01, s02), s03);
  storeLanes(y, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), n);
  if (n > 4) storeLanes(y + 16, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), n - 4);
  if (!second) return;
  const y10 = f32x4.add(f32x4.add(s10, s11), s12), y11 = f32x4.sub(f32x4.sub(s11, s12), s13);
  storeLanes(y + rowBytes, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), n);
  if (n > 4) storeLanes(y + rowBytes + 16, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), n - 4);
}

/**
 * Gradient transform A ∂Y Aᵀ (A = [1 0; 1 1; 1 −1; 0 −1]) of four horizontally adjacent 2×2
 * tiles of the padded output gradient at p: stores 16 vectors of 4 tiles, `plane` bytes apart.
 */
function winogradGradTiles(p: usize, rowBytes: usize, g: usize, plane: usize): void {
  const a0 = v128.load(p), b0 = v128.load(p, 16), a1 = v128.load(p + rowBytes), b1 = v128.load(p + rowBytes, 16);
  const y00 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6), y01 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
  const y10 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6), y11 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
  // h = A ∂Y: rows y0, y0 + y1, y0 − y1, −y1 (columns 0 and 1); then each row times Aᵀ
  winogradGradRow(y00, y01, g, plane);
  winogradGradRow(f32x4.add(y00, y10), f32x4.add(y01, y11), g + 4 * plane, plane);
  winogradGradRow(f32x4.sub(y00, y10), f32x4.sub(y01, y11), g + 8 * plane, plane);
  winogradGradRow(f32x4.neg(y10), f32x4.neg(y11), g + 12 * plane, plane);
}

/** One row (c0, c1) of A ∂Y times Aᵀ: stores c0, c0 + c1, c0 − c1, −c1 at g, `plane` bytes apart. */
function winogradGradRow(c0: v128, c1: v128, g: usize, plane: usize): void {
  v128.store(g, c0);
  v128.store(g + plane, f32x4.add(c0, c1));
  v128.store(g + 2 * plane, f32x4.sub(c0, c1));
  v128.store(g + 3 * plane, f32x4.neg(c1));
}

// F(4×4, 3×3) tile transforms

/** Bᵀ applied to six vectors d0…d5 (one per tile position, lanes are tiles): stores the six results `stride` bytes apart from out. */
function winograd4B(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, out: usize, stride: usize): void {
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const p = f32x4.sub(d4, f32x4.mul(four, d2)); // d4 − 4·d2
  const q = f32x4.sub(d3, f32x4.mul(four, d1)); // d3 − 4·d1
  const r = f32x4.sub(d4, d2);
  const s = f32x4.add(f32x4.sub(d3, d1), f32x4.sub(d3, d1)); // 2·(d3 − d1)
  v128.store(out, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(out + stride, f32x4.add(p, q));
  v128.store(out + 2 * stride, f32x4.sub(p, q));
  v128.store(out + 3 * stride, f32x4.add(r, s));
  v128.store(out + 4 * stride, f32x4.sub(r, s));
  v128.store(out + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/**
 * Input transform of four horizontally adjacent 6×6 tiles (tile l starts 4·l columns right of
 * p): Bᵀ along each row (columns gathered by 4×4 transposes) into tmp, then down the columns;
 * stores V's 36 vectors `plane` bytes apart (ξ = 6·row + column).
 */
function winograd4InputTiles(p: usize, rowBytes: usize, v: usize, plane: usize, tmp: usize): void {
  for (let r: i32 = 0; r < 6; r++) {
    const q = p + <usize>r * rowBytes;
    const r0 = v128.load(q), r1 = v128.load(q, 16), r2 = v128.load(q, 32), r3 = v128.load(q, 48), r4 = v128.load(q, 64);
    const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), b = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const c = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), d = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const d0 = v128.shuffle<f64>(a, c, 0, 2), d1 = v128.shuffle<f64>(a, c, 1, 3); // columns 4l, 4l + 1
    const d2 = v128.shuffle<f64>(b, d, 0, 2), d3 = v128.shuffle<f64>(b, d, 1, 3);
    const d4 = v128.shuffle<f32>(d0, r4, 1, 2, 3, 4), d5 = v128.shuffle<f32>(d1, r4, 1, 2, 3, 5); // columns 4l + 4, 4l + 5
    winograd4B(d0, d1, d2, d3, d4, d5, tmp + <usize>r * 96, 16);
  }
  for (let j: i32 = 0; j < 6; j++) {
    const q = tmp + (<usize>j << 4);
    winograd4B(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), v128.load(q, 384), v128.load(q, 480), v + <usize>j * plane, 6 * plane);
  }
}

/** Aᵀ applied to six vectors m0…m5: stores its four results `stride` bytes apart from out. */
function winograd4A(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, stride: usize): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, a), c));
  v128.store(out + stride, f32x4.add(b, f32x4.add(d, d)));
  v128.store(out + 2 * stride, f32x4.add(a, f32x4.mul(f32x4.splat(4), c)));
  v128.store(out + 3 * stride, f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), m5));
}

/**
 * Output transform of four horizontally adjacent tiles: Aᵀ down M's columns (36 vectors `plane`
 * bytes apart) into tmp, then along the rows; each tile's four columns are gathered by a 4×4
 * transpose and the first `ncols` columns of the first `nrows` rows stored from y.
 */
function winograd4OutputTiles(m: usize, plane: usize, y: usize, rowBytes: usize, ncols: i32, nrows: i32, tmp: usize): void {
  for (let j: i32 = 0; j < 6; j++) {
    const q = m + <usize>j * plane;
    winograd4A(v128.load(q), v128.load(q + 6 * plane), v128.load(q + 12 * plane), v128.load(q + 18 * plane), v128.load(q + 24 * plane), v128.load(q + 30 * plane), tmp + (<usize>j << 4), 96);
  }
  const out = tmp + 384;
  for (let r: i32 = 0; r < nrows; r++) {
    const q = tmp + <usize>r * 96;
    winograd4A(v128.load(q), v128.load(q, 16), v128.load(q, 32), v128.load(q, 48), v128.load(q, 64), v128.load(q, 80), out, 16);
    // out: 4 vectors (column k of every tile); tile l's row is lane l of each
    const y0 = v128.load(out), y1 = v128.load(out, 16), y2 = v128.load(out, 32), y3 = v128.load(out, 48);
    const a = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), b = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
    const c = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5), d = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
    const row = y + <usize>r * rowBytes;
    storeLanes(row, v128.shuffle<f64>(a, c, 0, 2), ncols);
    if (ncols > 4) storeLanes(row + 16, v128.shuffle<f64>(a, c, 1, 3), ncols - 4);
    if (ncols > 8) storeLanes(row + 32, v128.shuffle<f64>(b, d, 0, 2), ncols - 8);
    if (ncols > 12) storeLanes(row + 48, v128.shuffle<f64>(b, d, 1, 3), ncols - 12);
  }
}

/** A applied to four vectors y0…y3 (A = Aᵀᵀ, 6×4): stores its six results `stride` bytes apart from out. */
function winograd4AT(y0: v128, y1: v128, y2: v128, y3: v128, out: usize, stride: usize): void {
  const p = f32x4.add(y0, y2), q = f32x4.add(y1, y3);
  const p4 = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2)), q4 = f32x4.add(f32x4.add(y1, y1), f32x4.mul(f32x4.splat(8), y3));
  v128.store(out, y0);
  v128.store(out + stride, f32x4.add(p, q));
  v128.store(out + 2 * stride, f32x4.sub(p, q));
  v128.store(out + 3 * stride, f32x4.add(p4, q4));
  v128.store(out + 4 * stride, f32x4.sub(p4, q4));
  v128.store(out + 5 * stride, y3);
}

/**
 * Gradient transform A ∂Y Aᵀ of four horizontally adjacent 4×4 tiles of the padded output
 * gradient at p (columns gathered by 4×4 transposes): along the rows into tmp, then down the
 * columns; stores 36 vectors `plane` bytes apart.
 */
function winograd4GradTiles(p: usize, rowBytes: usize, g: usize, plane: usize, tmp: usize): void {
  for (let r: i32 = 0; r < 4; r++) {
    const q = p + <usize>r * rowBytes;
    const r0 = v128.load(q), r1 = v128.load(q, 16), r2 = v128.load(q, 32), r3 = v128.load(q, 48);
    const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), b = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const c = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), d = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    winograd4AT(v128.shuffle<f64>(a, c, 0, 2), v128.shuffle<f64>(a, c, 1, 3), v128.shuffle<f64>(b, d, 0, 2), v128.shuffle<f64>(b, d, 1, 3), tmp + <usize>r * 96, 16);
  }
  for (let k: i32 = 0; k < 6; k++) {
    const q = tmp + (<usize>k << 4);
    winograd4AT(v128.load(q), v128.load(q, 96), v128.load(q, 192), v128.load(q, 288), g + <usize>k * plane, 6 * plane);
  }
}

// the weight gradient's GEMM

/**
 * out[c·ldo + o] += Σ_t g[o][t] · v[c][t] for 4 output channels o (rows of g, `rowBytes` apart)
 * and `nc` (1 or 2) input channels c (rows of v): 8 dot-product accumulators over the T tiles,
 * then summed across lanes four at a time.
 */
function winogradDotTile(g: usize, v: usize, rowBytes: usize, T: i32, out: usize, ldo: usize, nc: i32): void {
  let s00 = f32x4.splat(0), s10 = f32x4.splat(0), s20 = f32x4.splat(0), s30 = f32x4.splat(0);
  let s01 = f32x4.splat(0), s11 = f32x4.splat(0), s21 = f32x4.splat(0), s31 = f32x4.splat(0);
  const v1 = nc > 1 ? v + rowBytes : v;
  const end = <usize>T << 2;
  for (let t: usize = 0; t < end; t += 16) {
    const b0 = v128.load(v + t), b1 = v128.load(v1 + t);
    let a = v128.load(g + t);
    s00 = madd(a, b0, s00);
    s01 = madd(a, b1, s01);
    a = v128.load(g + rowBytes + t);
    s10 = madd(a, b0, s10);
    s11 = madd(a, b1, s11);
    a = v128.load(g + 2 * rowBytes + t);
    s20 = madd(a, b0, s20);
    s21 = madd(a, b1, s21);
    a = v128.load(g + 3 * rowBytes + t);
    s30 = madd(a, b0, s30);
    s31 = madd(a, b1, s31);
  }
  v128.store(out, f32x4.add(v128.load(out), laneSums(s00, s10, s20, s30)));
  if (nc > 1) v128.store(out + ldo, f32x4.add(v128.load(out + ldo), laneSums(s01, s11, s21, s31)));
}

/** (Σ lanes of a, Σ b, Σ c, Σ d). */
function laneSums(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7)); // a0+a2 b0+b2 a1+a3 b1+b3
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

// ---- Winograd kernel transforms (both tile sizes) ----------------------------------------------

/**
 * U = G g Gᵀ (n×n, n = m + 2) of every 3×3 kernel g of w (O, C, 3, 3), four output channels per
 * vector, laid out for the conv kernels: u[((ξ·O/4 + ob)·C + c)·4 + i] = U[4·ob + i, c][ξ],
 * ξ = n·row + column. G: n × 3 floats. With `flip` w is a ConvTranspose weight (C, O, 3, 3) and g
 * its kernel turned by 180° with the channel dims swapped (the conv its unit-stride transpose is).
 * O is a multiple of 4.
 */
export function winogradKernelTransform(w: usize, u: usize, G: usize, n: i32, O: i32, C: i32, flip: i32): void {
  const xiStride = <usize>(O * C) << 2; // bytes between consecutive ξ
  for (let ob: i32 = 0; ob < O; ob += 4) {
    for (let c: i32 = 0; c < C; c++) {
      // g[k] for k = 3·r + s, lanes the four output channels; a flipped kernel reads its taps backwards
      const b0 = flip ? w + (<usize>((c * O + ob) * 9) << 2) : w + (<usize>((ob * C + c) * 9) << 2);
      const lanes = <usize>((flip ? 1 : C) * 9) << 2; // bytes between output channels
      const step = <usize>(flip ? -4 : 4); // wraps: moving back 4 bytes
      const first = flip ? b0 + 32 : b0;
      const g0 = taps4(first, lanes), g1 = taps4(first + step, lanes), g2 = taps4(first + 2 * step, lanes);
      const g3 = taps4(first + 3 * step, lanes), g4 = taps4(first + 4 * step, lanes), g5 = taps4(first + 5 * step, lanes);
      const g6 = taps4(first + 6 * step, lanes), g7 = taps4(first + 7 * step, lanes), g8 = taps4(first + 8 * step, lanes);
      const lane = u + (<usize>((ob >> 2) * C + c) << 4);
      for (let a: i32 = 0; a < n; a++) {
        const ga = G + (<usize>(3 * a) << 2);
        const a0 = v128.load32_splat(ga), a1 = v128.load32_splat(ga, 4), a2 = v128.load32_splat(ga, 8);
        // row a of G g: three vectors
        const r0 = madd(a2, g6, madd(a1, g3, f32x4.mul(a0, g0)));
        const r1 = madd(a2, g7, madd(a1, g4, f32x4.mul(a0, g1)));
        const r2 = madd(a2, g8, madd(a1, g5, f32x4.mul(a0, g2)));
        for (let b: i32 = 0; b < n; b++) {
          const gb = G + (<usize>(3 * b) << 2);
          const v = madd(v128.load32_splat(gb, 8), r2, madd(v128.load32_splat(gb, 4), r1, f32x4.mul(v128.load32_splat(gb), r0)));
          v128.store(lane + <usize>(n * a + b) * xiStride, v);
        }
      }
    }
  }
}

/**
 * The weight gradients Gᵀ ∂U G (3×3 each) from `parts` per-thread partial sums of ∂U laid out as
 * the Winograd weight-gradient kernels accumulate them (acc[(ξ·C + c)·O + o], n² · C · O floats
 * each, added here in thread order), written to dw (O, C, 3, 3). G: n × 3 floats; O a multiple of 4.
 */
export function winogradKernelGradient(acc: usize, parts: i32, G: usize, n: i32, O: i32, C: i32, dw: usize): void {
  const xiStride = <usize>(O * C) << 2;
  const partBytes = <usize>(n * n) * xiStride;
  for (let c: i32 = 0; c < C; c++) {
    for (let ob: i32 = 0; ob < O; ob += 4) {
      const at = acc + (<usize>(c * O + ob) << 2);
      // P = Gᵀ ∂U: rows r = 0…2 over columns b, kept as 3·n vectors in the row's running sums
      let d0 = f32x4.splat(0), d1 = d0, d2 = d0, d3 = d0, d4 = d0, d5 = d0, d6 = d0, d7 = d0, d8 = d0;
      for (let b: i32 = 0; b < n; b++) {
        let p0 = f32x4.splat(0), p1 = p0, p2 = p0;
        for (let a: i32 = 0; a < n; a++) {
          let v = v128.load(at + <usize>(n * a + b) * xiStride);
          for (let t: i32 = 1; t < parts; t++) v = f32x4.add(v, v128.load(at + <usize>t * partBytes + <usize>(n * a + b) * xiStride));
          const ga = G + (<usize>(3 * a) << 2);
          p0 = madd(v128.load32_splat(ga), v, p0);
          p1 = madd(v128.load32_splat(ga, 4), v, p1);
          p2 = madd(v128.load32_splat(ga, 8), v, p2);
        }
        // dW[r][s] += P[r][b] · G[b][s]
        const gb = G + (<usize>(3 * b) << 2);
        const s0 = v128.load32_splat(gb), s1 = v128.load32_splat(gb, 4), s2 = v128.load32_splat(gb, 8);
        d0 = madd(p0, s0, d0); d1 = madd(p0, s1, d1); d2 = madd(p0, s2, d2);
        d3 = madd(p1, s0, d3); d4 = madd(p1, s1, d4); d5 = madd(p1, s2, d5);
        d6 = madd(p2, s0, d6); d7 = madd(p2, s1, d7); d8 = madd(p2, s2, d8);
      }
      for (let i: i32 = 0; i < 4; i++) {
        const out = dw + (<usize>(((ob + i) * C + c) * 9) << 2);
        store<f32>(out, laneOf(d0, i));
        store<f32>(out, laneOf(d1, i), 4);
        store<f32>(out, laneOf(d2, i), 8);
        store<f32>(out, laneOf(d3, i), 12);
        store<f32>(out, laneOf(d4, i), 16);
        store<f32>(out, laneOf(d5, i), 20);
        store<f32>(out, laneOf(d6, i), 24);
        store<f32>(out, laneOf(d7, i), 28);
        store<f32>(out, laneOf(d8, i), 32);
      }
    }
  }
}

/** The floats at p, p + stride, p + 2·stride, p + 3·stride as one vector. */
function taps4(p: usize, stride: usize): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + stride));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * stride));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * stride));
}

/** Lane i (0…3, not a constant) of v. */
function laneOf(v: v128, i: i32): f32 {
  return i === 0 ? f32x4.extract_lane(v, 0) : i === 1 ? f32x4.extract_lane(v, 1) : i === 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

// ---- linear with its bias and an optional SiLU in one job (an MLP's Linear → SiLU) -------------
// Each row chunk runs the GEMM and then its elementwise epilogue while the rows are still in cache,
// so the layer is one parallel job forward and two backward instead of four and six.

// Activation codes of linearRows and linearGradRows.
const ACT_NONE: i32 = 0;
const ACT_SILU: i32 = 1;
const ACT_RELU: i32 = 2;

/**
 * Rows [m0, m1) of z = x·Wᵀ + b (x M×K row-major; W N×K packed by packB with transB; b 0 for
 * none), then the activation `act`: ACT_NONE leaves z as the result; ACT_SILU writes y = z·σ(z)
 * and leaves σ(z) in z's buffer, all the backward needs (silu'(z) = σ + y·(1 − σ), as torch's
 * silu_backward); ACT_RELU writes y = max(z, 0) (the backward needs only y; y may be z's buffer).
 */
export function linearRows(
  x: usize, pw: usize, z: usize, y: usize, b: usize, M: i32, N: i32, K: i32, scratch: usize, act: i32, m0: i32, m1: i32,
): void {
  gemmPacked(x, pw, z, M, N, K, 0, scratch, m0, m1, 0, N, false);
  linearEpilogueRows(z, y, b, N, act, m0, m1);
}

/** linearRows' bias and activation on rows [m0, m1) of a z computed elsewhere (a GEMM split by columns). */
export function linearEpilogueRows(z: usize, y: usize, b: usize, N: i32, act: i32, m0: i32, m1: i32): void {
  if (b === 0 && act === ACT_NONE) return;
  if (act === ACT_RELU) {
    for (let r: i32 = m0; r < m1; r++) {
      const o = <usize>r * <usize>N << 2;
      let j: i32 = 0;
      for (; j + 4 <= N; j += 4) {
        const q = o + (<usize>j << 2);
        let v = v128.load(z + q);
        if (b !== 0) v = f32x4.add(v, v128.load(b + (<usize>j << 2)));
        v128.store(y + q, f32x4.max(v, f32x4.splat(0))); // NaN stays NaN, −0 becomes +0 (torch.relu)
      }
      for (; j < N; j++) {
        const q = o + (<usize>j << 2);
        let v = load<f32>(z + q);
        if (b !== 0) v += load<f32>(b + (<usize>j << 2));
        store<f32>(y + q, f32x4.extract_lane(f32x4.max(f32x4.splat(v), f32x4.splat(0)), 0));
      }
    }
    return;
  }
  const silu = act === ACT_SILU;
  for (let r: i32 = m0; r < m1; r++) {
    const o = <usize>r * <usize>N << 2;
    let j: i32 = 0;
    for (; j + 4 <= N; j += 4) {
      const q = o + (<usize>j << 2);
      let v = v128.load(z + q);
      if (b !== 0) v = f32x4.add(v, v128.load(b + (<usize>j << 2)));
      if (silu) {
        const sg = sigmoidv(v);
        v128.store(y + q, f32x4.mul(v, sg));
        v = sg;
      }
      v128.store(z + q, v);
    }
    for (; j < N; j++) {
      const q = o + (<usize>j << 2);
      let v = f32x4.splat(load<f32>(z + q));
      if (b !== 0) v = f32x4.add(v, f32x4.splat(load<f32>(b + (<usize>j << 2))));
      if (silu) {
        const sg = sigmoidv(v);
        store<f32>(y + q, f32x4.extract_lane(f32x4.mul(v, sg), 0));
        v = sg;
      }
      store<f32>(z + q, f32x4.extract_lane(v, 0));
    }
  }
}

/**
 * Rows [r0, r1) of linearRows' backward, everything that is split by rows of the batch: gz =
 * gy·(s + y·(1 − s)) for ACT_SILU (s = σ(z) and y the forward's, as linearRows left them), gz =
 * gy where y > 0 else 0 for ACT_RELU (s unused), and for ACT_NONE gz is gy itself (not written); when part is non-zero, gz's column sums
 * over the rows in float64 at part + (r0 / chunk)·N doubles (the caller adds the chunks in order,
 * so the bias gradient does not depend on which thread ran which chunk); when dx is non-zero, dx
 * rows = gz·W (W N×K packed by packB without transB); when px is non-zero, rows [r0, r1) of x
 * (R×K) packed by packB's layout for dW = gzᵀ·x.
 */
export function linearGradRows(
  gy: usize, s: usize, y: usize, gz: usize, part: usize, pw: usize, dx: usize, x: usize, px: usize,
  R: i32, N: i32, K: i32, scratch: usize, act: i32, chunk: i32, r0: i32, r1: i32,
): void {
  if (act === ACT_RELU) {
    for (let r: i32 = r0; r < r1; r++) {
      const o = <usize>r * <usize>N << 2;
      let j: i32 = 0;
      for (; j + 4 <= N; j += 4) {
        const q = o + (<usize>j << 2);
        v128.store(gz + q, v128.and(v128.load(gy + q), f32x4.gt(v128.load(y + q), f32x4.splat(0))));
      }
      for (; j < N; j++) {
        const q = o + (<usize>j << 2);
        store<f32>(gz + q, load<f32>(y + q) > 0 ? load<f32>(gy + q) : 0);
      }
    }
  } else if (act === ACT_SILU) {
    const one = f32x4.splat(1);
    for (let r: i32 = r0; r < r1; r++) {
      const o = <usize>r * <usize>N << 2;
      let j: i32 = 0;
      for (; j + 4 <= N; j += 4) {
        const q = o + (<usize>j << 2);
        const sg = v128.load(s + q);
        v128.store(gz + q, f32x4.mul(v128.load(gy + q), f32x4.add(sg, f32x4.mul(v128.load(y + q), f32x4.sub(one, sg)))));
      }
      for (; j < N; j++) {
        const q = o + (<usize>j << 2);
        const sg = load<f32>(s + q);
        store<f32>(gz + q, load<f32>(gy + q) * (sg + load<f32>(y + q) * (1 - sg)));
      }
    }
  }
  if (part !== 0) {
    const acc = part + (<usize>((r0 / chunk) * N) << 3);
    for (let j: i32 = 0; j < N; j++) store<f64>(acc + (<usize>j << 3), 0);
    for (let r: i32 = r0; r < r1; r++) {
      const row = gz + (<usize>r * <usize>N << 2);
      let j: i32 = 0;
      for (; j + 4 <= N; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        const a = acc + (<usize>j << 3);
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))), 16);
      }
      for (; j < N; j++) {
        const a = acc + (<usize>j << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(row + (<usize>j << 2)));
      }
    }
  }
  if (dx !== 0) gemmPacked(gz, pw, dx, R, K, N, 0, scratch, r0, r1, 0, K, false);
  if (px !== 0) packBRows(x, px, R, K, r0, r1);
}

/** Rows [k0, k1) of a K×N row-major B (no transB) into packB's layout at pb (whole panels, zero-padded past N). */
function packBRows(b: usize, pb: usize, K: i32, N: i32, k0: i32, k1: i32): void {
  const np = ((N + NR - 1) / NR) * NR;
  for (let k: i32 = k0; k < k1; k++) {
    const pc = (k / KC) * KC;
    const kc = min(KC, K - pc);
    const src = b + (<usize>k * <usize>N << 2);
    let dst = pb + (<usize>(pc * np + (k - pc) * NR) << 2);
    const panel = <usize>(kc * NR) << 2;
    let j: i32 = 0;
    for (; j + NR <= N; j += NR) {
      v128.store(dst, v128.load(src + (<usize>j << 2)));
      v128.store(dst, v128.load(src + (<usize>j << 2), 16), 16);
      dst += panel;
    }
    if (j < N) {
      for (let t: i32 = 0; t < NR; t++) store<f32>(dst + (<usize>t << 2), j + t < N ? load<f32>(src + (<usize>(j + t) << 2)) : 0);
    }
  }
}

// ---- per-channel bias of an (N, C, *) tensor and its gradient ------------------------------------

/**
 * y[r, :] = x[r, :] + s[r % sMod] for rows [r0, r1) of `inner` floats: a conv's bias (row r is
 * image r / C, channel r % C, sMod = C) or any per-row scalar such as a time embedding broadcast
 * over positions (sMod = rows).
 */
export function addRowScalars(x: usize, s: usize, y: usize, inner: i32, sMod: i32, r0: i32, r1: i32): void {
  for (let r: i32 = r0; r < r1; r++) {
    const v = f32x4.splat(load<f32>(s + (<usize>(r % sMod) << 2)));
    const off = <usize>r * <usize>inner << 2;
    let i: i32 = 0;
    for (; i + 4 <= inner; i += 4) {
      const o = off + (<usize>i << 2);
      v128.store(y + o, f32x4.add(v128.load(x + o), v));
    }
    for (; i < inner; i++) {
      const o = off + (<usize>i << 2);
      store<f32>(y + o, load<f32>(x + o) + f32x4.extract_lane(v, 0));
    }
  }
}

/** out[r] = Σ g[r, :] for rows [r0, r1) of `inner` floats, summed in float64 (a conv bias's gradient, per image and channel). */
export function rowSums(g: usize, out: usize, inner: i32, r0: i32, r1: i32): void {
  for (let r: i32 = r0; r < r1; r++) {
    const row = g + (<usize>r * <usize>inner << 2);
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    let i: i32 = 0;
    for (; i + 4 <= inner; i += 4) {
      const v = v128.load(row + (<usize>i << 2));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    }
    const both = f64x2.add(lo, hi);
    let sum = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
    for (; i < inner; i++) sum += <f64>load<f32>(row + (<usize>i << 2));
    store<f64>(out + (<usize>r << 3), sum);
  }
}

// ---- Same-shape add, subtract and multiply -----------------------------------------------------

/** y = a + b (op 0), a − b (1) or a·b (2) for elements [i0, i1); the exports below name each op for the workers. */
function binaryF32(a: usize, b: usize, y: usize, op: i32, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const u = v128.load(a + o);
    const v = v128.load(b + o);
    v128.store(y + o, op === 0 ? f32x4.add(u, v) : op === 1 ? f32x4.sub(u, v) : f32x4.mul(u, v));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const u = load<f32>(a + o);
    const v = load<f32>(b + o);
    store<f32>(y + o, op === 0 ? u + v : op === 1 ? u - v : u * v);
  }
}

export function addF32(a: usize, b: usize, y: usize, i0: i32, i1: i32): void {
  binaryF32(a, b, y, 0, i0, i1);
}

export function subF32(a: usize, b: usize, y: usize, i0: i32, i1: i32): void {
  binaryF32(a, b, y, 1, i0, i1);
}

export function mulF32(a: usize, b: usize, y: usize, i0: i32, i1: i32): void {
  binaryF32(a, b, y, 2, i0, i1);
}

// ---- SiLU (swish): x·σ(x) ----------------------------------------------------------------------

/** σ(x) on four lanes: 1 / (1 + e⁻ˣ), which is 0 (not NaN) when e⁻ˣ overflows. */
function sigmoidv(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expv(f32x4.neg(x))));
}

/** y = x·σ(x) for elements [i0, i1). */
export function silu(x: usize, y: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(y + o, f32x4.mul(v, sigmoidv(v)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const v = f32x4.splat(load<f32>(x + o));
    store<f32>(y + o, f32x4.extract_lane(f32x4.mul(v, sigmoidv(v)), 0));
  }
}

/** dx = g·σ(x)·(1 + x·σ(−x)) for elements [i0, i1); σ(−x) stands for 1 − σ(x), which cancels to 0. */
function siluGradV(v: v128, g: v128): v128 {
  // One exp and one division for both: with e = exp(−|x|), d = 1/(1 + e) and q = e·d are σ(|x|)
  // and σ(−|x|), so σ(x) and σ(−x) are d and q, swapped where x < 0 (e ≤ 1: nothing overflows).
  const e = expNegv(f32x4.neg(f32x4.abs(v)));
  const d = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  const q = f32x4.mul(e, d);
  const pos = f32x4.ge(v, f32x4.splat(0));
  const s = v128.bitselect(d, q, pos);
  const sm = v128.bitselect(q, d, pos);
  return f32x4.mul(g, f32x4.mul(s, f32x4.add(f32x4.splat(1.0), f32x4.mul(v, sm))));
}

export function siluGrad(x: usize, g: usize, dx: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, siluGradV(v128.load(x + o), v128.load(g + o)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const r = siluGradV(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(g + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- GroupNorm with its per-channel affine and an optional SiLU ---------------------------------
// Row r of a GroupNorm is image r / G, group r % G: Cg channels × HW values, contiguous at
// x + r·Cg·HW; its j-th block of HW values is channel c = (r % G)·Cg + j.

/**
 * GroupNorm of rows [r0, r1): y = x̂·w[c] + b[c] (w, b optional: pointer 0), then y·σ(y) when silu
 * is non-zero, keeping σ at `sig` unless it is 0; saves each row's mean and rstd. Threads split the rows.
 */
export function groupNormRows(
  x: usize, w: usize, b: usize, y: usize, sig: usize, mean: usize, rstd: usize, r0: i32, r1: i32, G: i32, Cg: i32, HW: i32, eps: f32, silu: i32,
): void {
  const D = Cg * HW;
  for (let r: i32 = r0; r < r1; r++) {
    const off = <usize>(r * D) << 2;
    rowStats(x + off, D, eps, mean + (<usize>r << 2), rstd + (<usize>r << 2));
    const mv = f32x4.splat(load<f32>(mean + (<usize>r << 2)));
    const rv = f32x4.splat(load<f32>(rstd + (<usize>r << 2)));
    const c0 = (r % G) * Cg;
    for (let j: i32 = 0; j < Cg; j++) {
      const c = <usize>(c0 + j) << 2;
      const wv = f32x4.splat(w ? load<f32>(w + c) : <f32>1.0);
      const bv = f32x4.splat(b ? load<f32>(b + c) : <f32>0.0);
      const base = off + (<usize>(j * HW) << 2);
      let i: i32 = 0;
      for (; i + 4 <= HW; i += 4) {
        const o = base + (<usize>i << 2);
        let v = f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv), wv), bv);
        if (silu) {
          const sg = sigmoidv(v);
          if (sig) v128.store(sig + o, sg);
          v = f32x4.mul(v, sg);
        }
        v128.store(y + o, v);
      }
      for (; i < HW; i++) {
        const o = base + (<usize>i << 2);
        let v = f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(f32x4.splat(load<f32>(x + o)), mv), rv), wv), bv);
        if (silu) {
          const sg = sigmoidv(v);
          if (sig) store<f32>(sig + o, f32x4.extract_lane(sg, 0));
          v = f32x4.mul(v, sg);
        }
        store<f32>(y + o, f32x4.extract_lane(v, 0));
      }
    }
  }
}

/**
 * ga·SiLU'(a) = ga·σ·(1 + a·(1 − σ)) (torch's silu_backward), with σ(a) the forward's when it kept
 * it (sig non-zero: no exp) or recomputed by the same sigmoidv, so both give the same bits.
 */
function groupNormSiluGrad(a: v128, ga: v128, s: v128, sig: usize): v128 {
  const sg = sig ? s : sigmoidv(a);
  return f32x4.mul(ga, f32x4.mul(sg, f32x4.add(f32x4.splat(1), f32x4.mul(a, f32x4.sub(f32x4.splat(1), sg)))));
}

/**
 * Backward of groupNormRows for rows [r0, r1) given the output gradient gy: with the affine output
 * a = x̂·w[c] + b[c] recomputed, ga = gy·SiLU'(a) (gy itself without SiLU; σ(a) from `sig` when the
 * forward kept it there); adds Σ ga·x̂ to dw[c]
 * and Σ ga to db[c] (pointers 0 to skip; the caller zeroes them, one pair per thread);
 * ĝ = ga·w[c] and dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) over the row. Pass 1 leaves ĝ in dx,
 * pass 2 turns it into dx.
 */
export function groupNormBackward(
  x: usize, w: usize, b: usize, gy: usize, sig: usize, mean: usize, rstd: usize, dx: usize, dw: usize, db: usize,
  r0: i32, r1: i32, G: i32, Cg: i32, HW: i32, silu: i32,
): void {
  const D = Cg * HW;
  const inv = <f32>1.0 / <f32>D;
  for (let r: i32 = r0; r < r1; r++) {
    const off = <usize>(r * D) << 2;
    const mv = f32x4.splat(load<f32>(mean + (<usize>r << 2)));
    const rv = f32x4.splat(load<f32>(rstd + (<usize>r << 2)));
    const c0 = (r % G) * Cg;
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    for (let j: i32 = 0; j < Cg; j++) {
      const c = <usize>(c0 + j) << 2;
      const wv = f32x4.splat(w ? load<f32>(w + c) : <f32>1.0);
      const bv = f32x4.splat(b ? load<f32>(b + c) : <f32>0.0);
      const base = off + (<usize>(j * HW) << 2);
      let sw = f32x4.splat(0);
      let sb = f32x4.splat(0);
      let i: i32 = 0;
      for (; i + 4 <= HW; i += 4) {
        const o = base + (<usize>i << 2);
        const xh = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
        let ga = v128.load(gy + o);
        if (silu) ga = groupNormSiluGrad(f32x4.add(f32x4.mul(xh, wv), bv), ga, sig ? v128.load(sig + o) : f32x4.splat(0), sig);
        sw = f32x4.add(sw, f32x4.mul(ga, xh));
        sb = f32x4.add(sb, ga);
        const gh = f32x4.mul(ga, wv);
        s1 = f32x4.add(s1, gh);
        s2 = f32x4.add(s2, f32x4.mul(gh, xh));
        v128.store(dx + o, gh);
      }
      for (; i < HW; i++) {
        // one lane: the others are zero, so the sums take it alone
        const o = base + (<usize>i << 2);
        const xh = f32x4.replace_lane(f32x4.splat(0), 0, (load<f32>(x + o) - f32x4.extract_lane(mv, 0)) * f32x4.extract_lane(rv, 0));
        let ga = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(gy + o));
        if (silu) ga = groupNormSiluGrad(f32x4.add(f32x4.mul(xh, wv), bv), ga, sig ? f32x4.splat(load<f32>(sig + o)) : f32x4.splat(0), sig);
        sw = f32x4.add(sw, f32x4.mul(ga, xh));
        sb = f32x4.add(sb, ga);
        const gh = f32x4.mul(ga, wv);
        s1 = f32x4.add(s1, gh);
        s2 = f32x4.add(s2, f32x4.mul(gh, xh));
        store<f32>(dx + o, f32x4.extract_lane(gh, 0));
      }
      if (dw) store<f32>(dw + c, load<f32>(dw + c) + hsum(sw));
      if (db) store<f32>(db + c, load<f32>(db + c) + hsum(sb));
    }
    const m1 = f32x4.splat(hsum(s1) * inv);
    const m2 = f32x4.splat(hsum(s2) * inv);
    let i: i32 = 0;
    for (; i + 4 <= D; i += 4) {
      const o = off + (<usize>i << 2);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
      v128.store(dx + o, f32x4.mul(rv, f32x4.sub(f32x4.sub(v128.load(dx + o), m1), f32x4.mul(xh, m2))));
    }
    for (; i < D; i++) {
      const o = off + (<usize>i << 2);
      const xh = (load<f32>(x + o) - f32x4.extract_lane(mv, 0)) * f32x4.extract_lane(rv, 0);
      store<f32>(dx + o, f32x4.extract_lane(rv, 0) * (load<f32>(dx + o) - f32x4.extract_lane(m1, 0) - xh * f32x4.extract_lane(m2, 0)));
    }
  }
}

// ---- Binary cross-entropy with logits ------------------------------------------------------------

/**
 * log(1 + e) for e in [0, 1] on four lanes: 2·atanh(s) with s = e / (2 + e) in [0, 1/3], the odd
 * series to s¹³ (truncation < 2e-8 relative), so tiny e keep full relative accuracy (no 1 + e).
 */
function log1pUnitV(e: v128): v128 {
  const s = f32x4.div(e, f32x4.add(f32x4.splat(2.0), e));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(<f32>(1.0 / 13.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 11.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 9.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 7.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 5.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 3.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0));
  return f32x4.mul(f32x4.add(s, s), p);
}

/**
 * Four lanes of the Bernoulli NLL of x under logits l, given e = e^{−|l|}: l·(1 − x) + log1p(e)
 * for l > 0, −x·l + log1p(e) otherwise (one rounding in the linear part).
 */
function bceLogitsV(l: v128, x: v128, e: v128): v128 {
  const lin = v128.bitselect(f32x4.mul(l, f32x4.sub(f32x4.splat(1.0), x)), f32x4.neg(f32x4.mul(x, l)), f32x4.gt(l, f32x4.splat(0.0)));
  return f32x4.add(lin, log1pUnitV(e));
}

/** σ(l) on four lanes given e = e^{−|l|}: 1/(1 + e) for l ≥ 0, e/(1 + e) otherwise. */
function sigmoidFromExpV(l: v128, e: v128): v128 {
  const r = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(l, f32x4.splat(0.0)));
}

/** out[i] = max(l, 0) − x·l + log1p(e^{−|l|}) and sig[i] = σ(l) for elements [i0, i1). */
export function bceLogits(l: usize, x: usize, out: usize, sig: usize, i0: i32, i1: i32): void {
  let i: i32 = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const lv = v128.load(l + o);
    const e = expv(f32x4.neg(f32x4.abs(lv)));
    v128.store(out + o, bceLogitsV(lv, v128.load(x + o), e));
    v128.store(sig + o, sigmoidFromExpV(lv, e));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const lv = f32x4.splat(load<f32>(l + o));
    const e = expv(f32x4.neg(f32x4.abs(lv)));
    store<f32>(out + o, f32x4.extract_lane(bceLogitsV(lv, f32x4.splat(load<f32>(x + o)), e), 0));
    store<f32>(sig + o, f32x4.extract_lane(sigmoidFromExpV(lv, e), 0));
  }
}

// ---- Philox4x32-10 uniforms (the stream of random/generator.ts) ----------------------------------

/**
 * Blocks [i0, i1) of the Philox4x32-10 stream keyed (k0, k1), block i at counter base + i
 * (64 bits: baseLo, baseHi; counter words 2 and 3 are 0), as random/philox.ts computes them; each
 * block's four words become four float32 uniforms (w >>> 8)·2⁻²⁴ at out + 16·i, or with f64 = 1
 * two float64 uniforms ((w₀ >>> 5)·2²⁶ + (w₁ >>> 6))·2⁻⁵³ at out + 16·i: the values of
 * Generator.random24() and random(), exactly.
 */
export function philoxUniform(out: usize, i0: i32, i1: i32, baseLo: u32, baseHi: u32, k0: u32, k1: u32, f64: i32): void {
  for (let i: i32 = i0; i < i1; i++) {
    const lo: u32 = baseLo + <u32>i;
    let c0: u32 = lo;
    let c1: u32 = baseHi + (lo < baseLo ? 1 : 0);
    let c2: u32 = 0;
    let c3: u32 = 0;
    let a: u32 = k0;
    let b: u32 = k1;
    for (let r = 0; r < 10; r++) {
      const p0: u64 = <u64>0xd2511f53 * <u64>c0;
      const p1: u64 = <u64>0xcd9e8d57 * <u64>c2;
      const n0: u32 = (<u32>(p1 >> 32)) ^ c1 ^ a;
      const n2: u32 = (<u32>(p0 >> 32)) ^ c3 ^ b;
      c1 = <u32>p1;
      c3 = <u32>p0;
      c0 = n0;
      c2 = n2;
      a += 0x9e3779b9;
      b += 0xbb67ae85;
    }
    const o = out + (<usize>i << 4);
    if (f64) {
      store<f64>(o, (<f64>(c0 >>> 5) * 67108864.0 + <f64>(c1 >>> 6)) / 9007199254740992.0);
      store<f64>(o + 8, (<f64>(c2 >>> 5) * 67108864.0 + <f64>(c3 >>> 6)) / 9007199254740992.0);
    } else {
      const scale: f32 = 1.0 / 16777216.0;
      store<f32>(o, <f32>(c0 >>> 8) * scale);
      store<f32>(o + 4, <f32>(c1 >>> 8) * scale);
      store<f32>(o + 8, <f32>(c2 >>> 8) * scale);
      store<f32>(o + 12, <f32>(c3 >>> 8) * scale);
    }
  }
}

// ---- Adam / AdamW update of a float32 parameter --------------------------------------------------

/**
 * One Adam step over elements [i0, i1) of a float32 parameter p with gradient g and state m, v
 * (updated in place), writing the new parameter to out. The arithmetic is float64 and only the
 * stored values round to float32, operation for operation as nn's adamStep.ts does in JS, so the
 * results are identical: m ← lerp(m, g, 1 − β₁) in torch's two-sided form (wl, lerpSmall),
 * v ← v·β₂ + g²·(1 − β₂), p ← p·decay + m·negStep / (√v / bc2 + eps); l2 adds p·l2 to g first.
 */
export function adamF32(
  p: usize, g: usize, m: usize, v: usize, out: usize, i0: i32, i1: i32,
  beta2: f64, wl: f64, lerpSmall: i32, c2: f64, bc2: f64, negStep: f64, eps: f64, l2: f64, decay: f64, maximize: i32,
): void {
  // Two float64 lanes at a time: f64x2 arithmetic is IEEE's, lane for lane, so the results stay
  // identical to the scalar loop (and to nn's JS loop) at half the sqrt/div issue cost.
  const vBeta2 = f64x2.splat(beta2);
  const vWl = f64x2.splat(wl);
  const vC2 = f64x2.splat(c2);
  const vBc2 = f64x2.splat(bc2);
  const vNegStep = f64x2.splat(negStep);
  const vEps = f64x2.splat(eps);
  const vL2 = f64x2.splat(l2);
  const vDecay = f64x2.splat(decay);
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const o = <usize>i << 2;
    const pi = f64x2.promote_low_f32x4(v128.load64_zero(p + o));
    let gi = f64x2.promote_low_f32x4(v128.load64_zero(g + o));
    if (maximize) gi = f64x2.neg(gi);
    if (l2 !== 0) gi = f64x2.add(gi, f64x2.mul(pi, vL2));
    const param = decay !== 1 ? f64x2.mul(pi, vDecay) : pi;
    const a = f64x2.promote_low_f32x4(v128.load64_zero(m + o));
    const d = f64x2.sub(gi, a);
    const mi32 = f32x4.demote_f64x2_zero(lerpSmall ? f64x2.add(a, f64x2.mul(d, vWl)) : f64x2.sub(gi, f64x2.mul(d, vWl)));
    v128.store64_lane(m + o, mi32, 0);
    const vin = f64x2.promote_low_f32x4(v128.load64_zero(v + o));
    const vi32 = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(vin, vBeta2), f64x2.mul(f64x2.mul(gi, gi), vC2)));
    v128.store64_lane(v + o, vi32, 0);
    const mi = f64x2.promote_low_f32x4(mi32);
    const vi = f64x2.promote_low_f32x4(vi32);
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(vi), vBc2), vEps);
    v128.store64_lane(out + o, f32x4.demote_f64x2_zero(f64x2.add(param, f64x2.div(f64x2.mul(mi, vNegStep), denom))), 0);
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const pi = <f64>load<f32>(p + o);
    let gi = <f64>load<f32>(g + o);
    if (maximize) gi = -gi;
    if (l2 !== 0) gi += pi * l2;
    const param = decay !== 1 ? pi * decay : pi;
    const a = <f64>load<f32>(m + o);
    const mi = <f32>(lerpSmall ? a + (gi - a) * wl : gi - (gi - a) * wl);
    store<f32>(m + o, mi);
    const vi = <f32>(<f64>load<f32>(v + o) * beta2 + gi * gi * c2);
    store<f32>(v + o, vi);
    store<f32>(out + o, <f32>(param + (<f64>mi * negStep) / (Math.sqrt(<f64>vi) / bc2 + eps)));
  }
}
