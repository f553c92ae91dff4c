import * as o from '../../ops/index.js';
import type { GradRuleTable } from './types.js';

// Broadcasting ops sum their gradients back to each input's shape.
const st = o.sumToShape;

export const elementwiseRules: GradRuleTable = {
  Add: (g, { inputs: [a, b] }) => [st(g, a!.shape), st(g, b!.shape)],
  Sub: (g, { inputs: [a, b] }) => [st(g, a!.shape), st(o.neg(g), b!.shape)],
  Mul: (g, { inputs: [a, b] }) => [st(o.mul(g, b!), a!.shape), st(o.mul(g, a!), b!.shape)],
  Div: (g, { inputs: [a, b], output }) => [st(o.div(g, b!), a!.shape), st(o.neg(o.div(o.mul(g, output), b!)), b!.shape)],
  Neg: (g) => [o.neg(g)],
  Exp: (g, { output }) => [o.mul(g, output)],
  Log: (g, { inputs: [x] }) => [o.div(g, x!)],
  Sqrt: (g, { output }) => [o.div(g, o.mul(output, 2))],
  Tanh: (g, { output }) => [o.mul(g, o.sub(1, o.mul(output, output)))],
  Where: (g, { inputs: [c, a, b] }) => [null, st(o.where(c!, g, 0), a!.shape), st(o.where(c!, 0, g), b!.shape)],
  Cast: (g, { inputs: [x] }) => [o.cast(g, x!.dtype)],
};
