import { setFloat32Source } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import type { KernelExports } from './runtime.js';

/**
 * Resident outputs: wasm kernels write their results into a region of the shared wasm memory and
 * hand them out as Float32Array views over it, instead of copying them into fresh JS arrays; a
 * later kernel that reads such a view passes its address instead of copying it back in. Views
 * over a *shared* memory stay valid when the memory grows (views over a plain memory detach), so
 * only the shared-memory build has a region. Once the region exists, TypeScript kernels' float32
 * results of at least FLOAT32_SOURCE_MIN elements (dtype.ts's `allocate`) are zeroed blocks of it
 * too, so a wasm kernel reading what a TypeScript op (pad, concat, slice, a reduction) made does
 * not copy it in either: 52 MB per U-Net training step before (apps/bench src/diffusion-ops.ts).
 *
 * A block returns to the free list when its view is garbage-collected (FinalizationRegistry).
 * Those callbacks run only when the event loop turns: a synchronous loop frees nothing, fills the
 * region, and from then on every output falls back to a fresh array (no gain, no error). Training
 * loops that `await` between steps (`gpt train`, the apps) keep it recycling.
 *
 * Off by default: `setResidentBytes(n)`, or LIKELIHOOD_RESIDENT_MB (at most 512) read on first
 * use, turns it on. The region is reserved by the first kernel call after that.
 */

let requested: number | undefined;

/** The region size asked for: setResidentBytes, else LIKELIHOOD_RESIDENT_MB (read on first use), else 0. */
function requestedBytes(): number {
  if (requested === undefined) {
    const mb = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LIKELIHOOD_RESIDENT_MB || 0);
    requested = Number.isFinite(mb) && mb > 0 ? Math.min(Math.floor(mb), 512) * 2 ** 20 : 0;
  }
  return requested;
}

const align = (n: number) => (n + 15) & ~15;

/**
 * A fixed region [start, end) of the shared memory: exact-size free lists, then a bump pointer.
 * When neither has room, the smallest larger free block is split, and failing that the free
 * blocks are merged with their neighbours (those at the top go back to the bump pointer) and it
 * tries again: a region that one model's sizes had filled (an MLP's 256 KiB blocks) then serves
 * the next model's sizes too (the bench's U-Net after its MLP: 4894 fallbacks and 123 ms a step
 * before, none and 94 ms after).
 */
export class ResidentHeap {
  readonly start: number;
  readonly end: number;
  private bump: number;
  private readonly free = new Map<number, number[]>();
  private readonly buffers = new WeakSet<object>();
  private readonly registry = new FinalizationRegistry<readonly [number, number]>(([ptr, size]) => this.release(ptr, size));
  /** Bytes in blocks handed out and not yet returned. */
  inUse = 0;
  /** Outputs that did not fit (region full) and went to fresh arrays instead. */
  fallbacks = 0;
  /** Whether blocks were freed since the last merge (a full region otherwise re-merges for nothing). */
  private dirty = false;

  constructor(
    readonly k: KernelExports,
    bytes: number,
  ) {
    this.start = align(k.heapBase());
    this.end = this.start + align(bytes);
    this.bump = this.start;
  }

  /** A block of `bytes` (rounded up to 16), or 0 when the region is full. */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 16));
    const p = this.find(size) ?? (this.coalesce() ? this.find(size) : undefined);
    if (p === undefined) {
      this.fallbacks++;
      return 0;
    }
    this.inUse += size;
    return p;
  }

  /** A free block of exactly `size`, else from the bump pointer, else a larger free block split. */
  private find(size: number): number | undefined {
    return this.free.get(size)?.pop() ?? this.fromBump(size) ?? this.split(size);
  }

  private fromBump(size: number): number | undefined {
    if (this.bump + size > this.end) return undefined;
    const p = this.bump;
    this.bump += size;
    return p;
  }

  /** The smallest free block of at least `size` bytes, split: the rest stays free. */
  private split(size: number): number | undefined {
    let best = Number.POSITIVE_INFINITY;
    for (const [s, list] of this.free) if (s > size && s < best && list.length > 0) best = s;
    if (best === Number.POSITIVE_INFINITY) return undefined;
    const p = this.free.get(best)!.pop()!;
    this.push(p + size, best - size);
    return p;
  }

  /** Merges adjacent free blocks and returns those at the top to the bump pointer; whether anything changed. */
  private coalesce(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    const blocks: [number, number][] = [];
    for (const [size, list] of this.free) for (const p of list) blocks.push([p, size]);
    if (blocks.length === 0) return false;
    blocks.sort((a, b) => a[0] - b[0]);
    this.free.clear();
    let [runStart, runSize] = blocks[0]!;
    const runs: [number, number][] = [];
    for (let i = 1; i < blocks.length; i++) {
      const [p, size] = blocks[i]!;
      if (p === runStart + runSize) runSize += size;
      else {
        runs.push([runStart, runSize]);
        [runStart, runSize] = [p, size];
      }
    }
    runs.push([runStart, runSize]);
    const top = runs[runs.length - 1]!;
    if (top[0] + top[1] === this.bump) {
      this.bump = top[0];
      runs.pop();
    }
    for (const [p, size] of runs) this.push(p, size);
    return true;
  }

  private push(ptr: number, size: number): void {
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
  }

  /** Whether `ptr` is a block of this region (not the per-call arena above it). */
  owns(ptr: number): boolean {
    return ptr >= this.start && ptr < this.end;
  }

  /**
   * Whether `x` is a view of this memory (one of this region's outputs). memory.buffer is a new
   * SharedArrayBuffer object after each grow, so every one the views were made on is remembered.
   */
  holds(x: Float32Array): boolean {
    return this.buffers.has(x.buffer) && this.owns(x.byteOffset);
  }

  /** The block as a view that frees it when collected. `length` floats from `ptr`. */
  view(ptr: number, length: number): Float32Array {
    const buffer = this.k.memory.buffer;
    this.buffers.add(buffer);
    const v = new Float32Array(buffer, ptr, length);
    this.registry.register(v, [ptr, align(Math.max(length * 4, 16))]);
    return v;
  }

  /** Returns a block that was allocated but never handed out (its kernel call fell back). */
  unuse(ptr: number, bytes: number): void {
    this.release(ptr, align(Math.max(bytes, 16)));
  }

  private release(ptr: number, size: number): void {
    this.push(ptr, size);
    this.inUse -= size;
    this.dirty = true;
  }
}

/** The region, once reserved; only the shared-memory build (one per process) has one. */
let heap: ResidentHeap | null = null;

/** Whether kernel calls should go to the shared build even on one thread (their outputs live there). */
export function residentOutputsOn(): boolean {
  return requestedBytes() > 0 && typeof SharedArrayBuffer === 'function';
}

/** The region of the shared build `k` (reserved on first use), or null when resident outputs are off or `k` is another build. */
export function residentHeap(k: KernelExports): ResidentHeap | null {
  if (!residentOutputsOn()) return null;
  if (heap) return heap.k === k ? heap : null;
  if (!(k.memory.buffer instanceof SharedArrayBuffer)) return null;
  const h = (heap = new ResidentHeap(k, requestedBytes()));
  // TypeScript kernels' large float32 results go there too, so wasm kernels read them in place
  setFloat32Source((n) => {
    if (!residentOutputsOn()) return null;
    const p = h.alloc(n * 4);
    if (p === 0) return null;
    k.zeroBytes(p, n * 4);
    return h.view(p, n);
  });
  return heap;
}

/**
 * Size of the resident-output region in bytes (0 turns resident outputs off). The region is
 * reserved by the next kernel call and cannot be resized afterwards; turning it off later stops
 * new outputs going there (the region's memory stays with the process).
 */
export function setResidentBytes(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > 2 ** 29) {
    throw new ArgumentError(`setResidentBytes: bytes must be an integer in [0, 2^29], found ${bytes}`);
  }
  if (heap && bytes > 0 && align(bytes) !== heap.end - heap.start) {
    throw new ArgumentError(`setResidentBytes: the region already holds ${heap.end - heap.start} bytes and cannot be resized; found ${bytes}`);
  }
  requested = bytes;
}

/** The region's size, the bytes handed out and not yet collected, and how many outputs fell back to fresh arrays. */
export function residentStats(): { capacity: number; inUse: number; fallbacks: number } {
  const bytes = requestedBytes();
  return { capacity: bytes > 0 ? (heap ? heap.end - heap.start : bytes) : 0, inUse: heap?.inUse ?? 0, fallbacks: heap?.fallbacks ?? 0 };
}

/** V8's gc(), obtained once (Node: --expose-gc set at run time, read from a fresh context); null elsewhere. */
let collector: (() => void) | null | undefined;

function garbageCollector(): (() => void) | null {
  if (collector !== undefined) return collector;
  collector = null;
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const v8 = p?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
    const vm = p?.getBuiltinModule?.('node:vm') as { runInNewContext(code: string): unknown } | undefined;
    if (v8 && vm) {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc');
      if (typeof gc === 'function') collector = gc as () => void;
    }
  } catch {
    collector = null;
  }
  return collector;
}

/** Share of the region in use above which `releaseResidentOutputs` runs the garbage collector first. */
export const RESIDENT_COLLECT_FRACTION = 0.5;

/**
 * Waits for one turn of the event loop, so that resident outputs the garbage collector has
 * found unreachable return to the region (FinalizationRegistry callbacks run between tasks).
 * Await it between training steps when resident outputs are on. The views are small objects,
 * so the collector would seldom run by itself and the region would fill: when more than half
 * of it is in use, this runs V8's collector first (Node; a few ms for a full collection of a
 * training process's heap, against a 200 ms U-Net step; nothing to do when the region has room).
 */
export async function releaseResidentOutputs(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void; setTimeout: (f: () => void, ms: number) => void };
  if (heap && heap.inUse > RESIDENT_COLLECT_FRACTION * (heap.end - heap.start)) garbageCollector()?.();
  await new Promise<void>((resolve) => (g.setImmediate ? g.setImmediate(resolve) : g.setTimeout(resolve, 0)));
}
