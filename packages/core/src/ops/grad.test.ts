// Every differentiable elementwise, reduction and shape op against float64 central differences.
import { gradcheck } from '@likelihood/test-utils';
import { describe, it } from 'vitest';
import * as c from '../index.js';
import { Generator, type Tensor } from '../index.js';

const g = new Generator(123);
const rn = (...shape: number[]) => c.randn(shape, { dtype: 'float64', generator: g });
const pos = (...shape: number[]) => c.rand(shape, { dtype: 'float64', generator: g }).mul(2).add(0.2);
const idx = (v: number[], shape = [v.length]) => c.tensor(v, { dtype: 'int32' }).reshape(shape);
// Away from kinks (|x| > 0.05) for abs/relu/clamp-like ops, so finite differences are valid.
const awayFromZero = (...shape: number[]) => {
  const x = rn(...shape);
  return c.where(x.abs().lt(0.05), x.sign().add(x.eq(0)).mul(0.1), x);
};

type Case = [name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]];

const unary: Case[] = [
  ['exp', (x) => c.exp(x), () => [rn(3, 4)]],
  ['log', (x) => c.log(x), () => [pos(3, 4)]],
  ['sqrt', (x) => c.sqrt(x), () => [pos(3, 4)]],
  ['rsqrt', (x) => c.rsqrt(x), () => [pos(3, 4)]],
  ['reciprocal', (x) => c.reciprocal(x), () => [pos(3, 4)]],
  ['sin', (x) => c.sin(x), () => [rn(3, 4)]],
  ['cos', (x) => c.cos(x), () => [rn(3, 4)]],
  ['tanh', (x) => c.tanh(x), () => [rn(3, 4)]],
  ['abs', (x) => c.abs(x), () => [awayFromZero(3, 4)]],
  ['square', (x) => c.square(x), () => [rn(3, 4)]],
  ['log1p', (x) => c.log1p(x), () => [pos(3, 4)]],
  ['expm1', (x) => c.expm1(x), () => [rn(3, 4)]],
  ['sigmoid', (x) => c.sigmoid(x), () => [rn(3, 4)]],
  ['logSigmoid', (x) => c.logSigmoid(x), () => [rn(3, 4).mul(3)]],
  ['softplus', (x) => c.softplus(x, 1.5, 3), () => [rn(3, 4).mul(2)]],
  ['relu', (x) => c.relu(x), () => [awayFromZero(3, 4)]],
  ['leakyRelu', (x) => c.leakyRelu(x, 0.1), () => [awayFromZero(3, 4)]],
  ['elu', (x) => c.elu(x, 1.3), () => [awayFromZero(3, 4)]],
  ['gelu', (x) => c.gelu(x), () => [rn(3, 4)]],
  ['gelu tanh', (x) => c.gelu(x, 'tanh'), () => [rn(3, 4)]],
  ['silu', (x) => c.silu(x), () => [rn(3, 4)]],
  ['erf', (x) => c.erf(x), () => [rn(3, 4)]],
  ['erfinv', (x) => c.erfinv(x), () => [c.rand([3, 4], { dtype: 'float64', generator: g }).mul(1.6).sub(0.8)]],
  ['lgamma', (x) => c.lgamma(x), () => [pos(3, 4)]],
  ['digamma', (x) => c.digamma(x), () => [pos(3, 4)]],
  ['clamp', (x) => c.clamp(x, -0.5, 0.5), () => [awayFromZero(3, 4).mul(0.9).add(c.tensor(0.02, { dtype: 'float64' }))]],
];

const binary: Case[] = [
  ['add (broadcast)', (a, b) => c.add(a, b), () => [rn(2, 1, 4), rn(3, 1)]],
  ['sub (broadcast)', (a, b) => c.sub(a, b), () => [rn(2, 3, 4), rn(4)]],
  ['mul (broadcast)', (a, b) => c.mul(a, b), () => [rn(2, 1, 4), rn(3, 1)]],
  ['div (broadcast)', (a, b) => c.div(a, b), () => [rn(2, 3), pos(3)]],
  ['pow', (a, b) => c.pow(a, b), () => [pos(3, 4), rn(3, 4)]],
  ['maximum', (a, b) => c.maximum(a, b), () => [rn(3, 4), rn(3, 4)]],
  ['minimum', (a, b) => c.minimum(a, b), () => [rn(3, 4), rn(1, 4)]],
  ['logaddexp', (a, b) => c.logaddexp(a, b), () => [rn(3, 4), rn(3, 4)]],
  ['where', (a, b) => c.where(a.gt(0), a, b), () => [awayFromZero(3, 4), rn(4)]],
  ['matmul (batched, broadcast)', (a, b) => c.matmul(a, b), () => [rn(2, 3, 4), rn(4, 5)]],
  ['matmul (vector)', (a, b) => c.matmul(a, b), () => [rn(4), rn(2, 4, 3)]],
];

const reductions: Case[] = [
  ['sum dims', (x) => c.sum(x, [0, 2], true), () => [rn(2, 3, 4)]],
  ['mean', (x) => c.mean(x, 1), () => [rn(2, 3, 4)]],
  ['prod', (x) => c.prod(x, 1), () => [awayFromZero(2, 3, 4)]],
  ['amax', (x) => c.amax(x, -1), () => [rn(2, 3, 4)]],
  ['amin', (x) => c.amin(x, [0, 1]), () => [rn(2, 3, 4)]],
  ['max values', (x) => c.max(x, 1).values, () => [rn(2, 3, 4)]],
  ['var', (x) => c.variance(x, 1), () => [rn(2, 3, 4)]],
  ['std', (x) => c.std(x, [0, 2], { correction: 0 }), () => [rn(2, 3, 4)]],
  ['logsumexp', (x) => c.logsumexp(x, -1), () => [rn(2, 3, 4)]],
  ['softmax', (x) => c.softmax(x, 1), () => [rn(2, 3, 4)]],
  ['logSoftmax', (x) => c.logSoftmax(x, -1), () => [rn(2, 3, 4)]],
  ['cumsum', (x) => c.cumsum(x, 1), () => [rn(2, 3, 4)]],
];

const shape: Case[] = [
  ['reshape', (x) => x.reshape([4, -1]), () => [rn(2, 3, 4)]],
  ['permute', (x) => x.permute([2, 0, 1]), () => [rn(2, 3, 4)]],
  ['expand', (x) => x.expand([2, 3, 4]), () => [rn(3, 1)]],
  ['cat', (a, b) => c.cat([a, b], 1), () => [rn(2, 3, 4), rn(2, 1, 4)]],
  ['stack', (a, b) => c.stack([a, b], 0), () => [rn(3, 4), rn(3, 4)]],
  ['slice step 2', (x) => c.slice(x, 2, 1, undefined, 2), () => [rn(2, 3, 5)]],
  ['narrow', (x) => c.narrow(x, 1, 1, 2), () => [rn(2, 3, 4)]],
  ['flip', (x) => c.flip(x, [0, 2]), () => [rn(2, 3, 4)]],
  ['roll', (x) => c.roll(x, [1, -2], [1, 2]), () => [rn(2, 3, 4)]],
  ['pad constant', (x) => c.pad(x, [1, 2, 0, 1]), () => [rn(2, 3, 4)]],
  ['pad reflect', (x) => c.pad(x, [2, 1], 'reflect'), () => [rn(2, 3, 4)]],
  ['pad replicate', (x) => c.pad(x, [1, 2], 'replicate'), () => [rn(2, 3, 4)]],
  ['tril', (x) => c.tril(x, -1), () => [rn(2, 3, 4)]],
  ['triu', (x) => c.triu(x, 1), () => [rn(2, 3, 4)]],
  ['repeat', (x) => c.repeat(x, [2, 1, 3]), () => [rn(3, 2)]],
  ['indexSelect', (x) => c.indexSelect(x, 1, idx([2, 0, 2])), () => [rn(2, 3, 4)]],
  ['gather', (x) => c.gather(x, 2, idx([0, 3, 3, 1, 2, 2], [1, 3, 2])), () => [rn(2, 3, 4)]],
  ['scatterAdd', (x, s) => c.scatterAdd(x, 1, idx([0, 2, 2, 1, 0, 0, 1, 2], [2, 1, 4]), s), () => [rn(2, 3, 4), rn(2, 1, 4)]],
  ['split', (x) => c.split(x, [1, 2], 1)[1]!, () => [rn(2, 3, 4)]],
];

describe.each([
  ['unary', unary],
  ['binary', binary],
  ['reductions', reductions],
  ['shape', shape],
] as const)('gradients of %s ops match finite differences', (_, list) => {
  it.each(list.map((c) => [c[0], c] as const))('%s', (_name, [, fn, inputs]) => {
    gradcheck(fn, inputs(), { rtol: 1e-6, atol: 1e-7 });
  });
});
