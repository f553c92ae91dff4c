import { ArgumentError, type FloatDType, type Generator, type Tensor } from '@likelihood/core';
import { Sequential } from '../containers.js';
import { Module } from '../module.js';
import { ELU, GELU, LeakyReLU, ReLU, SiLU, Sigmoid, Softplus, Tanh } from './activations.js';
import { BatchNorm1d } from './batchNorm.js';
import { Dropout } from './dropout.js';
import { Identity } from './identity.js';
import { LayerNorm } from './layerNorm.js';
import { Linear } from './linear.js';
import { checkInt } from './util.js';

export type ActivationName = 'relu' | 'gelu' | 'geluTanh' | 'silu' | 'tanh' | 'sigmoid' | 'leakyRelu' | 'elu' | 'softplus' | 'identity';
type ForwardModule = Module & { forward(x: never): unknown };

const ACTIVATIONS: Record<ActivationName, () => ForwardModule> = {
  relu: () => new ReLU(),
  gelu: () => new GELU(),
  geluTanh: () => new GELU('tanh'),
  silu: () => new SiLU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  leakyRelu: () => new LeakyReLU(),
  elu: () => new ELU(),
  softplus: () => new Softplus(),
  identity: () => new Identity(),
};

export interface MLPOptions {
  /** Activation after each hidden Linear (and norm): a name or a factory of fresh modules; default 'relu'. */
  activation?: ActivationName | (() => ForwardModule);
  /** Dropout probability of the Dropout after every activation and after the last Linear (default 0). */
  dropout?: number;
  /** Linear layers with bias (default true). */
  bias?: boolean;
  /** Normalisation between each hidden Linear and its activation: 'layerNorm', 'batchNorm', or a factory. Default none. */
  norm?: 'layerNorm' | 'batchNorm' | ((features: number) => ForwardModule) | null;
  dtype?: FloatDType;
  /** Generator for the Linear layers' initial weights and the dropout masks. */
  generator?: Generator;
}

/**
 * A multi-layer perceptron laid out exactly as torchvision.ops.MLP, so its state-dict keys
 * match: for each hidden size h, Linear → [norm] → activation → Dropout; then a last Linear
 * → Dropout. The sizes are `[...hiddenSizes, outFeatures]` when `outFeatures` is given, else
 * `hiddenSizes` alone (whose last entry is then the output size, as torchvision's
 * hidden_channels). E.g. new MLP(784, [256, 256], 10) has keys 0.weight, 0.bias, 3.weight,
 * 3.bias, 6.weight, 6.bias.
 */
export class MLP extends Sequential {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, hiddenSizes: readonly number[], outFeatures?: number | null, opts: MLPOptions = {}) {
    super();
    checkInt('MLP', 'inFeatures', inFeatures, 1);
    if (!Array.isArray(hiddenSizes)) throw new ArgumentError(`MLP: hiddenSizes must be a list of positive integers, found ${JSON.stringify(hiddenSizes)}`);
    hiddenSizes.forEach((h, i) => checkInt('MLP', `hiddenSizes[${i}]`, h, 1));
    if (outFeatures != null) checkInt('MLP', 'outFeatures', outFeatures, 1);
    const sizes = outFeatures != null ? [...hiddenSizes, outFeatures] : [...hiddenSizes];
    if (sizes.length === 0) throw new ArgumentError('MLP: expected at least one layer size (hiddenSizes or outFeatures), found none');
    const p = opts.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(`MLP: dropout must be a probability in [0, 1], found ${String(p)}`);
    const act = opts.activation ?? 'relu';
    const makeAct = typeof act === 'function' ? act : ACTIVATIONS[act];
    if (!makeAct) throw new ArgumentError(`MLP: unknown activation '${String(act)}'; expected one of ${Object.keys(ACTIVATIONS).join(', ')} or a factory`);
    const norm = opts.norm ?? null;
    const makeNorm =
      norm === null ? null
      : norm === 'layerNorm' ? (n: number) => new LayerNorm(n, { dtype: opts.dtype })
      : norm === 'batchNorm' ? (n: number) => new BatchNorm1d(n, { dtype: opts.dtype })
      : typeof norm === 'function' ? norm
      : null;
    if (norm !== null && makeNorm === null) throw new ArgumentError(`MLP: norm must be 'layerNorm', 'batchNorm', a factory or null, found '${String(norm)}'`);
    const lin = { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator };
    let d = inFeatures;
    sizes.forEach((h, i) => {
      this.push(new Linear(d, h, lin));
      if (i < sizes.length - 1) {
        if (makeNorm) this.push(makeNorm(h));
        const a = makeAct();
        if (!(a instanceof Module)) throw new ArgumentError(`MLP: the activation factory must return a Module, found ${typeof a}`);
        this.push(a);
      }
      this.push(new Dropout(p, { generator: opts.generator }));
      d = h;
    });
    this.inFeatures = inFeatures;
    this.outFeatures = sizes[sizes.length - 1]!;
  }

  /** As Sequential, but a Linear followed by a SiLU or ReLU module runs as one fused call (core's `linear` with its `activation`). */
  override forward<T = Tensor>(x: unknown): T {
    const mods = [...this];
    let h = x;
    for (let i = 0; i < mods.length; i++) {
      const m = mods[i]!;
      const next = mods[i + 1]?.constructor;
      if (m.constructor === Linear && (next === SiLU || next === ReLU)) {
        h = (m as Linear).forwardActivated(h as Tensor, next === SiLU ? 'silu' : 'relu');
        i++;
      } else {
        h = (m.forward as (x: unknown) => unknown)(h);
      }
    }
    return h as T;
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}`;
  }
}
