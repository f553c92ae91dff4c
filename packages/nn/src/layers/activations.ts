// Activation functions as modules (torch.nn.ReLU, GELU, ...), for Sequential and MLP.
import { ArgumentError, type Tensor, elu, gelu, leakyRelu, logSoftmax, relu, sigmoid, silu, softmax, softplus, tanh } from '@likelihood/core';
import { Module } from '../module.js';

function checkNum(layer: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${layer}: ${name} must be a finite number, found ${String(v)}`);
}

/** max(x, 0). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** x·Φ(x), or its tanh approximation with approximate 'tanh' (torch.nn.GELU). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none') {
    super();
    const a = typeof approximate === 'string' ? approximate : (approximate?.approximate ?? 'none');
    if (a !== 'none' && a !== 'tanh') throw new ArgumentError(`GELU: approximate must be 'none' or 'tanh', found '${String(a)}'`);
    this.approximate = a;
  }

  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x) (swish). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01, as torch). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01) {
    super();
    checkNum('LeakyReLU', 'negativeSlope', negativeSlope);
    this.negativeSlope = negativeSlope;
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x for x > 0, α(eˣ − 1) otherwise. */
export class ELU extends Module {
  readonly alpha: number;

  constructor(alpha = 1) {
    super();
    checkNum('ELU', 'alpha', alpha);
    this.alpha = alpha;
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** log(1 + e^{βx}) / β, linear where βx > threshold (torch.nn.Softplus). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(beta = 1, threshold = 20) {
    super();
    checkNum('Softplus', 'beta', beta);
    checkNum('Softplus', 'threshold', threshold);
    if (beta === 0) throw new ArgumentError('Softplus: beta must be non-zero, found 0');
    this.beta = beta;
    this.threshold = threshold;
  }

  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Softmax over `dim` (torch.nn.Softmax; dim is required here). */
export class Softmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`Softmax: dim must be an integer, found ${String(dim)}`);
    this.dim = dim;
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Log-softmax over `dim` (torch.nn.LogSoftmax; dim is required here). */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`LogSoftmax: dim must be an integer, found ${String(dim)}`);
    this.dim = dim;
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
