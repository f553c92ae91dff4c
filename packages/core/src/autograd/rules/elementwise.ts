import * as o from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
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
  Abs: (g, { inputs: [x] }) => [o.mul(g, o.sign(x!))],
  Reciprocal: (g, { output }) => [o.neg(o.mul(g, o.mul(output, output)))],
  Sin: (g, { inputs: [x] }) => [o.mul(g, o.cos(x!))],
  Cos: (g, { inputs: [x] }) => [o.neg(o.mul(g, o.sin(x!)))],
  Erf: (g, { inputs: [x] }) => [o.mul(g, o.mul(o.exp(o.neg(o.mul(x!, x!))), 2 / Math.sqrt(Math.PI)))],
  // a^b: d/da = b·a^(b−1); d/db = a^b·log a, taken as 0 where a <= 0 (as torch, where it would be NaN/−inf)
  Pow: (g, { inputs: [a, b], output }) => [
    st(o.mul(g, o.mul(b!, o.pow(a!, o.sub(b!, 1)))), a!.shape),
    st(o.mul(g, o.where(a!.gt(0), o.mul(output, o.log(o.where(a!.gt(0), a!, 1))), 0)), b!.shape),
  ],
  // torch.maximum/minimum: the gradient goes to the larger/smaller input, split evenly on ties
  Max: (g, { inputs: [a, b] }) => splitTies(g, a!, b!, a!.gt(b!)),
  Min: (g, { inputs: [a, b] }) => splitTies(g, a!, b!, a!.lt(b!)),
  // fmod(a, b) = a − trunc(a/b)·b
  Mod: (g, { inputs: [a, b] }) => {
    const q = o.div(a!, b!);
    const trunc = o.where(q.ge(0), o.floor(q), o.ceil(q));
    return [st(g, a!.shape), st(o.neg(o.mul(g, trunc)), b!.shape)];
  },
};

function splitTies(g: Tensor, a: Tensor, b: Tensor, aWins: Tensor): (Tensor | null)[] {
  const tie = a.eq(b);
  const wa = o.where(tie, 0.5, o.where(aWins, 1, 0)).to(g.dtype);
  const wb = o.sub(1, wa);
  return [st(o.mul(g, wa), a.shape), st(o.mul(g, wb), b.shape)];
}
