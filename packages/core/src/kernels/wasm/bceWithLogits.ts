import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { type FloatDType, type TypedArray, allocate, isFloating } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import { fromFloat64 } from '../cpu/channelAffine.js';
import { rowSumsF64 } from '../cpu/reduce.js';
import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many float32 elements the JS loop is as fast as copying into wasm memory. */
export const BCE_WASM_MIN_ELEMENTS = 1024;

/**
 * The float32 kernel in wasm (split over threads): the loss (or, with rowLength, its sums over
 * consecutive rows of that length, read from linear memory without copying the loss out) and
 * σ(l); null when wasm cannot run.
 */
function bceLogitsWasm(l: Float32Array, x: Float32Array, keepSigma: boolean, rowLength = 0): { out: Float32Array; sigma: Float32Array | null } | null {
  const n = l.length;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pl = arena.input(l);
  const px = arena.input(x);
  const po = rowLength > 0 ? arena.alloc(n * 4) : arena.output(n); // the row sums read the loss in place
  const ps = keepSigma ? arena.output(n) : arena.alloc(n * 4);
  if (!arena.commit()) return null;
  runParallel(k, { fn: 'bceLogits', args: () => [pl, px, po, ps, 0, 0], lo: 4, hi: 5, total: n, chunk: splitChunk(n, 4, threads) }, threads);
  const out = rowLength > 0 ? (rowSums(arena.f32(po, n), rowLength, 'float32') as Float32Array) : arena.take(po, n);
  return { out, sigma: keepSigma ? arena.take(ps, n) : null };
}

/** Sums of consecutive rows of `rowLength` values (float64 accumulation). */
function rowSums(a: ArrayLike<number>, rowLength: number, dtype: FloatDType): TypedArray {
  return fromFloat64(rowSumsF64(a, a.length / rowLength, rowLength), dtype);
}

/** The loss (and σ(l) when kept) in one JS loop with float64 arithmetic (float64 tensors, small or no-wasm float32). */
function bceLogitsLoop(l: TypedArray, x: TypedArray, dtype: FloatDType, keepSigma: boolean, rowLength = 0): { out: TypedArray; sigma: TypedArray | null } {
  const n = l.length;
  const out = allocate(dtype, rowLength > 0 ? n / rowLength : n);
  const sigma = keepSigma ? allocate(dtype, n) : null;
  let rowSum = 0;
  for (let i = 0; i < n; i++) {
    const v = l[i]!;
    const e = Math.exp(-Math.abs(v));
    const loss = Math.max(v, 0) - x[i]! * v + Math.log1p(e);
    if (rowLength > 0) {
      rowSum += loss;
      if ((i + 1) % rowLength === 0) {
        out[(i + 1) / rowLength - 1] = rowSum;
        rowSum = 0;
      }
    } else out[i] = loss;
    if (sigma) {
      const r = 1 / (1 + e);
      sigma[i] = v >= 0 ? r : e * r;
    }
  }
  return { out, sigma };
}

/**
 * Fused binary cross-entropy with logits for ops/nn.ts, elementwise:
 * max(l, 0) − x·l + log1p(e^{−|l|}), the Bernoulli NLL of x under logits l, or with `sumLastDim`
 * its sums over the last dim (…, D) → (…), which never materialises the elementwise loss. One
 * pass forward (a wasm SIMD kernel for large float32 tensors, else a JS loop in float64
 * arithmetic) that also keeps σ(l) = 1/(1 + e^{−|l|}) (or e^{−|l|}/(1 + e^{−|l|}) for l < 0), so
 * the backward, g·(σ(l) − x), is one more loop with no exp (g of a row applied to all its D
 * values when summed). The composite it replaces makes ten passes each way. Null (the composite
 * runs) for non-float or mixed dtypes, under trace (which records primitives) and under anomaly
 * detection. Same-shape inputs (the caller checks).
 */
export function fusedBceWithLogits(logits: Tensor, target: Tensor, sumLastDim = false): Tensor | null {
  if (!isFloating(logits.dtype) || target.dtype !== logits.dtype || activeRecorder() !== null || isAnomalyEnabled()) return null;
  if (sumLastDim && logits.ndim === 0) return null;
  const x = target.storage;
  const n = x.length;
  const D = sumLastDim ? logits.shape[logits.ndim - 1]! : 0;
  if (sumLastDim && D === 0) return null;
  const keepSigma = isGradEnabled() && (logits.requiresGrad || target.requiresGrad); // a backward may follow
  const wasm =
    logits.dtype === 'float32' && useWasm(n, BCE_WASM_MIN_ELEMENTS)
      ? bceLogitsWasm(logits.storage as Float32Array, x as Float32Array, keepSigma, D)
      : null;
  const { out, sigma } = wasm ?? bceLogitsLoop(logits.storage, x, logits.dtype, keepSigma, D);
  const result = new Tensor(out, sumLastDim ? logits.shape.slice(0, -1) : logits.shape, logits.dtype);
  return withCustomGrad('binaryCrossEntropyWithLogits', [logits, target], result, (g) => {
    const gFull = () => (sumLastDim ? g.unsqueeze(-1).expand([...logits.shape]) : g); // g per element
    const dTarget = target.requiresGrad ? gFull().mul(logits).neg() : null; // ∂/∂x = −l
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === logits.dtype) {
      const gs = g.storage;
      const dl = allocate(logits.dtype, n);
      if (sumLastDim) {
        for (let r = 0, i = 0; i < n; r++) {
          const gr = gs[r]!;
          for (const end = i + D; i < end; i++) dl[i] = gr * (sigma![i]! - x[i]!);
        }
      } else for (let i = 0; i < n; i++) dl[i] = gs[i]! * (sigma![i]! - x[i]!);
      return [new Tensor(dl, logits.shape, logits.dtype), dTarget];
    }
    // a graph of the backward (createGraph): σ(l) − x as tensor ops
    const s = logits.neg().exp().add(1).reciprocal();
    return [gFull().mul(s.sub(target)), dTarget];
  });
}
