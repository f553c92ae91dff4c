// Conditioner networks: the coupling or autoregressive layer's parameters as a function of the
// kept part (and the context). The last layer starts at zero so each layer starts as the identity.
import { type Generator, ShapeError, type Tensor, cat, relu } from '@likelihood/core';
import { Conv2d, Linear, Module, ModuleList, init } from '@likelihood/nn';
import type { Context } from '../bijector.js';

/** A network mapping the kept part x (masked, same shape as the input) and the context to the layer's parameters. */
export interface Conditioner extends Module {
  forward(x: Tensor, context?: Context): Tensor;
}

export interface MLPConditionerOptions {
  hidden?: readonly number[];
  contextFeatures?: number;
  /** Start the output layer at zero so the layer starts as the identity (default true). */
  zeroInit?: boolean;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/** [N, in] (+ context [N, c]) → Linear → ReLU → … → Linear → [N, out]. */
export class MLPConditioner extends Module implements Conditioner {
  readonly layers: ModuleList<Linear>;
  readonly contextFeatures: number;
  readonly hiddenFeatures: number;
  constructor(inFeatures: number, outFeatures: number, opts: MLPConditionerOptions = {}) {
    super();
    const hidden = opts.hidden ?? [64, 64];
    this.contextFeatures = opts.contextFeatures ?? 0;
    this.hiddenFeatures = hidden[hidden.length - 1] ?? inFeatures;
    const sizes = [inFeatures + this.contextFeatures, ...hidden, outFeatures];
    const o = { dtype: opts.dtype, generator: opts.generator };
    this.layers = new ModuleList(sizes.slice(1).map((s, i) => new Linear(sizes[i]!, s, o)));
    if (opts.zeroInit ?? true) {
      const last = this.layers.at(-1);
      init.zeros_(last.weight);
      if (last.bias) init.zeros_(last.bias);
    }
  }
  forward(x: Tensor, context?: Context): Tensor {
    let h = x.ndim > 2 ? x.reshape([x.shape[0]!, x.size / x.shape[0]!]) : x;
    if (this.contextFeatures) {
      if (context == null) throw new ShapeError(`MLPConditioner: a context [N, ${this.contextFeatures}] is required, found none`);
      h = cat([h, context], 1);
    }
    const n = this.layers.length;
    let i = 0;
    for (const l of this.layers) {
      h = l.forward(h);
      if (++i < n) h = relu(h);
    }
    return h;
  }
}

export interface ConvConditionerOptions {
  hidden?: number;
  contextFeatures?: number;
  zeroInit?: boolean;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/**
 * [N, C, H, W] → conv3×3 → ReLU → conv1×1 → ReLU → conv3×3 → [N, out, H, W] (Glow's coupling
 * network). A context vector is broadcast over the image as extra input channels.
 */
export class ConvConditioner extends Module implements Conditioner {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;
  readonly contextFeatures: number;
  constructor(inChannels: number, outChannels: number, opts: ConvConditionerOptions = {}) {
    super();
    const hidden = opts.hidden ?? 32;
    this.contextFeatures = opts.contextFeatures ?? 0;
    const o = { dtype: opts.dtype, generator: opts.generator };
    this.conv1 = new Conv2d(inChannels + this.contextFeatures, hidden, 3, { ...o, padding: 1 });
    this.conv2 = new Conv2d(hidden, hidden, 1, o);
    this.conv3 = new Conv2d(hidden, outChannels, 3, { ...o, padding: 1 });
    if (opts.zeroInit ?? true) {
      init.zeros_(this.conv3.weight);
      if (this.conv3.bias) init.zeros_(this.conv3.bias);
    }
  }
  forward(x: Tensor, context?: Context): Tensor {
    let h = x;
    if (this.contextFeatures) {
      if (context == null) throw new ShapeError(`ConvConditioner: a context [N, ${this.contextFeatures}] is required, found none`);
      const [n, , hh, ww] = x.shape as [number, number, number, number];
      h = cat([h, context.reshape([n, this.contextFeatures, 1, 1]).expand([n, this.contextFeatures, hh, ww])], 1);
    }
    return this.conv3.forward(relu(this.conv2.forward(relu(this.conv1.forward(h)))));
  }
}
