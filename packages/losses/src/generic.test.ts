// Each named loss is the NLL of one distribution: check it against negativeLogLikelihood.
import { Generator, rand, randint, randn, softmax, tensor, sigmoid, exp } from '@likelihood/core';
import { Bernoulli, Categorical, Laplace, Normal, Poisson } from '@likelihood/distributions';
import { expectClose } from '@likelihood/test-utils';
import { describe, it } from 'vitest';
import { bce, bceWithLogits, crossEntropy, gaussianNll, l1, mse, negativeLogLikelihood, nll, poissonNll } from './index.js';

const g = new Generator(0);
const x = randn([6, 4], { dtype: 'float64', generator: g });
const y = randn([6, 4], { dtype: 'float64', generator: g });
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

describe('every loss is a negative log-likelihood', () => {
  it('mse = 2·(Normal(x, 1) NLL − ½log 2π)', () => {
    const gen = negativeLogLikelihood(new Normal(x, 1), y, { reduction: 'none' });
    expectClose(mse(x, y, { reduction: 'none' }), gen.sub(HALF_LOG_2PI).mul(2), { rtol: 1e-12 });
  });
  it('gaussianNll(full) = Normal(x, √var) NLL', () => {
    const v = rand([6, 4], { dtype: 'float64', generator: g }).add(0.1);
    const gen = negativeLogLikelihood(new Normal(x, v.sqrt()), y);
    expectClose(gaussianNll(x, y, v, { full: true }), gen, { rtol: 1e-12 });
  });
  it('l1 = Laplace(x, 1) NLL − log 2', () => {
    const gen = negativeLogLikelihood(new Laplace(x, 1), y, { reduction: 'sum' });
    expectClose(l1(x, y, { reduction: 'sum' }), gen.sub(24 * Math.LN2), { rtol: 1e-12 });
  });
  it('bceWithLogits and bce = Bernoulli NLL', () => {
    const t = rand([6, 4], { dtype: 'float64', generator: g }).gt(0.5).to('float64');
    const gen = negativeLogLikelihood(new Bernoulli({ logits: x.mul(3) }), t, { reduction: 'none' });
    expectClose(bceWithLogits(x.mul(3), t, { reduction: 'none' }), gen, { rtol: 1e-12 });
    expectClose(bce(sigmoid(x), t, { reduction: 'none' }), negativeLogLikelihood(new Bernoulli({ logits: x }), t, { reduction: 'none' }), { rtol: 1e-10 });
  });
  it('crossEntropy and nll = Categorical NLL', () => {
    const target = randint(0, 4, [6], { generator: g });
    const gen = negativeLogLikelihood(new Categorical({ logits: x }), target);
    expectClose(crossEntropy(x, target), gen, { rtol: 1e-12 });
    expectClose(nll(softmax(x, 1).log(), target), gen, { rtol: 1e-12 });
  });
  it('poissonNll(full) ≈ Poisson NLL (Stirling term for y > 1)', () => {
    const counts = tensor([[0, 1, 2, 7], [15, 3, 1, 0]], { dtype: 'float64' });
    const logRate = randn([2, 4], { dtype: 'float64', generator: g });
    const gen = negativeLogLikelihood(new Poisson(exp(logRate)), counts, { reduction: 'none' });
    const ours = poissonNll(logRate, counts, { full: true, reduction: 'none' });
    // exact for y <= 1 (log y! = 0); Stirling's error for y >= 2 is below 1/(12y) < 0.05
    expectClose(ours, gen, { atol: 0.05, rtol: 0 });
  });
});
