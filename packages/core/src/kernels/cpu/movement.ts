import { allocate } from '../../dtype.js';
import { registerKernel } from '../../registry.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { broadcastStrides, collapseDims, copyRun, forEachRun } from './broadcast.js';

// Storage is immutable, so a reshape shares it.
registerKernel('Reshape', 'cpu', ([x], { shape }) => ({ storage: x!.storage, shape, dtype: x!.dtype }));

registerKernel('Transpose', 'cpu', ([x], { perm }) => {
  const inSt = stridesOf(x!.shape);
  const shape = perm.map((p) => x!.shape[p]!);
  const X = x!.storage;
  const out = allocate(x!.dtype, X.length);
  // Walk the output in order; the input stride of output dim d is the input's stride of perm[d].
  forEachRun(shape, [perm.map((p) => inSt[p]!)], (off, o0, n, st) => copyRun(out, o0, X, off[0]!, n, st[0]!));
  return { storage: out, shape, dtype: x!.dtype };
});

/**
 * Expand by blocks: the output's trailing dims are written once per input block and then
 * copied along each broadcast dim (copyWithin), innermost two dims as plain loops. An upsample's
 * [.., H, 2, W, 2] expand runs as H rows written and copied, not one callback per pair.
 */
registerKernel('Expand', 'cpu', ([x], { shape }) => {
  const X = x!.storage;
  const out = allocate(x!.dtype, sizeOf(shape));
  if (out.length === 0) return { storage: out, shape, dtype: x!.dtype };
  const c = collapseDims(shape, [broadcastStrides(x!.shape, shape)]);
  const dims = c.shape.length ? c.shape : [1];
  const st = c.strides[0]!.length ? c.strides[0]! : [0];
  const nd = dims.length;
  const block = stridesOf(dims); // output elements per step of each dim
  const fill = (d: number, o: number, ix: number): void => {
    const n = dims[d]!;
    const s = st[d]!;
    if (d === nd - 1) {
      copyRun(out, o, X, ix, n, s);
      return;
    }
    const b = block[d]!;
    if (d === nd - 2) {
      // rows of the last dim, each a copy or one value repeated
      const m = dims[nd - 1]!;
      const sm = st[nd - 1]!;
      if (sm === 0 && s !== 0) {
        // each value repeated m times (a nearest upsample's inner dim): no call per value
        for (let i = 0, oo = o; i < n; i++, oo += b) {
          const v = X[ix + i * s]!;
          for (let r = 0; r < m; r++) out[oo + r] = v;
        }
        return;
      }
      for (let i = 0; i < n; i++) {
        if (s === 0 && i > 0) out.copyWithin(o + i * b, o, o + b);
        else copyRun(out, o + i * b, X, ix + i * s, m, sm);
      }
      return;
    }
    if (s === 0) {
      fill(d + 1, o, ix);
      for (let i = 1; i < n; i++) out.copyWithin(o + i * b, o, o + b);
    } else for (let i = 0; i < n; i++) fill(d + 1, o + i * b, ix + i * s);
  };
  fill(0, 0, 0);
  return { storage: out, shape, dtype: x!.dtype };
});
