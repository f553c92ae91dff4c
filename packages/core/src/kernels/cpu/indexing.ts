import { allocate } from '../../dtype.js';
import { registerKernel } from '../../registry.js';
import { type Shape, sizeOf, stridesOf } from '../../shape.js';
import { copyRun, forEachRun } from './broadcast.js';

/** outer × axisLen × inner split of a contiguous shape at `axis`. */
function split(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis] ?? 1, inner];
}

registerKernel('Concat', 'cpu', (inputs, { axis }) => {
  const first = inputs[0]!;
  const total = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
  const shape = [...first.shape];
  shape[axis] = total;
  const out = allocate(first.dtype, sizeOf(shape));
  const [outer, , inner] = split(shape, axis);
  let offset = 0;
  for (const t of inputs) {
    const n = t.shape[axis]! * inner;
    const src = t.storage;
    for (let o = 0; o < outer; o++) copyRun(out, o * total * inner + offset, src, o * n, n, 1);
    offset += n;
  }
  return { storage: out, shape, dtype: first.dtype };
});

registerKernel('Slice', 'cpu', ([x], { starts, ends, axes, steps }) => {
  const inSt = stridesOf(x!.shape);
  const shape = [...x!.shape];
  const walk = [...inSt];
  let base = 0;
  axes.forEach((a, i) => {
    const s = starts[i]!;
    const e = ends[i]!;
    const st = steps[i]!;
    shape[a] = st > 0 ? Math.max(0, Math.ceil((e - s) / st)) : Math.max(0, Math.ceil((s - e) / -st));
    walk[a] = inSt[a]! * st;
    base += s * inSt[a]!;
  });
  const X = x!.storage;
  const out = allocate(x!.dtype, sizeOf(shape));
  forEachRun(shape, [walk], (off, o0, n, stv) => copyRun(out, o0, X, base + off[0]!, n, stv[0]!));
  return { storage: out, shape, dtype: x!.dtype };
});

/** Constant padding (negative pads crop). Reflect/replicate padding is a composite of index selects. */
registerKernel('Pad', 'cpu', ([x], { pads, value }) => {
  const nd = x!.shape.length;
  const shape = x!.shape.map((d, i) => d + pads[i]! + pads[i + nd]!);
  const out = allocate(x!.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  const X = x!.storage;
  const inSt = stridesOf(x!.shape);
  const outSt = stridesOf(shape);
  // Copy the overlap of input and output, row by row over the last dim.
  const lo = x!.shape.map((_, i) => Math.max(0, -pads[i]!)); // first input index kept per dim
  const hi = x!.shape.map((d, i) => Math.min(d, shape[i]! - pads[i]!)); // one past the last
  const span = lo.map((l, i) => Math.max(0, hi[i]! - l));
  if (span.some((s) => s === 0)) return { storage: out, shape, dtype: x!.dtype };
  let ix0 = 0;
  let io0 = 0;
  for (let d = 0; d < nd; d++) {
    ix0 += lo[d]! * inSt[d]!;
    io0 += (lo[d]! + pads[d]!) * outSt[d]!;
  }
  // Runs follow the merged dims of `span`, whose inner strides need not be 1 (trailing size-1 dims).
  forEachRun(span, [inSt, outSt], (off, _o0, n, st) => {
    const ix = ix0 + off[0]!;
    const io = io0 + off[1]!;
    const si = st[0]!;
    const so = st[1]!;
    if (si === 1 && so === 1) for (let j = 0; j < n; j++) out[io + j] = X[ix + j]!;
    else for (let j = 0; j < n; j++) out[io + j * so] = X[ix + j * si]!;
  });
  return { storage: out, shape, dtype: x!.dtype };
});

registerKernel('Gather', 'cpu', ([x, idx], { axis }) => {
  const [outer, n, inner] = split(x!.shape, axis);
  const I = idx!.storage;
  const m = I.length;
  const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
  const out = allocate(x!.dtype, outer * m * inner);
  const X = x!.storage;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < m; k++) {
      let j = I[k]!;
      if (j < 0) j += n;
      const src = (o * n + j) * inner;
      const dst = (o * m + k) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = X[src + i]!;
    }
  }
  return { storage: out, shape, dtype: x!.dtype };
});

/** Visits every element of `idx` with the flat offset in `data` it addresses along `axis`. */
function forEachElement(dataShape: Shape, idxShape: Shape, axis: number, I: ArrayLike<number>, visit: (dataOff: number, k: number) => void): void {
  const dSt = stridesOf(dataShape);
  const nd = idxShape.length;
  const pos = new Array<number>(nd).fill(0);
  const n = dataShape[axis]!;
  for (let k = 0; k < I.length; k++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += (d === axis ? 0 : pos[d]!) * dSt[d]!;
    let j = I[k]!;
    if (j < 0) j += n;
    visit(off + j * dSt[axis]!, k);
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d]! < idxShape[d]!) break;
      pos[d] = 0;
    }
  }
}

registerKernel('GatherElements', 'cpu', ([x, idx], { axis }) => {
  const X = x!.storage;
  const out = allocate(x!.dtype, idx!.storage.length);
  forEachElement(x!.shape, idx!.shape, axis, idx!.storage, (off, k) => {
    out[k] = X[off]!;
  });
  return { storage: out, shape: idx!.shape, dtype: x!.dtype };
});

registerKernel('ScatterAdd', 'cpu', ([x, idx, upd], { axis }) => {
  const out = x!.storage.slice();
  const U = upd!.storage;
  forEachElement(x!.shape, idx!.shape, axis, idx!.storage, (off, k) => {
    out[off]! += U[k]!;
  });
  return { storage: out, shape: x!.shape, dtype: x!.dtype };
});

registerKernel('Tile', 'cpu', ([x], { repeats }) => {
  const shape = x!.shape.map((d, i) => d * repeats[i]!);
  const inSt = stridesOf(x!.shape);
  const X = x!.storage;
  const out = allocate(x!.dtype, sizeOf(shape));
  const nd = shape.length;
  const pos = new Array<number>(nd).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += (pos[d]! % x!.shape[d]!) * inSt[d]!;
    out[k] = X[off]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d]! < shape[d]!) break;
      pos[d] = 0;
    }
  }
  return { storage: out, shape, dtype: x!.dtype };
});

registerKernel('Trilu', 'cpu', ([x], { upper, k }) => {
  const nd = x!.shape.length;
  const rows = x!.shape[nd - 2]!;
  const cols = x!.shape[nd - 1]!;
  const X = x!.storage;
  const out = allocate(x!.dtype, X.length);
  const mats = rows * cols === 0 ? 0 : X.length / (rows * cols);
  for (let b = 0; b < mats; b++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j - i >= k : j - i <= k;
        const p = b * rows * cols + i * cols + j;
        out[p] = keep ? X[p]! : 0;
      }
    }
  }
  return { storage: out, shape: x!.shape, dtype: x!.dtype };
});
