import * as o from '../../ops/index.js';
import { Tensor } from '../../tensor.js';
import { zeros } from '../../tensor.js';
import type { GradRuleTable } from './types.js';

/** Scatter-adds g back along `axis` at the given source positions (adjoint of a gather along that axis). */
function scatterBack(g: Tensor, axis: number, positions: number[], size: number): Tensor {
  const shape = [...g.shape];
  const idxShape = shape.map((d, i) => (i === axis ? d : 1));
  const idx = new Tensor(Int32Array.from(positions), idxShape, 'int32').expand(shape);
  const outShape = [...shape];
  outShape[axis] = size;
  return o.scatterAddPrimitive(zeros(outShape, { dtype: g.dtype }), axis, idx, g);
}

export const movementRules: GradRuleTable = {
  Reshape: (g, { inputs: [x] }) => [o.reshape(g, x!.shape)],
  Transpose: (g, { attrs }) => {
    const inv = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => (inv[p] = i));
    return [o.permute(g, inv)];
  },
  Expand: (g, { inputs: [x] }) => [o.sumToShape(g, x!.shape)],
  Concat: (g, { inputs, attrs }) => {
    let at = 0;
    return inputs.map((t) => {
      const n = t.shape[attrs.axis]!;
      const part = o.slice(g, attrs.axis, at, at + n);
      at += n;
      return part;
    });
  },
  // A unit-step slice is a crop: its adjoint pads the gradient with zeros (one copy). Otherwise
  // each sliced axis is a gather of positions start, start+step, …; its adjoint scatters them back.
  Slice: (g, { inputs: [x], attrs }) => {
    if (attrs.steps.every((s) => s === 1)) {
      const nd = g.ndim;
      const pads = new Array<number>(2 * nd).fill(0);
      attrs.axes.forEach((axis, i) => {
        pads[axis] = attrs.starts[i]!;
        pads[axis + nd] = x!.shape[axis]! - attrs.starts[i]! - g.shape[axis]!;
      });
      return [o.padPrimitive(g, pads)];
    }
    let out = g;
    attrs.axes.forEach((axis, i) => {
      const n = out.shape[axis]!;
      const pos = Array.from({ length: n }, (_, k) => attrs.starts[i]! + k * attrs.steps[i]!);
      out = scatterBack(out, axis, pos, x!.shape[axis]!);
    });
    return [out];
  },
  // Constant padding: the adjoint crops (a pad with the negated amounts).
  Pad: (g, { attrs }) => [o.padPrimitive(g, attrs.pads.map((p) => -p))],
  Gather: (g, { inputs: [x, idx], attrs }) => {
    const n = x!.shape[attrs.axis]!;
    const m = idx!.shape.reduce((a, b) => a * b, 1);
    // The positions are built with tensor ops from idx (not read out as numbers), so a traced
    // step keeps them a function of its index input instead of freezing the example's ids.
    const flat = o.reshape(idx!, [m]);
    const pos = o.where(o.lt(flat, 0), o.add(flat, n), flat); // wrap negative indices
    // g: (pre, idx.shape..., post) -> (pre, m, post)
    const pre = x!.shape.slice(0, attrs.axis);
    const post = x!.shape.slice(attrs.axis + 1);
    const g2 = o.reshape(g, [...pre, m, ...post]);
    const index = o.expand(o.reshape(pos, g2.shape.map((d, i) => (i === attrs.axis ? d : 1))), g2.shape);
    const outShape = [...g2.shape];
    outShape[attrs.axis] = n;
    return [o.scatterAddPrimitive(zeros(outShape, { dtype: g.dtype }), attrs.axis, index, g2), null];
  },
  GatherElements: (g, { inputs: [x, idx], attrs }) => [o.scatterAddPrimitive(zeros(x!.shape, { dtype: g.dtype }), attrs.axis, idx!, g), null],
  ScatterAdd: (g, { inputs: [, idx], attrs }) => [g, null, o.gatherPrimitive(g, attrs.axis, idx!)],
  // Tile: view g as (r0, d0, r1, d1, ...) and sum the repeat axes.
  Tile: (g, { inputs: [x], attrs }) => {
    const inter: number[] = [];
    x!.shape.forEach((d, i) => inter.push(attrs.repeats[i]!, d));
    const summed = o.sum(o.reshape(g, inter), x!.shape.map((_, i) => 2 * i), false);
    return [o.reshape(summed, x!.shape)];
  },
  Trilu: (g, { attrs }) => [attrs.upper ? o.triu(g, attrs.k) : o.tril(g, attrs.k)],
};
