import { runPrimitive } from '../../dispatch.js';
import { convTransposeOutSize } from '../../kernels/cpu/conv.js';
import { convWeightGradDirect } from '../../kernels/wasm/conv.js';
import * as o from '../../ops/index.js';
import type { PrimitiveAttrs } from '../../primitives.js';
import type { Tensor } from '../../tensor.js';
import type { GradRuleTable } from './types.js';

type ConvAttrs = PrimitiveAttrs['Conv'];

/**
 * Gradient of a conv's weight, as another conv: with the batch as the contracted channel
 * axis, conv(input (Cg, G·N, *S), gradOut (O, N, *So)) with stride and dilation swapped gives
 * (Cg, O, *K'), K' >= K; extra kernel positions (when the input had rows no window used) are
 * cropped from the input first. Returns (O, Cg, *K) in Conv weight layout.
 */
function convWeightGrad(input: Tensor, gout: Tensor, K: readonly number[], a: ConvAttrs): Tensor {
  const nsp = K.length;
  const G = a.group;
  const [N, C] = input.shape as [number, number];
  const Cg = C / G;
  const So = gout.shape.slice(2);
  let x = input;
  const pads = [...a.pads];
  for (let i = 0; i < nsp; i++) {
    // Input extent the windows actually cover, past which rows only add kernel taps beyond K.
    const need = (So[i]! - 1) * a.strides[i]! + a.dilations[i]! * (K[i]! - 1) + 1;
    let extra = x.shape[2 + i]! + pads[i]! + pads[nsp + i]! - need;
    const fromPad = Math.min(extra, pads[nsp + i]!);
    pads[nsp + i]! -= fromPad;
    extra -= fromPad;
    if (extra > 0) x = o.narrow(x, 2 + i, 0, x.shape[2 + i]! - extra);
  }
  const S = x.shape.slice(2);
  const xt = o.reshape(o.permute(o.reshape(x, [N, G, Cg, ...S]), [2, 1, 0, ...S.map((_, i) => 3 + i)]), [Cg, G * N, ...S]); // (Cg, G·N, *S)
  const gt = o.transpose(gout, 0, 1); // (O, N, *So)
  const r = runPrimitive('Conv', [xt, gt], { strides: a.dilations, pads, dilations: a.strides, group: G }); // (Cg, O, *K)
  return o.transpose(r, 0, 1);
}

export const neuralRules: GradRuleTable = {
  // Input grad: the transposed conv with the same weight (outputPadding restores the rows the
  // floor in the output size dropped). Weight grad: convWeightGrad.
  Conv: (g, { inputs: [x, w], attrs }) => {
    const nsp = x!.ndim - 2;
    const K = w!.shape.slice(2);
    let gx: Tensor | null = null;
    if (x!.requiresGrad) {
      const outputPadding = K.map(
        (k, i) =>
          x!.shape[2 + i]! - convTransposeOutSize(g.shape[2 + i]!, k, attrs.strides[i]!, attrs.pads[i]!, attrs.pads[nsp + i]!, attrs.dilations[i]!, 0),
      );
      gx = runPrimitive('ConvTranspose', [g, w!], { ...attrs, outputPadding });
    }
    return [gx, w!.requiresGrad ? (convWeightGradDirect(x!, g, K, attrs) ?? convWeightGrad(x!, g, K, attrs)) : null];
  },

  // ConvTranspose is the adjoint of Conv in its input: grads swap roles.
  ConvTranspose: (g, { inputs: [x, w], attrs }) => {
    const { outputPadding: _op, ...conv } = attrs;
    const gx = x!.requiresGrad ? runPrimitive('Conv', [g, w!], conv) : null;
    const K = w!.shape.slice(2);
    return [gx, w!.requiresGrad ? (convWeightGradDirect(g, x!, K, conv) ?? convWeightGrad(g, x!, K, conv)) : null];
  },

  // Routes each output gradient to the input element that was the max.
  MaxPool: (g, { inputs: [x], attrs }) => {
    const idx = runPrimitive('MaxPoolIndices', [x!], attrs);
    const flat = runPrimitive('ScatterAdd', [o.zeros([x!.size], { dtype: g.dtype }), o.reshape(idx, [-1]), o.reshape(g, [-1])], { axis: 0 });
    return [o.reshape(flat, x!.shape)];
  },
};
