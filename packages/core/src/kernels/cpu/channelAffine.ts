import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { type TypedArray, allocate, isFloating } from '../../dtype.js';
import { Tensor } from '../../tensor.js';

/**
 * Fused per-channel affine map y[n, c, …] = x[n, c, …]·w[c] + b[c] of an (N, C, *) tensor, for
 * groupNorm's affine where its wasm kernel does not run (float64, small inputs, no wasm): one
 * loop forward and one backward
 * (dx = g·w[c], dw[c] = Σ g·x, db[c] = Σ g, sums in float64), where the broadcast composite
 * makes two passes each way plus reductions over N and the spatial dims. Either of w, b may
 * be null. Null (the caller's composite runs) for non-float or mixed dtypes, under trace (which
 * records primitives) and anomaly detection. The caller checks the shapes (w, b of shape (C)).
 */
export function fusedChannelAffine(x: Tensor, w: Tensor | null, b: Tensor | null): Tensor | null {
  const dtype = x.dtype;
  if (!isFloating(dtype) || x.ndim < 2 || activeRecorder() !== null || isAnomalyEnabled()) return null;
  if ((w && w.dtype !== dtype) || (b && b.dtype !== dtype) || (!w && !b)) return null;
  const [N, C] = x.shape as [number, number];
  const inner = x.storage.length / Math.max(1, N * C); // positions per (image, channel)
  const xs = x.storage;
  const ws = w?.storage;
  const bs = b?.storage;
  const out = allocate(dtype, xs.length);
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const scale = ws ? ws[c]! : 1;
      const shift = bs ? bs[c]! : 0;
      for (const end = i + inner; i < end; i++) out[i] = xs[i]! * scale + shift;
    }
  }
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return withCustomGrad('channelAffine', inputs, new Tensor(out, x.shape, dtype), (g) => {
    const channelShape = [1, C, ...new Array<number>(x.ndim - 2).fill(1)];
    if (isGradEnabled() || activeRecorder() !== null || g.dtype !== dtype) {
      // a graph of the backward (createGraph): the same as tensor ops
      const wv = w?.reshape(channelShape);
      const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
      const grads: (Tensor | null)[] = [x.requiresGrad ? (wv ? g.mul(wv) : g) : null];
      if (w) grads.push(w.requiresGrad ? g.mul(x).sum(dims) : null);
      if (b) grads.push(b.requiresGrad ? g.sum(dims) : null);
      return grads;
    }
    const gs = g.storage;
    const dx: TypedArray | null = x.requiresGrad ? allocate(dtype, xs.length) : null;
    const dw = new Float64Array(C);
    const db = new Float64Array(C);
    for (let n = 0, i = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const scale = ws ? ws[c]! : 1;
        let sw = 0;
        let sb = 0;
        const end = i + inner;
        if (dx) for (let j = i; j < end; j++) dx[j] = gs[j]! * scale;
        if (w?.requiresGrad) for (let j = i; j < end; j++) sw += gs[j]! * xs[j]!;
        if (b?.requiresGrad) for (let j = i; j < end; j++) sb += gs[j]!;
        dw[c] += sw;
        db[c] += sb;
        i = end;
      }
    }
    const grads: (Tensor | null)[] = [dx ? new Tensor(dx, x.shape, dtype) : null];
    if (w) grads.push(w.requiresGrad ? new Tensor(fromFloat64(dw, dtype), [C], dtype) : null);
    if (b) grads.push(b.requiresGrad ? new Tensor(fromFloat64(db, dtype), [C], dtype) : null);
    return grads;
  });
}

/** A float64 array as storage of `dtype`. */
export function fromFloat64(a: Float64Array, dtype: Tensor['dtype']): TypedArray {
  const out = allocate(dtype, a.length);
  out.set(a);
  return out;
}

/** y[r, :] += s[r mod sMod] in place over the rows of `inner` values of y (a conv's bias: sMod = C). */
export function addRowScalarsInPlace(y: TypedArray, s: ArrayLike<number>, inner: number, sMod: number): TypedArray {
  const rows = inner > 0 ? y.length / inner : 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const shift = s[r % sMod]!;
    for (const end = i + inner; i < end; i++) y[i] += shift;
  }
  return y;
}
