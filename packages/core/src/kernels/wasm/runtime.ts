import {
  KERNELS_RELAXED_SHARED_WASM_BASE64, KERNELS_RELAXED_WASM_BASE64, KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64,
} from './module.generated.js';
import { pooledCopy } from '../../arrayPool.js';
import { type ResidentHeap, residentHeap } from './resident.js';

// The part of the WebAssembly JS API used here (core compiles without the DOM lib).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<object>;
  validate(bytes: Uint8Array): boolean;
};

/** The exports of asm/kernels.ts; pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  sgemmScratchBytes(): number;
  packedBBytes(K: number, N: number): number;
  packB(b: number, pb: number, K: number, N: number, transB: number, n0: number, n1: number): void;
  sgemmPacked(
    a: number, pb: number, c: number, M: number, N: number, K: number, transA: number, scratch: number,
    m0: number, m1: number, n0: number, n1: number,
  ): void;
  // Elementwise and row kernels work on a range [i0, i1) of elements, rows or batch entries.
  expf32(x: number, y: number, i0: number, i1: number): void;
  sinF32(x: number, y: number, i0: number, i1: number): void;
  cosF32(x: number, y: number, i0: number, i1: number): void;
  softmaxRows(x: number, y: number, r0: number, r1: number, cols: number, log: number): void;
  geluTanh(x: number, y: number, i0: number, i1: number): void;
  geluTanhGrad(x: number, g: number, dx: number, i0: number, i1: number): void;
  layerNormRows(x: number, w: number, b: number, y: number, mean: number, rstd: number, r0: number, r1: number, D: number, eps: number): void;
  layerNormBackward(
    x: number, w: number, g: number, mean: number, rstd: number, dx: number, dw: number, db: number, r0: number, r1: number, D: number,
  ): void;
  attnCausal(
    q: number, k: number, v: number, y: number, p: number, b0: number, b1: number, H: number, T: number, hd: number, ld: number, ldOut: number,
    scale: number,
  ): void;
  attnCausalBackward(
    q: number, k: number, v: number, gy: number, p: number, dq: number, dk: number, dv: number, row: number,
    b0: number, b1: number, H: number, T: number, hd: number, ld: number, ldOut: number, scale: number,
  ): void;
  silu(x: number, y: number, i0: number, i1: number): void;
  addRowScalars(x: number, s: number, y: number, inner: number, sMod: number, r0: number, r1: number): void;
  directPadWidth(Ow: number, Kw: number): number;
  convDirectImages(
    x: number, wp: number, y: number, C: number, H: number, W: number, O: number, Kh: number, Kw: number, pt: number, pl: number, Oh: number, Ow: number,
    pad: number, i0: number, i1: number,
  ): void;
  zeroBytes(p: number, bytes: number): void;
  winogradScratchBytes(C: number, O: number, Oh: number, Ow: number, m: number): number;
  winogradWeightGradScratchBytes(C: number, O: number, Oh: number, Ow: number, m: number): number;
  winogradGradGroup(Oh: number, Ow: number, m: number): number;
  convWinogradImages(
    x: number, u: number, y: number, C: number, H: number, W: number, O: number, pt: number, pl: number, Oh: number, Ow: number, m: number,
    buf: number, i0: number, i1: number,
  ): void;
  convWinogradWeightGradImages(
    x: number, gy: number, acc: number, C: number, H: number, W: number, O: number, pt: number, pl: number, Oh: number, Ow: number, m: number,
    buf: number, i0: number, i1: number,
  ): void;
  winogradKernelTransform(w: number, u: number, G: number, n: number, O: number, C: number, flip: number): void;
  winogradKernelGradient(acc: number, parts: number, G: number, n: number, O: number, C: number, dw: number): void;
  rowSums(g: number, out: number, inner: number, r0: number, r1: number): void;
  addF32(a: number, b: number, y: number, i0: number, i1: number): void;
  subF32(a: number, b: number, y: number, i0: number, i1: number): void;
  mulF32(a: number, b: number, y: number, i0: number, i1: number): void;
  adamF32(
    p: number, g: number, m: number, v: number, out: number, i0: number, i1: number, beta2: number, wl: number, lerpSmall: number, c2: number,
    bc2: number, negStep: number, eps: number, l2: number, decay: number, maximize: number,
  ): void;
  siluGrad(x: number, g: number, dx: number, i0: number, i1: number): void;
  bceLogits(l: number, x: number, out: number, sig: number, i0: number, i1: number): void;
  philoxUniform(out: number, i0: number, i1: number, baseLo: number, baseHi: number, k0: number, k1: number, f64: number): void;
  sinusoidalRows(t: number, f: number, y: number, half: number, dim: number, r0: number, r1: number): void;
  linearEpilogueRows(z: number, y: number, b: number, N: number, silu: number, m0: number, m1: number): void;
  linearRows(x: number, pw: number, z: number, y: number, b: number, M: number, N: number, K: number, scratch: number, silu: number, m0: number, m1: number): void;
  linearGradRows(
    gy: number, s: number, y: number, gz: number, part: number, pw: number, dx: number, x: number, px: number,
    R: number, N: number, K: number, scratch: number, silu: number, chunk: number, r0: number, r1: number,
  ): void;
  groupNormRows(
    x: number, w: number, b: number, y: number, sig: number, mean: number, rstd: number, r0: number, r1: number, G: number, Cg: number, HW: number, eps: number, silu: number,
  ): void;
  groupNormBackward(
    x: number, w: number, b: number, gy: number, sig: number, mean: number, rstd: number, dx: number, dw: number, db: number,
    r0: number, r1: number, G: number, Cg: number, HW: number, silu: number,
  ): void;
  convImages(x: number, w: number, out: number, geo: number, C: number, O: number, G: number, col: number, packed: number, scratch: number, i0: number, i1: number): void;
  convWeightGradImages(x: number, gy: number, acc: number, geo: number, C: number, O: number, G: number, col: number, packed: number, scratch: number, i0: number, i1: number): void;
  convTransposeImages(x: number, w: number, y: number, geo: number, C: number, O: number, G: number, col: number, packed: number, scratch: number, i0: number, i1: number): void;
}

const PAGE = 65536;
/** Ops whose buffers would need more than this fall back to the TypeScript kernels. */
export const MAX_WASM_BYTES = 1 << 30;

let instance: KernelExports | null | undefined;
let loadError: unknown;
let shared: SharedKernels | null | undefined;

/**
 * The shared-memory build, its memory and its exports on this thread; worker threads
 * instantiate the same module on the same memory.
 */
export interface SharedKernels {
  module: object;
  memory: WasmMemory;
  exports: KernelExports;
}

/** 1 GiB in 64 KiB pages: the maximum the shared build declares (scripts/build-wasm.mjs). */
const SHARED_MAX_PAGES = MAX_WASM_BYTES / PAGE;

/**
 * Whether this runtime can run kernels on worker threads: Node's worker_threads and
 * SharedArrayBuffer. Browsers use one thread (their main thread may not block on Atomics.wait).
 */
export function threadsSupported(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; process?: { getBuiltinModule?: unknown } };
  return typeof g.SharedArrayBuffer === 'function' && typeof g.process?.getBuiltinModule === 'function';
}

let relaxed: boolean | undefined;

/**
 * Whether the relaxed-SIMD builds are the ones in use (fused multiply-add in the GEMM and the
 * attention dots). LIKELIHOOD_RELAXED_SIMD unset: where the runtime supports relaxed SIMD (Node
 * 22+, Chrome 114+). `0`: never. `1`: also on Node 20, whose V8 has relaxed SIMD behind
 * --experimental-wasm-relaxed-simd; core turns that V8 flag on for this process. Decided once per
 * process, so the one-thread and the threaded kernels agree to the bit.
 */
export function relaxedSimdInUse(): boolean {
  if (relaxed !== undefined) return relaxed;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LIKELIHOOD_RELAXED_SIMD;
  relaxed = env !== '0' && validatesRelaxed();
  if (!relaxed && env === '1' && enableV8RelaxedSimdFlag()) relaxed = validatesRelaxed();
  return relaxed;
}

function validatesRelaxed(): boolean {
  try {
    return typeof WebAssembly.validate === 'function' && WebAssembly.validate(decodeBase64(KERNELS_RELAXED_WASM_BASE64));
  } catch {
    return false;
  }
}

/** Sets V8's relaxed-SIMD flag through node:v8 (process-wide, read when wasm compiles); false outside Node. */
function enableV8RelaxedSimdFlag(): boolean {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = p?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  if (!v8) return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

/** The embedded bytes of the chosen flavour: the module that owns its memory, or the shared one. */
function kernelBytes(sharedMemory: boolean): Uint8Array {
  const r = relaxedSimdInUse();
  return decodeBase64(
    sharedMemory ? (r ? KERNELS_RELAXED_SHARED_WASM_BASE64 : KERNELS_SHARED_WASM_BASE64) : r ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64,
  );
}

const instantiate = (module: object) => new WebAssembly.Instance(module, { env: { abort: abortFromWasm } }).exports as unknown as KernelExports;

/**
 * The kernels module, compiled and instantiated synchronously on first use from the embedded
 * bytes; null where WebAssembly or its SIMD proposal is unavailable (then TS kernels are used).
 * This build owns a plain memory, used by everything that runs on one thread: copies into a
 * shared memory are slower, which small ops would feel.
 */
export function wasmKernels(): KernelExports | null {
  if (instance !== undefined) return instance;
  try {
    instance = instantiate(new WebAssembly.Module(kernelBytes(false)));
  } catch (e) {
    loadError = e;
    instance = null;
  }
  return instance;
}

/** The shared-memory build for kernels split over threads, compiled on first use; null without thread support. */
export function sharedKernels(): SharedKernels | null {
  if (shared !== undefined) return shared;
  shared = null;
  if (!threadsSupported() || !wasmKernels()) return null;
  try {
    const module = new WebAssembly.Module(kernelBytes(true));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { memory, abort: abortFromWasm } }).exports as unknown as KernelExports;
    shared = { module, memory, exports };
  } catch (e) {
    loadError = e;
  }
  return shared;
}

/**
 * Compiles the kernels module asynchronously. Browsers refuse synchronous compilation of large
 * modules on the main thread (Chrome: over 4 KB), so there `wasmKernels()` alone falls back to the
 * TypeScript kernels; awaiting this once at start-up makes the WebAssembly kernels available.
 * Resolves to whether they are. In Node it is optional (synchronous compilation works).
 */
export async function initWasmKernels(): Promise<boolean> {
  if (instance) return true;
  try {
    instance = instantiate(await WebAssembly.compile(kernelBytes(false)));
    loadError = undefined;
  } catch (e) {
    loadError = e;
    instance = null;
  }
  return instance !== null;
}

/** Why the module failed to load, if it did (for diagnostics). */
export function wasmLoadError(): unknown {
  return loadError;
}

function abortFromWasm(): never {
  throw new Error('@likelihood/core wasm kernel aborted');
}

function decodeBase64(s: string): Uint8Array {
  const atob = (globalThis as { atob?: (s: string) => string }).atob;
  if (atob) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/**
 * Bump allocator over the module's linear memory. Each kernel call resets it, reserves its
 * buffers, then `commit()` grows memory once if needed; memory is never shrunk, so later calls
 * of the same size reuse it. Only the calling thread allocates (worker threads get pointers
 * into what it reserved), and kernels never re-enter.
 *
 * Operands go through `input()` and results through `output()`/`take()`, so that with resident
 * outputs on (resident.ts) a result stays in wasm memory and is read in place by the next
 * kernel. A pointer from `input()` may be another tensor's storage: kernels must never write to
 * it (use `copy()` for an operand a kernel overwrites).
 */
export class Arena {
  private top = 0;
  private heap: ResidentHeap | null = null;
  private readonly pending: [number, Float32Array][] = [];
  private readonly outputs: [number, number][] = [];
  private readonly updated: [number, Float32Array][] = [];
  constructor(private readonly k: KernelExports) {}

  reset(): this {
    this.heap = residentHeap(this.k);
    this.top = this.heap ? this.heap.end : align(this.k.heapBase());
    this.pending.length = 0;
    this.outputs.length = 0;
    this.updated.length = 0;
    return this;
  }

  /** Reserves `bytes` (16-aligned) and returns the byte pointer. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = align(p + bytes);
    return p;
  }

  /** A read-only operand: its own address when it already lives in this memory, else a copy made at `commit()`. */
  input(x: Float32Array): number {
    if (this.heap?.holds(x)) return x.byteOffset;
    return this.copy(x);
  }

  /**
   * State the kernel updates in place (an optimizer's moments): its own address when it lives in
   * this memory (the kernel writes the array itself), else a copy; `writeBack()` copies those
   * copies' new values back after the kernel ran.
   */
  inPlace(x: Float32Array): number {
    if (this.heap?.holds(x)) return x.byteOffset;
    const p = this.copy(x);
    this.updated.push([p, x]);
    return p;
  }

  /** Copies the kernel's new values of `inPlace` operands that were copied in back to their arrays. */
  writeBack(): void {
    for (const [p, x] of this.updated) x.set(this.f32(p, x.length));
    this.updated.length = 0;
  }

  /** An operand the kernel may overwrite: always a copy, made at `commit()`. */
  copy(x: Float32Array): number {
    const p = this.alloc(x.length * 4);
    this.pending.push([p, x]);
    return p;
  }

  /** A result of `length` floats: a resident block when resident outputs are on and the region has room. */
  output(length: number): number {
    const p = this.heap?.alloc(length * 4) ?? 0;
    if (p === 0) return this.alloc(length * 4);
    this.outputs.push([p, length * 4]);
    return p;
  }

  /** A result's values: its resident view, or a copy out of the arena (into a recycled array when a large one is free). */
  take(ptr: number, length: number): Float32Array {
    if (this.heap?.owns(ptr)) return this.heap.view(ptr, length);
    return pooledCopy(this.f32(ptr, length));
  }

  /** Total bytes reserved so far (from address 0). */
  get size(): number {
    return this.top;
  }

  /**
   * Grows memory to hold everything reserved and copies the pending operands in; returns false
   * (giving back any resident blocks) when that would exceed MAX_WASM_BYTES.
   */
  commit(): boolean {
    if (this.top > MAX_WASM_BYTES) {
      for (const [p, bytes] of this.outputs) this.heap!.unuse(p, bytes);
      this.outputs.length = 0;
      return false;
    }
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / PAGE));
    for (const [p, x] of this.pending) this.f32(p, x.length).set(x);
    this.pending.length = 0;
    return true;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, length);
  }
}

const align = (n: number) => (n + 15) & ~15;

const arenas = new Map<KernelExports, Arena>();

/** The arena of an instance's memory, reset for a new call. */
export function freshArena(k: KernelExports): Arena {
  let arena = arenas.get(k);
  if (!arena) {
    arena = new Arena(k);
    arenas.set(k, arena);
  }
  return arena.reset();
}
