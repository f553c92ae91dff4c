import { allocate } from '../../dtype.js';
import type { PrimitiveAttrs } from '../../primitives.js';
import { registerKernel } from '../../registry.js';
import type { TensorData } from '../../registry.js';
import { convOutSize } from './conv.js';

/**
 * MaxPool over 1-3 spatial dims (padding counts as -inf). Computes both outputs of ONNX
 * MaxPool: the values and the flat index (over the whole input) of each max. Same scan as
 * torch: the first max wins, a NaN always wins (so NaN propagates).
 */
function maxPool(x: TensorData, a: PrimitiveAttrs['MaxPool']): { values: TensorData; indices: TensorData } {
  const nsp = x.shape.length - 2;
  const [N, C] = x.shape as [number, number];
  const Sx = x.shape.slice(2);
  const Ox = Sx.map((s, i) => convOutSize(s, a.kernelShape[i]!, a.strides[i]!, a.pads[i]!, a.pads[i + nsp]!, a.dilations[i]!));
  const pad3 = (v: readonly number[], f: number) => [...new Array<number>(3 - v.length).fill(f), ...v] as [number, number, number];
  const [Sd, Sh, Sw] = pad3(Sx, 1);
  const [Od, Oh, Ow] = pad3(Ox, 1);
  const [Kd, Kh, Kw] = pad3(a.kernelShape, 1);
  const [sd, sh, sw] = pad3(a.strides, 1);
  const [pd, ph, pw] = pad3(a.pads.slice(0, nsp), 0);
  const [dd, dh, dw] = pad3(a.dilations, 1);
  const X = x.storage;
  const Svol = Sd * Sh * Sw;
  const Ovol = Od * Oh * Ow;
  const vals = allocate(x.dtype, N * C * Ovol);
  const idx = new Int32Array(N * C * Ovol);
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * Svol;
    for (let od = 0; od < Od; od++) {
      for (let oh = 0; oh < Oh; oh++) {
        for (let ow = 0; ow < Ow; ow++, o++) {
          let best = -Infinity;
          let bi = -1;
          for (let kd = 0; kd < Kd; kd++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= Sd) continue;
            for (let kh = 0; kh < Kh; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= Sh) continue;
              for (let kw = 0; kw < Kw; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= Sw) continue;
                const j = base + (id * Sh + ih) * Sw + iw;
                const v = X[j]!;
                if (bi < 0 || v > best || Number.isNaN(v)) {
                  best = v;
                  bi = j;
                }
              }
            }
          }
          vals[o] = best;
          idx[o] = bi;
        }
      }
    }
  }
  const shape = [N, C, ...Ox];
  return { values: { storage: vals, shape, dtype: x.dtype }, indices: { storage: idx, shape, dtype: 'int32' } };
}

registerKernel('MaxPool', 'cpu', ([x], attrs) => maxPool(x!, attrs).values);
registerKernel('MaxPoolIndices', 'cpu', ([x], attrs) => maxPool(x!, attrs).indices);
