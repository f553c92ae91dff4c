import * as o from '../../ops/index.js';
import type { GradRuleTable } from './types.js';

export const linalgRules: GradRuleTable = {
  // C = A·B  =>  dA = dC·Bᵀ, dB = Aᵀ·dC, then undo batch broadcasting.
  MatMul: (g, { inputs: [a, b] }) => [
    o.sumToShape(o.matmul(g, o.transpose(b!, -1, -2)), a!.shape),
    o.sumToShape(o.matmul(o.transpose(a!, -1, -2), g), b!.shape),
  ],
};
