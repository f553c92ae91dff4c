import { ArgumentError, type FloatDType, type Generator, type Tensor } from '@likelihood/core';
import type { Distribution } from '@likelihood/distributions';
import { type ActivationName, ConvTranspose2d, Linear, MLP, Module, ReLU, Sequential } from '@likelihood/nn';
import { checkPositiveInt, fmtShape } from './checks.js';
import type { Likelihood } from './likelihoods/likelihood.js';

/** A decoder maps latents (N, latentDim) to the parameters (N, P, ...dataShape) of its likelihood p_θ(x | z). */
export type Decoder = {
  readonly dataShape: readonly number[];
  readonly latentDim: number;
  readonly likelihood: Likelihood;
  forward(z: Tensor): Tensor;
} & Module;

/** p_θ(x | z) for latents z (N, latentDim): a distribution with batch [N] and event dataShape. */
export function decode(decoder: Decoder, z: Tensor): Distribution {
  return decoder.likelihood.distribution(decoder.forward(z));
}

function checkLatent(op: string, z: Tensor, latentDim: number): void {
  if (z.ndim !== 2 || z.shape[1] !== latentDim) throw new ArgumentError(`${op}: expected latents of shape (N, ${latentDim}), found ${fmtShape(z.shape)}`);
}

export interface MLPDecoderOptions {
  /** Hidden layer sizes (default [200, 200]). [] is a linear decoder. */
  hidden?: readonly number[];
  /** Default 'tanh', as Burda et al. */
  activation?: ActivationName;
  dtype?: FloatDType;
  generator?: Generator;
}

/** z (N, latentDim) → MLP → P·D numbers → (N, P, ...dataShape). State-dict keys: net.*. */
export class MLPDecoder extends Module {
  readonly dataShape: readonly number[];
  readonly latentDim: number;
  readonly likelihood: Likelihood;
  net: MLP;

  constructor(latentDim: number, dataShape: readonly number[], likelihood: Likelihood, opts: MLPDecoderOptions = {}) {
    super();
    checkPositiveInt('MLPDecoder', 'latentDim', latentDim);
    dataShape.forEach((d, i) => checkPositiveInt('MLPDecoder', `dataShape[${i}]`, d));
    this.dataShape = Object.freeze([...dataShape]);
    this.latentDim = latentDim;
    this.likelihood = likelihood;
    const outFeatures = likelihood.paramsPerValue * dataShape.reduce((a, b) => a * b, 1);
    this.net = new MLP(latentDim, opts.hidden ?? [200, 200], outFeatures, { activation: opts.activation ?? 'tanh', dtype: opts.dtype, generator: opts.generator });
  }

  forward(z: Tensor): Tensor {
    checkLatent('MLPDecoder', z, this.latentDim);
    const h = this.net.forward<Tensor>(z); // (N, P·D)
    return h.reshape([z.shape[0]!, this.likelihood.paramsPerValue, ...this.dataShape]); // (N, P, ...dataShape)
  }
}

export interface ConvDecoderOptions {
  /** Channels entering each stride-2 ConvTranspose2d(kernel 4, padding 1) stage (default [64, 32]); each doubles H and W. */
  channels?: readonly number[];
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * z → Linear → ReLU → (N, channels[0], H/2^s, W/2^s) → stride-2 transposed convolutions with
 * ReLU between them → (N, P·C, H, W) → (N, P, C, H, W). State-dict keys: fc.*, deconv.*.
 */
export class ConvDecoder extends Module {
  readonly dataShape: readonly number[];
  readonly latentDim: number;
  readonly likelihood: Likelihood;
  fc: Linear;
  deconv: Sequential;
  private readonly _start: readonly number[];

  constructor(latentDim: number, dataShape: readonly number[], likelihood: Likelihood, opts: ConvDecoderOptions = {}) {
    super();
    checkPositiveInt('ConvDecoder', 'latentDim', latentDim);
    if (dataShape.length !== 3) throw new ArgumentError(`ConvDecoder: dataShape must be [C, H, W], found ${fmtShape(dataShape)}`);
    dataShape.forEach((d, i) => checkPositiveInt('ConvDecoder', `dataShape[${i}]`, d));
    const channels = opts.channels ?? [64, 32];
    if (channels.length < 1) throw new ArgumentError('ConvDecoder: channels must list at least one stage, found []');
    channels.forEach((c, i) => checkPositiveInt('ConvDecoder', `channels[${i}]`, c));
    const [c, h, w] = dataShape as [number, number, number];
    const up = 2 ** channels.length;
    if (h % up !== 0 || w % up !== 0) {
      throw new ArgumentError(`ConvDecoder: H and W must be divisible by 2^${channels.length} = ${up} for ${channels.length} stride-2 stages, found ${h}×${w}`);
    }
    this.dataShape = Object.freeze([...dataShape]);
    this.latentDim = latentDim;
    this.likelihood = likelihood;
    this._start = [channels[0]!, h / up, w / up];
    const layer = { dtype: opts.dtype, generator: opts.generator };
    this.fc = new Linear(latentDim, channels[0]! * (h / up) * (w / up), layer);
    this.deconv = new Sequential();
    channels.forEach((cin, i) => {
      const last = i === channels.length - 1;
      const cout = last ? likelihood.paramsPerValue * c : channels[i + 1]!;
      this.deconv.push(new ConvTranspose2d(cin, cout, 4, { stride: 2, padding: 1, ...layer }));
      if (!last) this.deconv.push(new ReLU());
    });
  }

  forward(z: Tensor): Tensor {
    checkLatent('ConvDecoder', z, this.latentDim);
    const n = z.shape[0]!;
    const h = this.fc.forward(z).relu().reshape([n, ...this._start]); // (N, C0, H/2^s, W/2^s)
    const out = this.deconv.forward<Tensor>(h); // (N, P·C, H, W)
    return out.reshape([n, this.likelihood.paramsPerValue, ...this.dataShape]); // (N, P, C, H, W)
  }
}
