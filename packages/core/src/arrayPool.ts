/**
 * Recycled arrays for large float32 results: kernel results copied out of wasm memory (resident
 * outputs off, the default; wasm/runtime.ts's Arena.take) and TypeScript kernels' zeroed outputs
 * (dtype.ts's allocate). A fresh Float32Array of a few hundred KB or more costs more than its copy: the
 * allocator maps memory the OS must fault in and zero again (glibc returns what the garbage
 * collector freed), and the collector then frees it. Instead each result is a view over a plain ArrayBuffer that returns
 * to a free list of its size once the view is garbage-collected (FinalizationRegistry), and the
 * next result of that size reuses it. The views are ordinary non-shared Float32Arrays, so nothing
 * changes for code that reads tensors. Like resident outputs, the buffers come back only when the
 * collector runs and the event loop turns; until then results are fresh arrays as before.
 *
 * Only arrays of at least POOL_MIN_BYTES are pooled, and the free lists hold at most
 * POOL_MAX_FREE_BYTES in all (more returns to the collector), so a peak does not pin memory.
 */

/**
 * Results smaller than this are plain copies: pooling the MLP denoiser's 256 KiB activations made
 * its step no faster (3.9 against 3.7 ms, noisy), while the U-Net's ≥ 512 KiB ones gained 12 %.
 */
export const POOL_MIN_BYTES = 1 << 19;
/** Most bytes the free lists keep. */
export const POOL_MAX_FREE_BYTES = 256 * 2 ** 20;

const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
let maxFreeBytes = POOL_MAX_FREE_BYTES;
const registry = new FinalizationRegistry<ArrayBuffer>((buffer) => {
  if (freeBytes + buffer.byteLength > maxFreeBytes) return; // let the collector have it
  let list = free.get(buffer.byteLength);
  if (!list) free.set(buffer.byteLength, (list = []));
  list.push(buffer);
  freeBytes += buffer.byteLength;
});

/** A copy of `src` (a view of wasm memory) in a recycled array when one of its size is free, else in a fresh one (which joins the pool once collected). */
export function pooledCopy(src: Float32Array): Float32Array {
  const bytes = src.byteLength;
  if (bytes < POOL_MIN_BYTES) return src.slice();
  const buffer = free.get(bytes)?.pop();
  let out: Float32Array;
  if (buffer) {
    freeBytes -= bytes;
    out = new Float32Array(buffer);
    out.set(src);
  } else {
    out = src.slice(); // no zero-fill before the copy, unlike new Float32Array(n)
  }
  registry.register(out, out.buffer as ArrayBuffer);
  return out;
}

/** A zeroed Float32Array of `length` floats, a recycled one when one of its size is free; null below POOL_MIN_BYTES (the caller allocates). */
export function pooledZeros(length: number): Float32Array | null {
  const bytes = length * 4;
  if (bytes < POOL_MIN_BYTES) return null;
  const buffer = free.get(bytes)?.pop();
  let out: Float32Array;
  if (buffer) {
    freeBytes -= bytes;
    out = new Float32Array(buffer).fill(0);
  } else {
    out = new Float32Array(length);
  }
  registry.register(out, out.buffer as ArrayBuffer);
  return out;
}

/** Bytes waiting in the free lists (tests and diagnostics). */
export function pooledFreeBytes(): number {
  return freeBytes;
}

/** Tests: a smaller cap on the free lists (POOL_MAX_FREE_BYTES restores it). */
export function setPoolMaxFreeBytesForTests(bytes: number): void {
  maxFreeBytes = bytes;
}
