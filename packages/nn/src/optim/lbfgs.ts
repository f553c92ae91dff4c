import { ArgumentError, Tensor, enableGrad, noGrad, tensor } from '@likelihood/core';
import { StateDictError } from '../errors.js';
import { type Closure, type ParamGroup, type ParamState, type Params, Optimizer, checkNumber } from './optimizer.js';

export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  /** Default `floor(maxIter · 5 / 4)`. */
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

type Vec = Float64Array<ArrayBufferLike>;

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
const absMax = (a: Vec): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const absSum = (a: Vec): number => a.reduce((m, x) => m + Math.abs(x), 0);
const neg = (a: Vec): Vec => a.map((x) => -x);
/** `a + alpha·b`, a new vector. */
function axpy(a: Vec, b: Vec, alpha: number): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + alpha * b[i]!;
  return out;
}

/**
 * Minimiser of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to `bounds`
 * (torch.optim.lbfgs._cubic_interpolate).
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

type ObjFunc = (x: Tensor[], t: number, d: Vec) => [number, Vec];

/** Line search for the strong Wolfe conditions (torch.optim.lbfgs._strong_wolfe). */
export function strongWolfe(
  objFunc: ObjFunc,
  x: Tensor[],
  t: number,
  d: Vec,
  f: number,
  g: Vec,
  gtd: number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Vec, number, number] {
  const dNorm = absMax(d);
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Vec[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const bMax = Math.max(...bracket);
    const bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew;
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew;
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

const vecTensor = (v: Vec): Tensor => tensor(v, { dtype: 'float64' });
const tensorVec = (t: StateValue | undefined): Vec | null => (t instanceof Tensor ? Float64Array.from(t.storage as ArrayLike<number>) : null);
type StateValue = ParamState[string];

/**
 * L-BFGS (torch.optim.LBFGS), a port of torch/optim/lbfgs.py including the strong-Wolfe line
 * search. One param group only. `step(closure)` re-evaluates the loss up to `maxEval` times; the
 * closure must zero the grads, compute the loss, call backward and return the loss. Directions
 * and histories are kept in float64 whatever the parameters' dtype. State (on the first
 * parameter, as in torch): funcEvals, nIter, d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad,
 * prevLoss, al.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  constructor(params: Params<LBFGSOptions>, opts: Partial<LBFGSOptions> = {}) {
    const maxIter = opts.maxIter ?? 20;
    super(params, {
      lr: 1,
      maxIter,
      maxEval: Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...opts,
    });
    if (this.paramGroups.length !== 1) {
      throw new ArgumentError(`LBFGS: params: expected one param group (LBFGS does not support per-parameter options), found ${this.paramGroups.length}`);
    }
  }

  protected override validateGroup(g: LBFGSOptions, where: string): void {
    super.validateGroup(g, where);
    const o = `LBFGS ${where}`;
    const posInt = (x: number) => Number.isInteger(x) && x >= 1;
    checkNumber(o, 'maxIter', g.maxIter, posInt, 'an integer >= 1');
    checkNumber(o, 'maxEval', g.maxEval, posInt, 'an integer >= 1');
    checkNumber(o, 'historySize', g.historySize, posInt, 'an integer >= 1');
    checkNumber(o, 'toleranceGrad', g.toleranceGrad, (x) => x >= 0, 'a number >= 0');
    checkNumber(o, 'toleranceChange', g.toleranceChange, (x) => x >= 0, 'a number >= 0');
    if (g.lineSearchFn !== null && g.lineSearchFn !== 'strong_wolfe') {
      throw new ArgumentError(`${o}: lineSearchFn: expected null or 'strong_wolfe', found ${JSON.stringify(g.lineSearchFn)}`);
    }
  }

  private get params(): Tensor[] {
    return this.paramGroups[0]!.params;
  }

  private numel(): number {
    return this.params.reduce((n, p) => n + p.size, 0);
  }

  protected override validateLoadedState(state: Map<Tensor, ParamState>): void {
    const n = this.numel();
    for (const [p, s] of state) {
      const where = `LBFGS.loadStateDict: state of parameter ${this.params.indexOf(p)}`;
      if (p !== this.params[0]) throw new StateDictError(`${where}: LBFGS keeps its state on the first parameter only`);
      for (const k of ['d', 'prevFlatGrad']) {
        const v = s[k];
        if (v !== undefined && v !== null && (!(v instanceof Tensor) || v.size !== n)) {
          throw new StateDictError(`${where}.${k}: expected a flat tensor of ${n} values, found ${v instanceof Tensor ? v.size : typeof v}`);
        }
      }
      for (const k of ['oldDirs', 'oldStps']) {
        const v = s[k];
        if (v === undefined || v === null) continue;
        if (!Array.isArray(v) || v.some((x) => !(x instanceof Tensor) || x.size !== n)) {
          throw new StateDictError(`${where}.${k}: expected a list of flat tensors of ${n} values`);
        }
      }
    }
  }

  private gatherFlatGrad(): Vec {
    const out = new Float64Array(this.numel());
    let off = 0;
    for (const p of this.params) {
      if (p.grad) out.set(p.grad.storage as ArrayLike<number>, off);
      off += p.size;
    }
    return out;
  }

  /** `p ← p + stepSize·update[slice]` for each parameter. */
  private addGrad(stepSize: number, update: Vec): void {
    let off = 0;
    for (const p of this.params) {
      const src = p.storage;
      const v = new Float64Array(p.size);
      for (let i = 0; i < v.length; i++) v[i] = src[i]! + stepSize * update[off + i]!;
      p.assign_(tensor(v, { dtype: p.dtype }).reshape([...p.shape]));
      off += p.size;
    }
  }

  private setParams(xs: Tensor[]): void {
    this.params.forEach((p, i) => p.assign_(xs[i]!));
  }

  private directionalEvaluate(closure: Closure, x: Tensor[], t: number, d: Vec): [number, Vec] {
    this.addGrad(t, d);
    const loss = Number(asNumber(enableGrad(closure)));
    const flatGrad = this.gatherFlatGrad();
    this.setParams(x);
    return [loss, flatGrad];
  }

  protected updateGroup(_group: ParamGroup<LBFGSOptions>): void {
    throw new ArgumentError('LBFGS.step: closure: expected a function that re-evaluates the loss, found none');
  }

  /** One L-BFGS step: up to `maxIter` iterations. Returns the loss from the first closure call. */
  override step(closure?: Closure): Tensor | number {
    if (!closure) throw new ArgumentError('LBFGS.step: closure: expected a function that re-evaluates the loss, found none');
    return noGrad(() => this.run(closure));
  }

  private run(closure: Closure): Tensor | number {
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const state = this.stateOf(this.params[0]!);
    state.funcEvals ??= 0;
    state.nIter ??= 0;

    const origLoss = enableGrad(closure);
    let loss = asNumber(origLoss);
    let currentEvals = 1;
    state.funcEvals = (state.funcEvals as number) + 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let d = tensorVec(state.d);
    let t = (state.t as number | undefined) ?? 0;
    let oldDirs = Array.isArray(state.oldDirs) ? state.oldDirs.map((v) => tensorVec(v)!) : [];
    let oldStps = Array.isArray(state.oldStps) ? state.oldStps.map((v) => tensorVec(v)!) : [];
    let ro = Array.isArray(state.ro) ? (state.ro as number[]).slice() : [];
    let hDiag = (state.hDiag as number | undefined) ?? 1;
    let prevFlatGrad = tensorVec(state.prevFlatGrad);
    let prevLoss = (state.prevLoss as number | undefined) ?? null;
    let al = Array.isArray(state.al) ? (state.al as (number | null)[]).slice() : null;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter = (state.nIter as number) + 1;
      if (state.nIter === 1) {
        d = neg(flatGrad);
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = axpy(flatGrad, prevFlatGrad!, -1);
        const s = d!.map((v) => v * t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        const numOld = oldDirs.length;
        al ??= new Array<number | null>(historySize).fill(null);
        let q = neg(flatGrad);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i]!, q) * ro[i]!;
          q = axpy(q, oldDirs[i]!, -al[i]!);
        }
        let r: Vec = q.map((v) => v * hDiag);
        for (let i = 0; i < numOld; i++) {
          const beI = dot(oldDirs[i]!, r) * ro[i]!;
          r = axpy(r, oldStps[i]!, al[i]! - beI);
        }
        d = r;
      }
      prevFlatGrad = flatGrad.slice();
      prevLoss = loss;
      if (state.nIter === 1) {
        const inv = 1 / absSum(flatGrad);
        // Python's min(1.0, inv): 1 when inv is NaN, unlike Math.min
        // biome-ignore lint/complexity/useMathMinMax: NaN semantics of torch's code
        t = (inv < 1 ? inv : 1) * lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d!);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.params.map((p) => p.detach());
        const objFunc: ObjFunc = (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t, d!, loss, flatGrad, gtd, 1e-4, 0.9, 1e-9, maxEval - currentEvals);
        this.addGrad(t, d!);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = asNumber(enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals = (state.funcEvals as number) + lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (absMax(d!.map((v) => v * t)) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d ? vecTensor(d) : null;
    state.t = t;
    state.oldDirs = oldDirs.map(vecTensor);
    state.oldStps = oldStps.map(vecTensor);
    state.ro = ro;
    state.hDiag = hDiag;
    state.prevFlatGrad = prevFlatGrad ? vecTensor(prevFlatGrad) : null;
    state.prevLoss = prevLoss;
    if (al) state.al = al;
    return origLoss;
  }
}

function asNumber(v: Tensor | number): number {
  return typeof v === 'number' ? v : v.item();
}
