import { ArgumentError, type Generator, Tensor, add, matmul, relu, transpose } from '@likelihood/core';
import { Linear, Module, ModuleList, type Parameter, init } from '@likelihood/nn';
import { type Context, checkContext } from '../bijector.js';

/**
 * A linear layer whose weight is multiplied by a fixed 0/1 mask (MADE's masked connections):
 * y = x (W ⊙ M)ᵀ + b.
 */
export class MaskedLinear extends Module {
  weight: Parameter;
  bias: Parameter;
  declare mask: Tensor;
  constructor(inFeatures: number, outFeatures: number, mask: Tensor, opts: { dtype?: 'float32' | 'float64'; generator?: Generator } = {}) {
    super();
    const lin = new Linear(inFeatures, outFeatures, opts); // torch's default init, then masked
    this.weight = lin.weight;
    this.bias = lin.bias!;
    this.registerBuffer('mask', mask.to(opts.dtype ?? 'float32'));
  }
  forward(x: Tensor): Tensor {
    return add(matmul(x, transpose(this.weight.mul(this.mask), 0, 1)), this.bias);
  }
}

export interface MADEOptions {
  hidden?: readonly number[];
  /** Raw outputs per input coordinate (2 for affine: scale and shift). */
  outputMultiplier?: number;
  /** Conditioning features, fed unmasked into the first hidden layer. */
  contextFeatures?: number;
  /** Order in which coordinates are generated: a permutation of 0..D−1 (default natural). */
  order?: readonly number[];
  /** Start the output layer at zero (default true), so a flow layer starts as the identity. */
  zeroInit?: boolean;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/** mask[o, i] = 1 where out degree ≥ in degree (hidden) or > (output), MADE's rule. */
function degreeMask(outDeg: readonly number[], inDeg: readonly number[], strict: boolean): Tensor {
  const m = new Float32Array(outDeg.length * inDeg.length);
  outDeg.forEach((o, r) => inDeg.forEach((i, c) => (m[r * inDeg.length + c] = (strict ? o > i : o >= i) ? 1 : 0)));
  return new Tensor(m, [outDeg.length, inDeg.length], 'float32');
}

/**
 * MADE (Germain et al. 2015): an MLP whose masks make output i depend only on inputs that come
 * before i in `order`, so its Jacobian is strictly triangular in that order. Input degrees are
 * 1..D, hidden degrees cycle through 1..D−1 (deterministic, as nflows), output unit i·k + j
 * carries coordinate i's degree. forward(x [N, D], context?) → [N, D, k].
 */
export class MADE extends Module {
  readonly features: number;
  readonly outputMultiplier: number;
  readonly contextFeatures: number;
  readonly layers: ModuleList<MaskedLinear>;
  readonly contextLayer: Linear | null;

  constructor(features: number, opts: MADEOptions = {}) {
    super();
    if (!Number.isInteger(features) || features < 1) throw new ArgumentError(`MADE: features must be a positive integer, found ${features}`);
    const hidden = opts.hidden ?? [64, 64];
    const k = opts.outputMultiplier ?? 1;
    const order = opts.order ?? Array.from({ length: features }, (_, i) => i);
    if (order.length !== features || [...order].sort((a, b) => a - b).some((v, i) => v !== i)) {
      throw new ArgumentError(`MADE: order must be a permutation of 0..${features - 1}, found [${order.join(', ')}]`);
    }
    this.features = features;
    this.outputMultiplier = k;
    this.contextFeatures = opts.contextFeatures ?? 0;
    const o = { dtype: opts.dtype, generator: opts.generator };
    const inDeg = Array.from({ length: features }, (_, i) => order.indexOf(i) + 1); // coordinate i generated at step inDeg[i]
    let prev = inDeg;
    const layers: MaskedLinear[] = [];
    for (const h of hidden) {
      const deg = Array.from({ length: h }, (_, u) => (u % Math.max(1, features - 1)) + Math.min(1, features - 1));
      layers.push(new MaskedLinear(prev.length, h, degreeMask(deg, prev, false), o));
      prev = deg;
    }
    const outDeg = inDeg.flatMap((d) => Array.from({ length: k }, () => d));
    layers.push(new MaskedLinear(prev.length, features * k, degreeMask(outDeg, prev, true), o));
    this.layers = new ModuleList(layers);
    this.contextLayer = this.contextFeatures && hidden.length ? new Linear(this.contextFeatures, hidden[0]!, o) : null;
    if (opts.zeroInit ?? true) {
      const last = layers[layers.length - 1]!;
      init.zeros_(last.weight);
      init.zeros_(last.bias);
    }
  }

  forward(x: Tensor, context?: Context): Tensor {
    checkContext('MADE', context, x.shape[0]!, this.contextFeatures);
    let h = x;
    const n = this.layers.length;
    let i = 0;
    for (const l of this.layers) {
      h = l.forward(h);
      if (i === 0 && this.contextLayer && context) h = h.add(this.contextLayer.forward(context));
      if (++i < n) h = relu(h);
    }
    return h.reshape([x.shape[0]!, this.features, this.outputMultiplier]); // [N, D, k]
  }
}

