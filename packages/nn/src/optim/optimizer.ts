import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, type DType, Tensor, enableGrad, noGrad, tensor } from '@likelihood/core';
import { StateDictError } from '../errors.js';

/** A value an optimizer keeps per parameter: moment tensors, step counts, LBFGS histories. */
export type StateValue = Tensor | number | boolean | string | null | StateValue[];
export type ParamState = Record<string, StateValue>;

/** A tensor in a JSON state dict. Non-finite numbers are the strings "nan", "inf", "-inf". */
export interface EncodedTensor {
  shape: number[];
  dtype: DType;
  data: (number | string)[];
}
export type EncodedValue = EncodedTensor | number | boolean | string | null | EncodedValue[];

/** Hyperparameter values a param group may hold (JSON-serialisable). */
export type HyperValue = number | boolean | string | null | readonly HyperValue[];

/** One group of parameters with its own hyperparameters (torch's param_groups entry). */
export type ParamGroup<H> = H & { params: Tensor[]; initialLr?: number };

/** A param group as passed to an optimizer's constructor: hyperparameters missing here come from the defaults. */
export type ParamGroupSpec<H> = Partial<H> & { params: Iterable<Tensor> };

export type Params<H> = Iterable<Tensor> | ParamGroupSpec<H>[];

/** A closure for `step`: zeroes grads, computes the loss, calls backward and returns the loss. */
export type Closure = () => Tensor | number;

/** JSON-serialisable optimizer state, laid out like torch's `optimizer.state_dict()`. */
export interface OptimizerStateDict {
  /** Per-parameter state by the parameter's index (counting across groups in order). */
  state: Record<string, Record<string, EncodedValue>>;
  /** Hyperparameters of each group plus `params`: the indices of its parameters. */
  paramGroups: (Record<string, HyperValue> & { params: number[] })[];
}

const DTYPES: readonly string[] = ['float32', 'float64', 'int32', 'bool'];

const encodeNumber = (x: number): number | string => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);
const decodeNumber = (x: unknown): number => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : (x as number));

/** Encodes a tensor as `{shape, dtype, data}` (lossless: float64 round-trips through JSON exactly). */
export function encodeTensor(t: Tensor): EncodedTensor {
  return { shape: [...t.shape], dtype: t.dtype, data: Array.from(t.storage as ArrayLike<number>, encodeNumber) };
}

function isEncodedTensor(v: unknown): v is EncodedTensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'shape' in v && 'dtype' in v && 'data' in v;
}

/** Decodes `{shape, dtype, data}`; throws a StateDictError naming `where` when it is malformed. */
export function decodeTensor(v: unknown, where: string): Tensor {
  if (!isEncodedTensor(v)) throw new StateDictError(`${where}: expected an encoded tensor {shape, dtype, data}, found ${JSON.stringify(v)?.slice(0, 80)}`);
  const { shape, dtype, data } = v;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new StateDictError(`${where}: bad shape ${JSON.stringify(shape)}`);
  if (!DTYPES.includes(dtype)) throw new StateDictError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (!Array.isArray(data) || data.length !== n) {
    throw new StateDictError(`${where}: shape ${fmt(shape)} needs ${n} values, found ${Array.isArray(data) ? data.length : typeof data}`);
  }
  const bad = data.findIndex((x) => typeof x !== 'number' && x !== 'nan' && x !== 'inf' && x !== '-inf');
  if (bad >= 0) throw new StateDictError(`${where}: data[${bad}] is ${JSON.stringify(data[bad])}, expected a number`);
  const vals = Float64Array.from(data, decodeNumber);
  return tensor(vals, { dtype }).reshape(shape);
}

export function encodeValue(v: StateValue): EncodedValue {
  if (v instanceof Tensor) return encodeTensor(v);
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === 'number') return encodeNumber(v) as number;
  return v as EncodedValue;
}

export function decodeValue(v: unknown, where: string): StateValue {
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, `${where}[${i}]`));
  if (isEncodedTensor(v)) return decodeTensor(v, where);
  if (v === 'nan' || v === 'inf' || v === '-inf') return decodeNumber(v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  throw new StateDictError(`${where}: unsupported state value ${JSON.stringify(v)?.slice(0, 80)}`);
}

/** Throws an ArgumentError unless `v` is a finite number satisfying `ok`. */
export function checkNumber(opt: string, name: string, v: unknown, ok: (x: number) => boolean, expected: string): void {
  if (typeof v !== 'number' || Number.isNaN(v) || !ok(v)) {
    throw new ArgumentError(`${opt}: ${name}: expected ${expected}, found ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
}

export function checkBool(opt: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new ArgumentError(`${opt}: ${name}: expected a boolean, found ${JSON.stringify(v)}`);
}

/** `a + alpha·b` as torch's `a.add(b, alpha=alpha)`. */
export function addScaled(a: Tensor, b: Tensor, alpha: number): Tensor {
  return alpha === 1 ? a.add(b) : a.add(b.mul(alpha));
}

/** torch.lerp's CPU formula: `a + w·(b − a)` for w < 0.5, else `b − (b − a)·(1 − w)`. */
export function lerp(a: Tensor, b: Tensor, w: number): Tensor {
  return w < 0.5 ? a.add(b.sub(a).mul(w)) : b.sub(b.sub(a).mul(1 - w));
}

/**
 * Base class of optimizers (torch.optim.Optimizer). Parameters live in groups, each with its
 * own hyperparameters; per-parameter state lives in `state`. Updates happen under `noGrad` with
 * `p.assign_(newValue)`, so tensors saved by an earlier backward keep their values.
 */
export abstract class Optimizer<H extends { lr: number } = { lr: number }> {
  readonly defaults: H;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, keyed by the parameter tensor. */
  state = new Map<Tensor, ParamState>();
  /** Keys of per-parameter state that hold tensors shaped like the parameter. */
  protected readonly paramShapedState: readonly string[] = [];

  constructor(params: Params<H>, defaults: H) {
    this.defaults = { ...defaults };
    this.validateGroup(this.defaults, 'defaults');
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<H>>)];
    if (list.length === 0) throw new ArgumentError(`${this.constructor.name}: params: expected at least one parameter, found an empty list`);
    const specs: ParamGroupSpec<H>[] = list.every((p) => p instanceof Tensor)
      ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>]
      : (list as ParamGroupSpec<H>[]);
    for (const spec of specs) this.addParamGroup(spec);
  }

  /** Adds a group; hyperparameters it leaves out come from the defaults (torch's add_param_group). */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    const where = `paramGroups[${this.paramGroups.length}]`;
    if (spec instanceof Tensor || typeof spec !== 'object' || spec === null || !('params' in spec)) {
      throw new ArgumentError(`${this.constructor.name}: ${where}: expected {params, ...hyperparameters} or a list of tensors, found ${typeof spec}`);
    }
    const params = [...spec.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ArgumentError(`${this.constructor.name}: ${where}.params[${i}]: expected a Tensor, found ${typeof p}`);
      if (seen.has(p)) throw new ArgumentError(`${this.constructor.name}: ${where}.params[${i}]: expected each parameter in one group only, found it twice`);
      seen.add(p);
    });
    const group = { ...this.defaults, ...spec, params } as ParamGroup<H>;
    this.validateGroup(group, where);
    this.paramGroups.push(group);
  }

  /** Throws an ArgumentError naming the hyperparameter when a group's value is out of range. */
  protected validateGroup(g: H, where: string): void {
    checkNumber(`${this.constructor.name} ${where}`, 'lr', g.lr, (x) => x >= 0, 'a number >= 0');
  }

  /** Checks per-parameter state decoded from a state dict (shapes of param-shaped tensors). */
  protected validateState(p: Tensor, s: ParamState, where: string): void {
    for (const k of this.paramShapedState) {
      const v = s[k];
      if (v === undefined || v === null) continue;
      if (!(v instanceof Tensor)) throw new StateDictError(`${where}.${k}: expected a tensor, found ${typeof v}`);
      if (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i])) {
        throw new StateDictError(`${where}.${k}: shape ${fmt(v.shape)} in the state dict, ${fmt(p.shape)} for the parameter`);
      }
    }
  }

  /** Sets every parameter's `.grad` to null. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** Performs one update. With a closure, it is re-run with grad enabled and its loss returned. */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) this.updateGroup(g);
    });
    return loss;
  }

  /** Updates the parameters of one group (called under noGrad). */
  protected abstract updateGroup(group: ParamGroup<H>): void;

  /** Per-parameter state, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /** Parameters in state-dict index order. */
  protected allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The optimizer's state as JSON-serialisable data (torch's `state_dict()`). */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    this.allParams().forEach((p, i) => {
      const s = this.state.get(p);
      if (!s) return;
      const enc: Record<string, EncodedValue> = {};
      for (const [k, v] of Object.entries(s)) enc[k] = encodeValue(v);
      state[String(i)] = enc;
    });
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      const copy = JSON.parse(JSON.stringify(hyper)) as Record<string, HyperValue>;
      return { ...copy, params: params.map(() => next++) };
    });
    return { state, paramGroups };
  }

  /**
   * Restores state saved by `stateDict()`. Group count, each group's parameter count, state
   * indices, tensor encodings, state shapes and hyperparameters are all checked before anything
   * changes; a failed load throws a StateDictError (ArgumentError for bad hyperparameters) and
   * leaves the optimizer as it was.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (typeof sd !== 'object' || sd === null || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
      throw new StateDictError(`${name}.loadStateDict: expected {state, paramGroups}, found ${JSON.stringify(sd)?.slice(0, 80)}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new StateDictError(`${name}.loadStateDict: the state dict has ${sd.paramGroups.length} param groups, the optimizer has ${this.paramGroups.length}`);
    }
    const newGroups: ParamGroup<H>[] = [];
    const indexToParam = new Map<number, Tensor>();
    sd.paramGroups.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!;
      if (!Array.isArray(sg.params) || sg.params.length !== own.params.length) {
        throw new StateDictError(
          `${name}.loadStateDict: paramGroups[${gi}] has ${Array.isArray(sg.params) ? sg.params.length : 'no'} params in the state dict, ${own.params.length} in the optimizer`,
        );
      }
      sg.params.forEach((idx, k) => {
        if (!Number.isInteger(idx) || indexToParam.has(idx)) throw new StateDictError(`${name}.loadStateDict: paramGroups[${gi}].params[${k}]: bad or repeated index ${idx}`);
        indexToParam.set(idx, own.params[k]!);
      });
      const { params: _ignored, ...hyper } = sg;
      const group = { ...own, ...(JSON.parse(JSON.stringify(hyper)) as object), params: own.params } as ParamGroup<H>;
      this.validateGroup(group, `loadStateDict paramGroups[${gi}]`);
      newGroups.push(group);
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, enc] of Object.entries(sd.state)) {
      const where = `${name}.loadStateDict: state[${key}]`;
      const p = indexToParam.get(Number(key));
      if (p === undefined || !/^\d+$/.test(key)) throw new StateDictError(`${where}: no parameter has index ${key} (the groups hold ${indexToParam.size})`);
      if (typeof enc !== 'object' || enc === null) throw new StateDictError(`${where}: expected an object, found ${typeof enc}`);
      const s: ParamState = {};
      for (const [k, v] of Object.entries(enc)) s[k] = decodeValue(v, `${where}.${k}`);
      this.validateState(p, s, where);
      // Like torch, floating state shaped like the parameter takes the parameter's dtype.
      for (const k of this.paramShapedState) {
        const v = s[k];
        if (v instanceof Tensor && v.dtype !== p.dtype) s[k] = v.to(p.dtype);
      }
      newState.set(p, s);
    }
    this.validateLoadedState(newState);
    newGroups.forEach((g, i) => {
      this.paramGroups[i] = g;
    });
    this.state = newState;
  }

  /** Hook for optimizers whose state spans several parameters (LBFGS). */
  protected validateLoadedState(_state: Map<Tensor, ParamState>): void {}
}
