import { type Tensor, zerosLike } from '@likelihood/core';
import { type ParamGroup, type Params, Optimizer, addScaled, checkBool, checkNumber, lerp } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * RMSprop (torch.optim.RMSprop): eps is added after the square root; `centered` divides by the
 * estimated standard deviation. Defaults: lr 1e-2, alpha 0.99, eps 1e-8.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  protected override readonly paramShapedState = ['squareAvg', 'gradAvg', 'momentumBuffer'];

  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...opts });
  }

  protected override validateGroup(g: RMSpropOptions, where: string): void {
    super.validateGroup(g, where);
    const o = `RMSprop ${where}`;
    checkNumber(o, 'alpha', g.alpha, (x) => x >= 0, 'a number >= 0');
    checkNumber(o, 'eps', g.eps, (x) => x >= 0, 'a number >= 0');
    checkNumber(o, 'weightDecay', g.weightDecay, (x) => x >= 0, 'a number >= 0');
    checkNumber(o, 'momentum', g.momentum, (x) => x >= 0, 'a number >= 0');
    checkBool(o, 'centered', g.centered);
    checkBool(o, 'maximize', g.maximize);
  }

  protected updateGroup(g: ParamGroup<RMSpropOptions>): void {
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = zerosLike(p);
        if (g.momentum > 0) s.momentumBuffer = zerosLike(p);
        if (g.centered) s.gradAvg = zerosLike(p);
      }
      s.step = (s.step as number) + 1;
      if (g.weightDecay !== 0) grad = addScaled(grad, p, g.weightDecay);
      const squareAvg = addScaled((s.squareAvg as Tensor).mul(g.alpha), grad.mul(grad), 1 - g.alpha);
      s.squareAvg = squareAvg;
      let avg: Tensor;
      if (g.centered) {
        const gradAvg = lerp((s.gradAvg as Tensor | undefined) ?? zerosLike(p), grad, 1 - g.alpha);
        s.gradAvg = gradAvg;
        avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg.add(g.eps);
      if (g.momentum > 0) {
        const buf = ((s.momentumBuffer as Tensor | undefined) ?? zerosLike(p)).mul(g.momentum).add(grad.div(avg));
        s.momentumBuffer = buf;
        p.assign_(addScaled(p, buf, -g.lr));
      } else {
        p.assign_(p.add(grad.mul(-g.lr).div(avg)));
      }
    }
  }
}
