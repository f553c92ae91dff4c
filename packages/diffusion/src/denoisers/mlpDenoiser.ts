import { ArgumentError, type FloatDType, type Generator, ShapeError, type Tensor, cat } from '@likelihood/core';
import { MLP, Module, sinusoidalEmbedding } from '@likelihood/nn';

export interface MLPDenoiserOptions {
  /** Data dimension D (default 2). */
  dataDim?: number;
  /** Hidden width (default 128). */
  hidden?: number;
  /** Hidden layers (default 3). */
  layers?: number;
  /** Width of the sinusoidal time embedding (default 32). */
  timeEmbedDim?: number;
  /** Output dimension (default D; 2·D for a learned variance). */
  outFeatures?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * A denoiser for low-dimensional data: the sinusoidal embedding of t is concatenated to x and
 * passed through an MLP with SiLU activations (torchvision layout: net.0, net.2, …).
 * forward(x: [B, D], t: [B]) → [B, outFeatures].
 */
export class MLPDenoiser extends Module {
  readonly dataDim: number;
  readonly timeEmbedDim: number;
  net: MLP;

  constructor(opts: MLPDenoiserOptions = {}) {
    super();
    const { dataDim = 2, hidden = 128, layers = 3, timeEmbedDim = 32 } = opts;
    if (!Number.isInteger(layers) || layers < 1) throw new ArgumentError(`MLPDenoiser: layers must be a positive integer, found ${layers}`);
    this.dataDim = dataDim;
    this.timeEmbedDim = timeEmbedDim;
    this.net = new MLP(dataDim + timeEmbedDim, Array(layers).fill(hidden), opts.outFeatures ?? dataDim, {
      activation: 'silu',
      dtype: opts.dtype,
      generator: opts.generator,
    });
  }

  forward(x: Tensor, t: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.dataDim) throw new ShapeError(`MLPDenoiser: expected x [B, ${this.dataDim}], found [${x.shape.join(', ')}]`);
    const emb = sinusoidalEmbedding(t, this.timeEmbedDim, { dtype: x.dtype as FloatDType }); // (B, E)
    return this.net.forward(cat([x, emb], 1)); // (B, D + E) → (B, out)
  }
}
