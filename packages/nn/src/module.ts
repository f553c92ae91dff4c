import { fmtShape as fmt } from '@likelihood/core';
import { Tensor, noGrad } from '@likelihood/core';
import { StateDictError } from './errors.js';
import { Parameter } from './parameter.js';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true), as torch's `load_state_dict(strict=True)`. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}


/**
 * Base class of every layer and model (torch.nn.Module).
 *
 * Parameters and submodules are found by walking the instance's own fields in the order they
 * were assigned: a `Parameter` field is a parameter, a `Module` field a submodule, and a tensor
 * registered with `registerBuffer` a buffer. Their dotted names (`encoder.0.weight`) are the
 * state-dict keys, so a layer whose fields carry PyTorch's names has PyTorch's keys. Fields
 * holding `null` (a layer built with `bias: false`) and fields starting with `_` are skipped.
 */
export abstract class Module {
  /** Training mode (dropout active, batch statistics used); `eval()` clears it. */
  training = true;
  private readonly _bufferNames = new Map<string, { persistent: boolean }>();

  abstract forward(...args: never[]): unknown;

  /** Registers a tensor that is state but not a parameter (BatchNorm's running statistics). */
  registerBuffer(name: string, value: Tensor | null, opts: { persistent?: boolean } = {}): void {
    this._bufferNames.set(name, { persistent: opts.persistent ?? true });
    (this as Record<string, unknown>)[name] = value;
  }

  /** A registered buffer by name. */
  protected buffer(name: string): Tensor {
    const v = (this as Record<string, unknown>)[name];
    if (!(v instanceof Tensor)) throw new StateDictError(`${this.constructor.name}: buffer '${name}' is not set`);
    return v;
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this).filter(([k, v]) => !k.startsWith('_') && v !== null && v !== undefined);
  }

  /** Direct submodules with their field names. */
  namedChildren(): [string, Module][] {
    return this.ownEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first, each once. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [k, c] of m.namedChildren()) visit(c, p ? `${p}.${k}` : k);
    };
    visit(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names; a parameter shared by two modules is listed once. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [p, m] of this.namedModules()) {
      for (const [k, v] of m.ownEntries()) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          out.push([p ? `${p}.${k}` : k, v]);
        }
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) {
      for (const [k] of m._bufferNames) {
        const v = (m as unknown as Record<string, unknown>)[k];
        if (v instanceof Tensor) out.push([p ? `${p}.${k}` : k, v]);
      }
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Total number of scalar parameters (shared ones counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Calls `fn` on every submodule and then on this one (torch's order), e.g. for custom init. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Clears every parameter's `.grad`. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters and persistent buffers by dotted name, as torch's `state_dict()`. A tied
   * parameter appears under every name that reaches it. The tensors are detached and share
   * storage with the module; storage is never written in place, so the dict is a snapshot.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [k, t] of this.stateTargets()) out[k] = t.detach();
    return out;
  }

  /**
   * Copies values from `sd` into this module's parameters and buffers. Everything is checked
   * before anything is written, so a failed load leaves the module untouched. Shape or dtype
   * mismatches always throw; with `strict` (default) missing and unexpected keys throw too,
   * and the error lists every offending name.
   */
  loadStateDict(sd: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const own = this.stateTargets();
    const missingKeys = [...own.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !own.has(k));
    const problems: string[] = [];
    for (const [k, target] of own) {
      const v = sd[k];
      if (v === undefined) continue;
      if (!(v instanceof Tensor)) problems.push(`${k}: expected a Tensor, found ${typeof v}`);
      else if (v.shape.length !== target.shape.length || v.shape.some((d, i) => d !== target.shape[i])) {
        problems.push(`${k}: shape ${fmt(v.shape)} in the state dict, ${fmt(target.shape)} in the module`);
      } else if (v.dtype !== target.dtype) problems.push(`${k}: dtype ${v.dtype} in the state dict, ${target.dtype} in the module`);
    }
    if (strict) {
      if (missingKeys.length) problems.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    }
    if (problems.length) {
      throw new StateDictError(`loadStateDict into ${this.constructor.name}: ${problems.join('; ')}`);
    }
    noGrad(() => {
      for (const [k, target] of own) if (sd[k]) target.assign_(sd[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The tensors `loadStateDict` writes into, by state-dict key. */
  private stateTargets(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [p, m] of this.namedModules()) {
      const pre = p ? `${p}.` : '';
      for (const [k, v] of m.ownEntries()) if (v instanceof Parameter) out.set(pre + k, v);
      for (const [k, { persistent }] of m._bufferNames) {
        const v = (m as unknown as Record<string, unknown>)[k];
        if (persistent && v instanceof Tensor) out.set(pre + k, v);
      }
    }
    return out;
  }

  /** Extra text for `toString()` (layer sizes); override in layers. */
  extraRepr(): string {
    return '';
  }

  /** A PyTorch-style tree of the module. */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const body = kids.map(([k, m]) => `  (${k}): ${m.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
}
