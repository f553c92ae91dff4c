import * as o from '../../ops/index.js';
import type { GradRuleTable } from './types.js';

export const movementRules: GradRuleTable = {
  Reshape: (g, { inputs: [x] }) => [o.reshape(g, x!.shape)],
  Transpose: (g, { attrs }) => {
    const inv = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => (inv[p] = i));
    return [o.permute(g, inv)];
  },
  Expand: (g, { inputs: [x] }) => [o.sumToShape(g, x!.shape)],
};
