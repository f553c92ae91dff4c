import { allocate } from '../../dtype.js';
import { registerKernel } from '../../registry.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { broadcastStrides, forEachRun } from './broadcast.js';

// Storage is immutable, so a reshape shares it.
registerKernel('Reshape', 'cpu', ([x], { shape }) => ({ storage: x!.storage, shape, dtype: x!.dtype }));

registerKernel('Transpose', 'cpu', ([x], { perm }) => {
  const inSt = stridesOf(x!.shape);
  const shape = perm.map((p) => x!.shape[p]!);
  const X = x!.storage;
  const out = allocate(x!.dtype, X.length);
  // Walk the output in order; the input stride of output dim d is the input's stride of perm[d].
  forEachRun(shape, [perm.map((p) => inSt[p]!)], (off, o0, n, st) => {
    let ix = off[0]!;
    const s = st[0]!;
    for (let j = 0; j < n; j++, ix += s) out[o0 + j] = X[ix]!;
  });
  return { storage: out, shape, dtype: x!.dtype };
});

registerKernel('Expand', 'cpu', ([x], { shape }) => {
  const X = x!.storage;
  const out = allocate(x!.dtype, sizeOf(shape));
  forEachRun(shape, [broadcastStrides(x!.shape, shape)], (off, o0, n, st) => {
    let ix = off[0]!;
    const s = st[0]!;
    for (let j = 0; j < n; j++, ix += s) out[o0 + j] = X[ix]!;
  });
  return { storage: out, shape, dtype: x!.dtype };
});
