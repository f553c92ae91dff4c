import { ArgumentError, type FloatDType, type Generator, type Tensor } from '@likelihood/core';
import type { Distribution, Independent } from '@likelihood/distributions';
import { type ActivationName, Conv2d, Linear, MLP, Module, ReLU, Sequential } from '@likelihood/nn';
import { checkDataShape, checkPositiveInt, fmtShape } from './checks.js';
import { diagonalNormal } from './diagonalNormal.js';

/** An encoder maps data (N, ...dataShape) to the approximate posterior q_φ(z | x), batch [N], event [latentDim]. */
export type Encoder = {
  readonly dataShape: readonly number[];
  readonly latentDim: number;
  forward(x: Tensor): Distribution;
} & Module;

export interface MLPEncoderOptions {
  /** Hidden layer sizes (default [200, 200], Burda et al.'s one-stochastic-layer model). [] is a linear encoder. */
  hidden?: readonly number[];
  /** Activation between hidden layers (default 'tanh', as Burda et al.). */
  activation?: ActivationName;
  /** Floor on the posterior standard deviations (default 1e-4). */
  minScale?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/** Flattens x to (N, D) and maps it through an MLP to a diagonal Normal q(z | x). State-dict keys: net.*. */
export class MLPEncoder extends Module {
  readonly dataShape: readonly number[];
  readonly latentDim: number;
  readonly minScale: number;
  net: MLP;

  constructor(dataShape: readonly number[], latentDim: number, opts: MLPEncoderOptions = {}) {
    super();
    dataShape.forEach((d, i) => checkPositiveInt('MLPEncoder', `dataShape[${i}]`, d));
    checkPositiveInt('MLPEncoder', 'latentDim', latentDim);
    this.dataShape = Object.freeze([...dataShape]);
    this.latentDim = latentDim;
    this.minScale = opts.minScale ?? 1e-4;
    const inFeatures = dataShape.reduce((a, b) => a * b, 1);
    this.net = new MLP(inFeatures, opts.hidden ?? [200, 200], 2 * latentDim, { activation: opts.activation ?? 'tanh', dtype: opts.dtype, generator: opts.generator });
  }

  forward(x: Tensor): Independent {
    checkDataShape('MLPEncoder', x, this.dataShape);
    const h = this.net.forward<Tensor>(x.reshape([x.shape[0]!, -1])); // (N, D) → (N, 2·latentDim)
    return diagonalNormal(h, this.latentDim, this.minScale);
  }
}

export interface ConvEncoderOptions {
  /** Output channels of each stride-2 Conv2d(kernel 4, padding 1) stage (default [32, 64]); each halves H and W. */
  channels?: readonly number[];
  minScale?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Images (N, C, H, W) → stride-2 convolutions with ReLU → flatten → Linear → diagonal Normal.
 * H and W must be divisible by 2^stages. State-dict keys: conv.*, head.*.
 */
export class ConvEncoder extends Module {
  readonly dataShape: readonly number[];
  readonly latentDim: number;
  readonly minScale: number;
  conv: Sequential;
  head: Linear;

  constructor(dataShape: readonly number[], latentDim: number, opts: ConvEncoderOptions = {}) {
    super();
    if (dataShape.length !== 3) throw new ArgumentError(`ConvEncoder: dataShape must be [C, H, W], found ${fmtShape(dataShape)}`);
    dataShape.forEach((d, i) => checkPositiveInt('ConvEncoder', `dataShape[${i}]`, d));
    checkPositiveInt('ConvEncoder', 'latentDim', latentDim);
    const channels = opts.channels ?? [32, 64];
    const [c, h, w] = dataShape as [number, number, number];
    const down = 2 ** channels.length;
    if (h % down !== 0 || w % down !== 0) {
      throw new ArgumentError(`ConvEncoder: H and W must be divisible by 2^${channels.length} = ${down} for ${channels.length} stride-2 stages, found ${h}×${w}`);
    }
    this.dataShape = Object.freeze([...dataShape]);
    this.latentDim = latentDim;
    this.minScale = opts.minScale ?? 1e-4;
    const layer = { dtype: opts.dtype, generator: opts.generator };
    this.conv = new Sequential();
    let cin = c;
    for (const cout of channels) {
      checkPositiveInt('ConvEncoder', 'channels[i]', cout);
      this.conv.push(new Conv2d(cin, cout, 4, { stride: 2, padding: 1, ...layer }));
      this.conv.push(new ReLU());
      cin = cout;
    }
    this.head = new Linear(cin * (h / down) * (w / down), 2 * latentDim, layer);
  }

  forward(x: Tensor): Independent {
    checkDataShape('ConvEncoder', x, this.dataShape);
    const f = this.conv.forward<Tensor>(x); // (N, C', H/2^s, W/2^s)
    const h = this.head.forward(f.reshape([x.shape[0]!, -1])); // (N, 2·latentDim)
    return diagonalNormal(h, this.latentDim, this.minScale);
  }
}
