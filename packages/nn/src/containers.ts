import { ArgumentError } from '@likelihood/core';
import { Module } from './module.js';

/** A list of submodules named `0`, `1`, ... (torch.nn.ModuleList). It has no forward. */
export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  get length(): number {
    return this.namedChildren().length;
  }

  push(m: M): this {
    if (!(m instanceof Module)) throw new ArgumentError(`${this.constructor.name}.push: expected a Module, found ${typeof m}`);
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }

  at(i: number): M {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!(j >= 0 && j < n)) throw new ArgumentError(`${this.constructor.name}.at: index ${i} out of range for ${n} modules`);
    return (this as unknown as Record<string, M>)[String(j)]!;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  forward(..._args: unknown[]): unknown {
    throw new ArgumentError(`${this.constructor.name} has no forward; iterate over it instead`);
  }
}

/** Modules applied one after another (torch.nn.Sequential); children are named `0`, `1`, ... */
export class Sequential extends ModuleList<Module & { forward(x: never): unknown }> {
  constructor(...modules: (Module & { forward(x: never): unknown })[]) {
    super(modules);
  }

  override forward<T = unknown>(x: unknown): T {
    let h = x;
    for (const m of this) h = (m.forward as (x: unknown) => unknown)(h);
    return h as T;
  }
}
