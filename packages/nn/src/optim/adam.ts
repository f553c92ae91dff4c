import { ArgumentError, Tensor, isTracing, zerosLike } from '@likelihood/core';
import { adamStep } from './adamStep.js';
import { type ParamGroup, type Params, Optimizer, addScaled, checkBool, checkNumber, lerp } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * Adam (torch.optim.Adam): weight decay is L2 (added to the gradient). State per parameter:
 * `step`, `expAvg`, `expAvgSq` and with `amsgrad` `maxExpAvgSq`. Defaults: lr 1e-3,
 * betas [0.9, 0.999], eps 1e-8.
 */
export class Adam<O extends AdamOptions = AdamOptions> extends Optimizer<O> {
  protected override readonly paramShapedState = ['expAvg', 'expAvgSq', 'maxExpAvgSq'];
  /** AdamW decays weights directly (`p ← p·(1 − lr·wd)`) instead of through the gradient. */
  protected readonly decoupledWeightDecay: boolean = false;
  /** Update with the single-pass kernel (adamStep.ts) where it applies; same values either way. */
  protected readonly fusedStep: boolean = true;

  constructor(params: Params<O>, opts: Partial<O> = {}, defaults: Partial<O> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...defaults, ...opts } as O);
  }

  protected override validateGroup(g: O, where: string): void {
    super.validateGroup(g, where);
    const o = `${this.constructor.name} ${where}`;
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new ArgumentError(`${o}: betas: expected [beta1, beta2], found ${JSON.stringify(g.betas)}`);
    checkNumber(o, 'betas[0]', g.betas[0], (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    checkNumber(o, 'betas[1]', g.betas[1], (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    checkNumber(o, 'eps', g.eps, (x) => x >= 0, 'a number >= 0');
    checkNumber(o, 'weightDecay', g.weightDecay, (x) => x >= 0, 'a number >= 0');
    checkBool(o, 'amsgrad', g.amsgrad);
    checkBool(o, 'maximize', g.maximize);
  }

  protected updateGroup(g: ParamGroup<O>): void {
    const [beta1, beta2] = g.betas;
    for (const p of g.params) {
      if (!p.grad) continue;
      let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = zerosLike(p);
        s.expAvgSq = zerosLike(p);
        if (g.amsgrad) s.maxExpAvgSq = zerosLike(p);
      }
      const step = (s.step as number) + 1;
      s.step = step;
      if (this.fusedStep && canFuse(p, p.grad, s, g.amsgrad)) {
        const decoupled = this.decoupledWeightDecay && g.weightDecay !== 0;
        const values = adamStep(p, p.grad, s.expAvg as Tensor, s.expAvgSq as Tensor, g.amsgrad ? (s.maxExpAvgSq as Tensor) : null, {
          beta1,
          beta2,
          stepSize: g.lr / (1 - beta1 ** step),
          biasCorrection2Sqrt: (1 - beta2 ** step) ** 0.5,
          eps: g.eps,
          l2: this.decoupledWeightDecay ? 0 : g.weightDecay,
          decay: decoupled ? 1 - g.lr * g.weightDecay : 1,
          maximize: g.maximize,
        });
        p.assign_(new Tensor(values, p.shape, p.dtype));
        continue;
      }
      let param: Tensor = p;
      if (g.weightDecay !== 0) {
        if (this.decoupledWeightDecay) param = p.mul(1 - g.lr * g.weightDecay);
        else grad = addScaled(grad, p, g.weightDecay);
      }
      const expAvg = lerp(s.expAvg as Tensor, grad, 1 - beta1);
      const expAvgSq = addScaled((s.expAvgSq as Tensor).mul(beta2), grad.mul(grad), 1 - beta2);
      s.expAvg = expAvg;
      s.expAvgSq = expAvgSq;
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = g.lr / biasCorrection1;
      const biasCorrection2Sqrt = biasCorrection2 ** 0.5;
      let second = expAvgSq;
      if (g.amsgrad) {
        const prev = (s.maxExpAvgSq as Tensor | undefined) ?? zerosLike(p);
        second = prev.maximum(expAvgSq);
        s.maxExpAvgSq = second;
      }
      const denom = second.sqrt().div(biasCorrection2Sqrt).add(g.eps);
      p.assign_(param.add(expAvg.mul(-stepSize).div(denom)));
    }
  }
}

/**
 * The fused single-pass update (adamStep.ts) applies when parameter, gradient and state are
 * float tensors of one dtype and shape; anything else (a trace recording the step, mixed
 * dtypes, state from an odd state dict) takes the tensor-op path, which gives the same values.
 */
function canFuse(p: Tensor, grad: Tensor, s: Record<string, unknown>, amsgrad: boolean): boolean {
  if ((p.dtype !== 'float32' && p.dtype !== 'float64') || grad.dtype !== p.dtype || grad.size !== p.size) return false;
  if (isTracing()) return false;
  const own = (t: unknown) => t instanceof Tensor && t.dtype === p.dtype && t.size === p.size;
  return own(s.expAvg) && own(s.expAvgSq) && (!amsgrad || own(s.maxExpAvgSq));
}

export interface AdamWOptions extends AdamOptions {}

/** AdamW (torch.optim.AdamW): Adam with decoupled weight decay, default weightDecay 1e-2. */
export class AdamW extends Adam<AdamWOptions> {
  protected override readonly decoupledWeightDecay: boolean = true;

  constructor(params: Params<AdamWOptions>, opts: Partial<AdamWOptions> = {}) {
    super(params, opts, { weightDecay: 1e-2 });
  }
}
