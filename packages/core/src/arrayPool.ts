/**
 * Recycled arrays for large float32 results: kernel results copied out of wasm memory (resident
 * outputs off, the default; wasm/runtime.ts's Arena.take) and TypeScript kernels' zeroed outputs
 * (dtype.ts's allocate). A fresh array of half a megabyte or more costs more than filling it: the
 * allocator maps memory that the OS faults in and zeroes again (glibc returns what the collector
 * freed). A pooled result is an ordinary (non-shared) Float32Array over a plain ArrayBuffer that a
 * FinalizationRegistry returns to a free list of its size once the view is collected; the next
 * result of that size reuses it.
 *
 * The registry holds each buffer until its callback runs, and callbacks run only when the event
 * loop turns. So pooling is on only while callbacks are seen to arrive (a probe object turns it
 * on), and at most POOL_MAX_PENDING_BYTES are out at once: a synchronous loop pins nothing, an
 * awaiting one (Trainer.runAsync, the bench) recycles. Free lists hold at most
 * POOL_MAX_FREE_BYTES, so a peak does not keep its memory.
 */

/**
 * Results smaller than this are plain copies: pooling the MLP denoiser's 256 KiB activations made
 * its step no faster (3.9 against 3.7 ms, noisy), while the U-Net's ≥ 512 KiB ones gained 12 %.
 */
export const POOL_MIN_BYTES = 1 << 19;
/** Most bytes the free lists keep. */
export const POOL_MAX_FREE_BYTES = 256 * 2 ** 20;

/** Most bytes handed out and not yet returned by a callback; past it results are plain arrays until callbacks bring the count down. */
export const POOL_MAX_PENDING_BYTES = 256 * 2 ** 20;

/** Pooling stays on this long after the last callback; while off, a probe object's callback (after a collection and a turn of the event loop) turns it on. */
export const POOL_CALLBACK_WINDOW_MS = 5000;

const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
let pendingBytes = 0;
let maxFreeBytes = POOL_MAX_FREE_BYTES;
let lastCallback = Number.NEGATIVE_INFINITY;
let probing = false;
const registry = new FinalizationRegistry<ArrayBuffer | null>((buffer) => {
  lastCallback = performance.now();
  if (buffer === null) {
    probing = false;
    return;
  }
  pendingBytes -= buffer.byteLength;
  if (freeBytes + buffer.byteLength > maxFreeBytes) return; // let the collector have it
  let list = free.get(buffer.byteLength);
  if (!list) free.set(buffer.byteLength, (list = []));
  list.push(buffer);
  freeBytes += buffer.byteLength;
});

/** Whether a result of `bytes` should come from (and go back to) the pool. */
function pooling(bytes: number): boolean {
  if (bytes < POOL_MIN_BYTES) return false;
  if (performance.now() - lastCallback > POOL_CALLBACK_WINDOW_MS) {
    if (!probing) {
      probing = true;
      registry.register({}, null);
    }
    return false;
  }
  return pendingBytes + bytes <= POOL_MAX_PENDING_BYTES;
}

/** A free buffer of `bytes`, taken off its list, or undefined. */
function reuse(bytes: number): ArrayBuffer | undefined {
  const buffer = free.get(bytes)?.pop();
  if (buffer) freeBytes -= bytes;
  return buffer;
}

/** Hands `out` out from the pool: its buffer comes back when it is collected. */
function track(out: Float32Array): Float32Array {
  registry.register(out, out.buffer as ArrayBuffer);
  pendingBytes += out.byteLength;
  return out;
}

/** A copy of `src` (a view of wasm memory) in a recycled array when one of its size is free, else in a fresh one (which joins the pool once collected). */
export function pooledCopy(src: Float32Array): Float32Array {
  if (!pooling(src.byteLength)) return src.slice();
  const buffer = reuse(src.byteLength);
  if (!buffer) return track(src.slice()); // no zero-fill before the copy, unlike new Float32Array(n)
  const out = new Float32Array(buffer);
  out.set(src);
  return track(out);
}

/** A zeroed Float32Array of `length` floats, a recycled one when one of its size is free; null below POOL_MIN_BYTES (the caller allocates). */
export function pooledZeros(length: number): Float32Array | null {
  if (!pooling(length * 4)) return null;
  const buffer = reuse(length * 4);
  return track(buffer ? new Float32Array(buffer).fill(0) : new Float32Array(length));
}

/** Bytes waiting in the free lists, and bytes handed out whose callback has not run (tests and diagnostics). */
export function poolStats(): { freeBytes: number; pendingBytes: number } {
  return { freeBytes, pendingBytes };
}

/** Tests: a smaller cap on the free lists (POOL_MAX_FREE_BYTES restores it). */
export function setPoolMaxFreeBytesForTests(bytes: number): void {
  maxFreeBytes = bytes;
}
