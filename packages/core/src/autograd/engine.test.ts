// The tape engine: accumulation, broadcasting in backward, grad modes, higher order, and errors.
import { describe, expect, it } from 'vitest';
import * as c from '../index.js';
import { AnomalyError, AutogradError, ShapeError, autogradGrad, detectAnomaly, grad, noGrad, tensor, valueAndGrad } from '../index.js';

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });

describe('backward and .grad', () => {
  it('accumulates into .grad across backward calls, as torch does', () => {
    const x = f64([1, 2, 3]).requiresGrad_();
    x.square().sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
  });

  it('a tensor used twice gets the sum of both paths', () => {
    const x = f64([2]).requiresGrad_();
    x.mul(x).add(x.exp()).sum().backward(); // d/dx (x² + eˣ) = 2x + eˣ
    expect(x.grad!.item()).toBeCloseTo(4 + Math.exp(2), 12);
  });

  it('reduces broadcast dimensions in backward to each input shape', () => {
    const a = f64([[1, 2, 3], [4, 5, 6]]).requiresGrad_(); // [2, 3]
    const b = f64([10, 20, 30]).requiresGrad_(); // [3] broadcast over rows
    const s = f64([[2]]).requiresGrad_(); // [1, 1] broadcast over everything
    a.mul(b).mul(s).sum().backward();
    expect(a.grad!.shape).toEqual([2, 3]);
    expect(b.grad!.toArray()).toEqual([10, 14, 18]); // s · Σ_rows a
    expect(s.grad!.toArray()).toEqual([[10 * 5 + 20 * 7 + 30 * 9]]);
  });

  it('backward with an explicit gradient is a vector-Jacobian product', () => {
    const x = f64([1, 2]).requiresGrad_();
    x.square().backward(f64([3, -1]));
    expect(x.grad!.toArray()).toEqual([6, -4]);
  });

  it('detach and noGrad stop gradients; int tensors cannot require grad', () => {
    const x = f64([3]).requiresGrad_();
    const y = x.mul(x.detach()); // d/dx = x (detached factor is a constant)
    y.sum().backward();
    expect(x.grad!.item()).toBe(3);
    const z = noGrad(() => x.mul(2));
    expect(z.requiresGrad).toBe(false);
    expect(() => tensor([1, 2], { dtype: 'int32' }).requiresGrad_()).toThrow(AutogradError);
    expect(() => tensor([1, 2], { dtype: 'int32' }).requiresGrad_()).toThrow(/only float tensors can require gradients, found dtype int32/);
  });

  it('errors: non-scalar backward without a gradient, no grad_fn, wrong gradient shape', () => {
    const x = f64([1, 2]).requiresGrad_();
    expect(() => x.mul(2).backward()).toThrow(/implicitly created only for scalar outputs, found shape \[2\]/);
    expect(() => f64([1]).backward()).toThrow(/does not require grad/);
    expect(() => x.mul(2).backward(f64([1, 2, 3]))).toThrow(ShapeError);
  });

  it('autogradGrad leaves .grad alone and reports unused inputs', () => {
    const x = f64([1, 2]).requiresGrad_();
    const u = f64([5]).requiresGrad_();
    const [gx] = autogradGrad([x.square().sum()], [x]);
    expect(gx!.toArray()).toEqual([2, 4]);
    expect(x.grad).toBeNull();
    expect(() => autogradGrad([x.sum()], [u])).toThrow(/input 0 \(shape \[1\]\) was not used/);
    expect(autogradGrad([x.sum()], [x, u], { allowUnused: true })[1]).toBeNull();
  });

  it('valueAndGrad with several argnums', () => {
    const { value, grad: gs } = valueAndGrad((a: c.Tensor, b: c.Tensor) => a.mul(b).sum(), { argnums: [0, 1] })(f64([2]), f64([7]));
    expect(value.item()).toBe(14);
    expect(gs.map((t) => t.item())).toEqual([7, 2]);
  });

  it('deep chains do not overflow the stack', () => {
    const x = f64([1]).requiresGrad_();
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    y.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });
});

describe('higher order', () => {
  it('Hessian-vector product: grad of (grad f · v) equals H v for a non-quadratic f', () => {
    // f(x) = Σ sin(x_i) x_{i+1}: H has -sin(x_i) x_{i+1} on the diagonal and cos(x_i) off it.
    const x = f64([0.3, -1.2, 0.7, 2.0]);
    const v = f64([1, -2, 0.5, 3]);
    const f = (z: c.Tensor) => z.narrow(0, 0, 3).sin().mul(z.narrow(0, 1, 3)).sum();
    const hv = grad((z: c.Tensor) => grad(f)(z).mul(v).sum())(x).toArray() as number[];
    const xs = x.toArray() as number[];
    const vs = v.toArray() as number[];
    const H = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let i = 0; i < 3; i++) {
      H[i]![i] += -Math.sin(xs[i]!) * xs[i + 1]!;
      H[i]![i + 1] += Math.cos(xs[i]!);
      H[i + 1]![i] += Math.cos(xs[i]!);
    }
    H.forEach((row, i) => expect(hv[i]).toBeCloseTo(row.reduce((s, h, j) => s + h * vs[j]!, 0), 12));
  });

  it('createGraph on backward makes .grad differentiable', () => {
    const x = f64([1.5]).requiresGrad_();
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g1 = x.grad!;
    expect(g1.requiresGrad).toBe(true);
    const [g2] = autogradGrad([g1.sum()], [x]);
    expect(g2!.item()).toBeCloseTo(6 * 1.5, 12);
  });
});

describe('anomaly mode', () => {
  it('names the forward op that turned finite inputs into NaN', () => {
    const x = f64([-1, 1]).requiresGrad_();
    expect(() => detectAnomaly(() => x.mul(2).log().sum())).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => x.mul(2).log().sum())).toThrow(/op 'Log' produced NaN\/Inf/);
    // off by default: the NaN flows through
    expect(Number.isNaN(x.mul(2).log().sum().item())).toBe(true);
  });

  it('names the backward op whose gradient is NaN/Inf from finite values', () => {
    const x = f64([0, 4]).requiresGrad_();
    const y = x.sqrt().sum(); // forward is finite; d sqrt/dx at 0 is Inf
    expect(() => detectAnomaly(() => y.backward())).toThrow(/backward of op 'Sqrt' produced NaN\/Inf in the gradient/);
  });

  it('does not blame an op for NaN it was given', () => {
    const x = f64([Number.NaN, 1]);
    expect(() => detectAnomaly(() => x.exp().add(1))).not.toThrow();
  });
});

describe('capture hooks through autograd', () => {
  it('a gradient is the same traced or eager for a broadcasting loss', () => {
    const loss = (w: c.Tensor) => w.mul(f64([[1], [2]])).tanh().sum();
    const w = f64([0.1, -0.3, 0.5]);
    const { graph, outputs } = c.trace((ww) => grad(loss)(ww!), [w]);
    expect(Array.from((c.interpret(graph, [w]) as c.Tensor).data())).toEqual(Array.from(outputs.data()));
  });
});
