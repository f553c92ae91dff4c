import * as o from '../../ops/index.js';
import { reducedShape } from '../../kernels/cpu/reduce.js';
import type { Tensor } from '../../tensor.js';
import type { GradRuleTable } from './types.js';

/** The output gradient broadcast back over the reduced dims: (keepdims shape) -> input shape. */
const spread = (g: Tensor, x: Tensor, axes: number[]) => o.expand(o.reshape(g, reducedShape(x.shape, axes, true)), x.shape);

/** amax/amin: the gradient is shared evenly by the elements that attain the extreme (torch.amax). */
function extremeRule(g: Tensor, x: Tensor, out: Tensor, axes: number[]): Tensor[] {
  const hit = x.eq(spread(out, x, axes)).to(g.dtype);
  const count = o.sum(hit, axes, true);
  return [o.mul(spread(g, x, axes), o.div(hit, o.expand(count, x.shape)))];
}

export const reduceRules: GradRuleTable = {
  ReduceSum: (g, { inputs: [x], attrs }) => [spread(g, x!, attrs.axes)],
  ReduceMax: (g, { inputs: [x], output, attrs }) => extremeRule(g, x!, output, attrs.axes),
  ReduceMin: (g, { inputs: [x], output, attrs }) => extremeRule(g, x!, output, attrs.axes),
  // d prod / d x_i = prod / x_i (inputs containing exact zeros get 0 there: a documented limitation)
  ReduceProd: (g, { inputs: [x], output, attrs }) => {
    const p = spread(output, x!, attrs.axes);
    const safe = o.where(x!.eq(0), 1, x!);
    return [o.where(x!.eq(0), 0, o.mul(spread(g, x!, attrs.axes), o.div(p, safe)))];
  },
  // the adjoint of a cumulative sum is a reverse cumulative sum
  CumSum: (g, { attrs }) => [o.cumsumPrimitive(g, attrs.axis, attrs.exclusive, !attrs.reverse)],
};
