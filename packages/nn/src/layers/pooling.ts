import { ArgumentError, type AvgPoolOptions, type MaxPoolOptions, ShapeError, type Tensor, avgPool2d, maxPool2d } from '@likelihood/core';
import { Module } from '../module.js';
import type { IntOrTuple } from './_conv.js';
import { checkFloatInput, fmtShape, intTuple } from './util.js';

function checkPoolInput(layer: string, x: Tensor): void {
  checkFloatInput(layer, x);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${layer}: expected input of shape (N, C, H, W) or (C, H, W), found shape ${fmtShape(x.shape)}`);
}

/** Checks pool arguments as torch does; stride defaults to the kernel. */
function poolArgs(layer: string, kernelSize: IntOrTuple, o: { stride?: IntOrTuple; padding?: IntOrTuple; dilation?: IntOrTuple }) {
  const k = intTuple(layer, 'kernelSize', kernelSize, 2, 1);
  const s = o.stride === undefined ? k : intTuple(layer, 'stride', o.stride, 2, 1);
  const p = intTuple(layer, 'padding', o.padding ?? 0, 2, 0);
  const d = intTuple(layer, 'dilation', o.dilation ?? 1, 2, 1);
  p.forEach((pi, i) => {
    if (pi > Math.floor((d[i]! * (k[i]! - 1) + 1) / 2)) {
      throw new ArgumentError(`${layer}: padding should be at most half of the effective kernel size, found padding ${fmtShape(p)} with kernelSize ${fmtShape(k)}`);
    }
  });
  return { k, s, p, d };
}

/** 2-D max pooling (torch.nn.MaxPool2d); stride defaults to kernelSize, padding counts as −inf. */
export class MaxPool2d extends Module {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrTuple, opts: MaxPoolOptions = {}) {
    super();
    const { k, s, p, d } = poolArgs('MaxPool2d', kernelSize, opts);
    [this.kernelSize, this.stride, this.padding, this.dilation] = [k, s, p, d].map((a) => Object.freeze(a)) as [number[], number[], number[], number[]];
    this.ceilMode = opts.ceilMode ?? false;
  }

  forward(x: Tensor): Tensor {
    checkPoolInput('MaxPool2d', x);
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${fmtShape(this.kernelSize)}, stride=${fmtShape(this.stride)}, padding=${fmtShape(this.padding)}, dilation=${fmtShape(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/** 2-D average pooling (torch.nn.AvgPool2d); stride defaults to kernelSize. */
export class AvgPool2d extends Module {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;

  constructor(kernelSize: IntOrTuple, opts: AvgPoolOptions = {}) {
    super();
    const { k, s, p } = poolArgs('AvgPool2d', kernelSize, opts);
    [this.kernelSize, this.stride, this.padding] = [k, s, p].map((a) => Object.freeze(a)) as [number[], number[], number[]];
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    const dv = opts.divisorOverride;
    if (dv !== undefined && (!Number.isInteger(dv) || dv < 1)) throw new ArgumentError(`AvgPool2d: divisorOverride must be a positive integer, found ${String(dv)}`);
    this.divisorOverride = dv;
  }

  forward(x: Tensor): Tensor {
    checkPoolInput('AvgPool2d', x);
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernelSize=${fmtShape(this.kernelSize)}, stride=${fmtShape(this.stride)}, padding=${fmtShape(this.padding)}`;
  }
}
