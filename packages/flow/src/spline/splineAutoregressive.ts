import type { Tensor } from '@likelihood/core';
import { Bijector, type Context, checkContext, checkInput, sumPerExample } from '../bijector.js';
import { MADE, type MADEOptions } from '../autoregressive/made.js';
import { solveSequentially } from '../autoregressive/maskedAffine.js';
import { type SplineLayerOptions, splitSplineParams } from './splineCoupling.js';
import { unconstrainedRationalQuadraticSpline } from './rationalQuadratic.js';

/**
 * Autoregressive rational-quadratic spline flow (nflows'
 * MaskedPiecewiseRationalQuadraticAutoregressiveTransform): a MADE gives each coordinate's
 * 3K − 1 spline parameters from the preceding data coordinates. data → noise (inverse) is one
 * pass; noise → data (forward, sampling) takes D passes.
 */
export class MaskedRQSAutoregressive extends Bijector {
  readonly eventDim = 1;
  readonly features: number;
  readonly contextFeatures: number;
  readonly numBins: number;
  readonly tailBound: number;
  readonly identityInit: boolean;
  readonly made: MADE;
  private readonly paramScale: number;

  constructor(features: number, opts: Omit<MADEOptions, 'outputMultiplier'> & SplineLayerOptions = {}) {
    super();
    this.features = features;
    this.contextFeatures = opts.contextFeatures ?? 0;
    this.numBins = opts.numBins ?? 8;
    this.tailBound = opts.tailBound ?? 3;
    this.identityInit = opts.identityInit ?? false;
    this.made = new MADE(features, { ...opts, outputMultiplier: 3 * this.numBins - 1 });
    const hidden = opts.hidden ?? [64, 64];
    this.paramScale = Math.sqrt(hidden[hidden.length - 1] ?? 1);
  }

  private spline(v: Tensor, cond: Tensor, context: Context, inverse: boolean) {
    const p = this.made.forward(cond, context).permute([0, 2, 1]); // [N, 3K − 1, D]
    const { w, h, d } = splitSplineParams(p, this.numBins, this.paramScale);
    return unconstrainedRationalQuadraticSpline(v, w, h, d, { inverse, tailBound: this.tailBound, enableIdentityInit: this.identityInit });
  }

  private check(op: string, v: Tensor, context: Context): void {
    checkInput(`MaskedRQSAutoregressive.${op}`, v, [this.features]);
    checkContext(`MaskedRQSAutoregressive.${op}`, context, v.shape[0]!, this.contextFeatures);
  }

  forward(x: Tensor, context?: Context) {
    this.check('forward', x, context);
    let ld: Tensor = x;
    const y = solveSequentially(this.features, x.mul(0), (cur) => {
      const r = this.spline(x, cur, context, true);
      ld = r.logAbsDet;
      return r.outputs;
    });
    return { y, logAbsDet: sumPerExample(ld) };
  }

  inverse(y: Tensor, context?: Context) {
    this.check('inverse', y, context);
    const r = this.spline(y, y, context, false);
    return { x: r.outputs, logAbsDet: sumPerExample(r.logAbsDet) };
  }
}
