import { ArgumentError, type Generator, type Tensor, tensor } from '@likelihood/core';
import { Bijector, type Context, checkContext, checkInput, sumPerExample } from '../bijector.js';
import { type Conditioner, ConvConditioner, MLPConditioner } from './conditioner.js';
import { checkMask } from './masks.js';

export interface CouplingOptions {
  /** The conditioner network; default: an MLP (vector event) or a small conv net (image event), last layer zero. */
  conditioner?: Conditioner;
  /** Hidden sizes of the default MLP conditioner (default [64, 64]) or channels of the default conv one (default [32]). */
  hidden?: readonly number[];
  contextFeatures?: number;
  dtype?: 'float32' | 'float64';
  /** Generator for the default conditioner's initial weights. */
  generator?: Generator;
}

/**
 * A coupling layer with an arbitrary binary mask m over the event (1 = kept): the kept part
 * x⊙m conditions an elementwise bijection g(·; θ) of the rest,
 *   y = x⊙m + g(x; θ(x⊙m, c))⊙(1 − m),   log|det| = Σ (1 − m)⊙log|g′|,
 * which is triangular after reordering, and inverts in one pass since θ only sees x⊙m.
 * Subclasses supply g with `paramsPerElement` raw parameters per coordinate.
 */
export abstract class MaskedCoupling extends Bijector {
  readonly eventShape: readonly number[];
  readonly contextFeatures: number;
  readonly conditioner: Conditioner;
  declare mask: Tensor;
  /** 1 − mask, kept so each call saves two elementwise ops (not saved in the state dict). */
  declare freeMask: Tensor;
  protected abstract readonly paramsPerElement: number;

  constructor(mask: Tensor, paramsPerElement: number, opts: CouplingOptions = {}) {
    super();
    const name = new.target.name;
    checkMask(name, mask);
    if (mask.ndim !== 1 && mask.ndim !== 3) throw new ArgumentError(`${name}: mask must be [D] (vectors) or [C, H, W] (images), found ${mask.ndim} dims`);
    this.eventShape = [...mask.shape];
    this.contextFeatures = opts.contextFeatures ?? 0;
    const dtype = opts.dtype ?? 'float32';
    this.registerBuffer('mask', mask.to(dtype));
    this.registerBuffer('freeMask', mask.to(dtype).neg().add(1), { persistent: false });
    const hidden = opts.hidden;
    if (opts.conditioner) this.conditioner = opts.conditioner;
    else if (mask.ndim === 1) {
      const d = mask.shape[0]!;
      this.conditioner = new MLPConditioner(d, d * paramsPerElement, { hidden, contextFeatures: this.contextFeatures, dtype, generator: opts.generator });
    } else {
      const c = mask.shape[0]!;
      this.conditioner = new ConvConditioner(c, c * paramsPerElement, { hidden: hidden?.[0], contextFeatures: this.contextFeatures, dtype, generator: opts.generator });
    }
  }

  get eventDim(): number {
    return this.eventShape.length;
  }

  /** g and log|g′| elementwise, params [N, k, ...event]. */
  protected abstract elementForward(x: Tensor, params: Tensor): { y: Tensor; logDet: Tensor };
  protected abstract elementInverse(y: Tensor, params: Tensor): { x: Tensor; logDet: Tensor };

  private params(kept: Tensor, context: Context): Tensor {
    const n = kept.shape[0]!;
    const raw = this.conditioner.forward(kept, context);
    return raw.reshape([n, this.paramsPerElement, ...this.eventShape]); // [N, k, ...event]
  }

  /**
   * For a vector mask, the free coordinates' indices [D_f] and the matrix E [D_f, D] that puts
   * them back (E[j, free_j] = 1), so g runs on the D_f free coordinates only instead of all D and
   * then being masked: half the work of an alternating mask, which matters for splines. Cached
   * on the mask's contents (a loaded state dict may change it).
   */
  private freeSelection(): { index: Tensor; embed: Tensor } | null {
    if (this.eventShape.length !== 1) return null;
    const m = this.mask.storage;
    let key = '';
    for (let i = 0; i < m.length; i++) key += m[i] ? '1' : '0';
    if (this._free?.key !== key) {
      const free = [...key].flatMap((c, i) => (c === '0' ? [i] : []));
      const d = m.length;
      const e = new Float64Array(free.length * d);
      free.forEach((f, j) => {
        e[j * d + f] = 1;
      });
      this._free = { key, index: tensor(free, { dtype: 'int32' }), embed: tensor(e, { dtype: this.mask.dtype }).reshape([free.length, d]) };
    }
    return this._free;
  }
  private _free?: { key: string; index: Tensor; embed: Tensor };

  private check(op: string, x: Tensor, context: Context): void {
    checkInput(`${this.constructor.name}.${op}`, x, this.eventShape);
    checkContext(`${this.constructor.name}.${op}`, context, x.shape[0]!, this.contextFeatures);
  }

  /** Applies g (or its inverse) to the free part of v: y = v⊙m + g(v)⊙(1 − m), log|det| = Σ_free log|g′|. */
  private couple(v: Tensor, context: Context, g: (v: Tensor, params: Tensor) => { out: Tensor; logDet: Tensor }) {
    const kept = v.mul(this.mask);
    const params = this.params(kept, context);
    const sel = this.freeSelection();
    if (sel) {
      const { out, logDet } = g(v.indexSelect(1, sel.index), params.indexSelect(2, sel.index)); // [N, D_f], [N, k, D_f]
      return { out: kept.add(out.matmul(sel.embed)), logAbsDet: logDet.sum(1) };
    }
    const { out, logDet } = g(v, params);
    const free = this.freeMask;
    return { out: kept.add(out.mul(free)), logAbsDet: sumPerExample(logDet.mul(free)) };
  }

  forward(x: Tensor, context?: Context) {
    this.check('forward', x, context);
    const r = this.couple(x, context, (v, p) => {
      const e = this.elementForward(v, p);
      return { out: e.y, logDet: e.logDet };
    });
    return { y: r.out, logAbsDet: r.logAbsDet };
  }

  inverse(y: Tensor, context?: Context) {
    this.check('inverse', y, context);
    const r = this.couple(y, context, (v, p) => {
      const e = this.elementInverse(v, p);
      return { out: e.x, logDet: e.logDet };
    });
    return { x: r.out, logAbsDet: r.logAbsDet };
  }
}

/** Picks parameter k of [N, K, ...event] → [N, ...event]. */
export function paramAt(params: Tensor, k: number): Tensor {
  return params.narrow(1, k, 1).squeeze(1);
}
