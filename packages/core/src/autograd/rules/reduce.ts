import * as o from '../../ops/index.js';
import { reducedShape } from '../../kernels/cpu/reduce.js';
import type { GradRuleTable } from './types.js';

export const reduceRules: GradRuleTable = {
  ReduceSum: (g, { inputs: [x], attrs }) => [o.expand(o.reshape(g, reducedShape(x!.shape, attrs.axes, true)), x!.shape)],
};
