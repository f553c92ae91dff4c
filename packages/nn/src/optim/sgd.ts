import { ArgumentError, type Tensor } from '@likelihood/core';
import { type ParamGroup, type Params, Optimizer, addScaled, checkBool, checkNumber } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * Stochastic gradient descent with optional momentum (torch.optim.SGD). The momentum buffer
 * starts as the first gradient; `nesterov` uses `g + momentum·buf`. Defaults: lr 1e-3, no momentum.
 */
export class SGD extends Optimizer<SGDOptions> {
  protected override readonly paramShapedState = ['momentumBuffer'];

  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts });
  }

  protected override validateGroup(g: SGDOptions, where: string): void {
    super.validateGroup(g, where);
    const o = `SGD ${where}`;
    checkNumber(o, 'momentum', g.momentum, (x) => x >= 0, 'a number >= 0');
    checkNumber(o, 'dampening', g.dampening, () => true, 'a number');
    checkNumber(o, 'weightDecay', g.weightDecay, (x) => x >= 0, 'a number >= 0');
    checkBool(o, 'nesterov', g.nesterov);
    checkBool(o, 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ArgumentError(`${o}: nesterov: expected momentum > 0 and dampening 0, found momentum ${g.momentum} and dampening ${g.dampening}`);
    }
  }

  protected updateGroup(g: ParamGroup<SGDOptions>): void {
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      if (g.weightDecay !== 0) grad = addScaled(grad, p, g.weightDecay);
      if (g.momentum !== 0) {
        const s = this.stateOf(p);
        const prev = s.momentumBuffer as Tensor | undefined | null;
        const buf = prev ? addScaled(prev.mul(g.momentum), grad, 1 - g.dampening) : grad.detach();
        s.momentumBuffer = buf;
        grad = g.nesterov ? addScaled(grad, buf, g.momentum) : buf;
      }
      p.assign_(addScaled(p, grad, -g.lr));
    }
  }
}
