import { ArgumentError, LikelihoodError, fmtShape } from '../errors.js';
import type { PrimitiveAttrs, PrimitiveName } from '../primitives.js';
import { Tensor } from '../tensor.js';
import { Graph, type GraphConstant, type GraphMutation, type GraphNode, type GraphRandom, type ValueInfo } from './graph.js';
import { type RandomSpec, type TraceRecorder, activeRecorder, setActiveRecorder } from './hooks.js';

/** What a traced function may return: one tensor, an array of them, or an object of them. */
export type TraceOutputs = Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;

export interface TraceResult<R extends TraceOutputs> {
  graph: Graph;
  /** What `fn` returned when it ran eagerly during the trace. */
  outputs: R;
}

/** Tracing met something a static graph cannot express. */
export class TraceError extends LikelihoodError {
  override name = 'TraceError';
}

/**
 * Records every primitive op (and random draw) as the traced function runs eagerly. Tensors
 * are mapped to graph values by identity; a tensor first seen as an op input that is neither
 * an example input nor produced during the trace is a constant (a weight the function closed
 * over, or a tensor it built from JS numbers).
 */
class Recorder implements TraceRecorder {
  readonly values: ValueInfo[] = [];
  readonly constants: GraphConstant[] = [];
  readonly randoms: GraphRandom[] = [];
  readonly nodes: GraphNode[] = [];
  readonly mutations = new Map<number, number>();
  private readonly ids = new Map<Tensor, number>();
  private readonly inputIndex = new Map<Tensor, number>();
  /** Values that depend on an input or a random draw (constants and ops on constants do not). */
  private readonly dependent = new Set<number>();

  constructor(inputs: readonly Tensor[]) {
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ArgumentError(`trace: exampleInputs[${i}] must be a Tensor, found ${typeof t}`);
      if (this.inputIndex.has(t)) {
        throw new ArgumentError(`trace: exampleInputs[${i}] is the same tensor as exampleInputs[${this.inputIndex.get(t)}]; pass distinct tensors`);
      }
      this.inputIndex.set(t, i);
      const id = this.newValue(t);
      this.ids.set(t, id);
      this.dependent.add(id);
    });
  }

  private newValue(t: Tensor): number {
    this.values.push({ shape: [...t.shape], dtype: t.dtype });
    return this.values.length - 1;
  }

  idOf(t: Tensor): number {
    let id = this.ids.get(t);
    if (id === undefined) {
      id = this.newValue(t);
      this.constants.push({ value: id, data: t.storage });
      this.ids.set(t, id);
    }
    return id;
  }

  recordOp(op: string, inputs: readonly Tensor[], attrs: unknown, output: Tensor): void {
    const ins = inputs.map((t) => this.idOf(t));
    const id = this.newValue(output);
    this.ids.set(output, id);
    if (ins.some((i) => this.dependent.has(i))) this.dependent.add(id);
    this.nodes.push({ op: op as PrimitiveName, inputs: ins, attrs: structuredClone(attrs) as PrimitiveAttrs[PrimitiveName], output: id });
  }

  recordRandom(spec: RandomSpec, output: Tensor): void {
    const id = this.newValue(output);
    this.ids.set(output, id);
    this.dependent.add(id);
    this.randoms.push({ value: id, spec: { ...spec, shape: [...spec.shape] } });
  }

  recordAlias(source: Tensor, alias: Tensor): void {
    const id = this.ids.get(source);
    if (id !== undefined) this.ids.set(alias, id);
  }

  recordRead(t: Tensor, how: string): void {
    const id = this.ids.get(t);
    if (id === undefined || !this.dependent.has(id)) return; // fixed values: constants and ops on them
    throw new TraceError(
      `trace: the traced function read the values of a tensor of shape ${fmtShape(t.shape)} with ${how}, and they depend on ` +
        'its inputs (or on random draws): data-dependent control flow or JavaScript arithmetic would be frozen into the graph ' +
        'for these example inputs. Keep the computation in tensor ops (e.g. where() instead of if, clamp() instead of Math.min)',
    );
  }

  recordAssign(target: Tensor, value: Tensor): void {
    const input = this.inputIndex.get(target);
    if (input === undefined) {
      throw new TraceError(
        `trace: assign_ to a tensor of shape ${fmtShape(target.shape)} that is not one of the example inputs; ` +
          'a graph can only update its inputs, so pass that tensor (a parameter, a running statistic) as an input',
      );
    }
    const id = this.idOf(value);
    this.ids.set(target, id);
    this.mutations.set(input, id);
  }
}

/**
 * Runs `fn(...exampleInputs)` eagerly and records the primitive ops it performs, forward and
 * (when `fn` calls `backward()`, `grad` or `autogradGrad`) backward, into a `Graph` with the
 * example inputs' static shapes. Tensors the function closes over become constants; `rand`
 * and `randn` become random draws repeated at run time (dropout included); `assign_` on an
 * input (an optimizer step) becomes a mutation that `interpret` repeats. Python-side control
 * flow is baked in, as with torch.jit.trace.
 *
 * Random numbers drawn by `randint`, `randperm`, `multinomial`, `gamma` and `poisson` are not
 * replayed: their values are frozen into the graph as constants.
 */
export function trace<R extends TraceOutputs>(fn: (...inputs: Tensor[]) => R, exampleInputs: readonly Tensor[]): TraceResult<R> {
  if (typeof fn !== 'function') throw new ArgumentError(`trace: fn must be a function, found ${typeof fn}`);
  if (!Array.isArray(exampleInputs)) throw new ArgumentError(`trace: exampleInputs must be an array of Tensors, found ${typeof exampleInputs}`);
  if (activeRecorder()) throw new TraceError('trace: a trace is already active; traces do not nest');
  const rec = new Recorder(exampleInputs);
  const prev = setActiveRecorder(rec);
  let result: R;
  try {
    result = fn(...exampleInputs);
  } finally {
    setActiveRecorder(prev);
  }
  const { tensors, names, single } = flattenOutputs(result);
  const outputs = tensors.map((t) => rec.idOf(t));
  const mutations: GraphMutation[] = [...rec.mutations].sort((a, b) => a[0] - b[0]).map(([input, value]) => ({ input, value }));
  const graph = compact(rec, exampleInputs.length, outputs, mutations, names, single);
  return { graph, outputs: result };
}

function flattenOutputs(result: unknown): { tensors: Tensor[]; names: string[] | null; single: boolean } {
  if (result instanceof Tensor) return { tensors: [result], names: null, single: true };
  if (Array.isArray(result)) {
    result.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ArgumentError(`trace: fn must return Tensors; output ${i} is ${typeof t}`);
    });
    return { tensors: result as Tensor[], names: null, single: false };
  }
  if (result && typeof result === 'object') {
    const entries = Object.entries(result);
    for (const [k, t] of entries) if (!(t instanceof Tensor)) throw new ArgumentError(`trace: fn must return Tensors; output '${k}' is ${typeof t}`);
    return { tensors: entries.map(([, t]) => t as Tensor), names: entries.map(([k]) => k), single: false };
  }
  throw new ArgumentError(`trace: fn must return a Tensor, an array of Tensors or an object of Tensors, found ${typeof result}`);
}

/**
 * Drops nodes and constants that no output or mutation depends on, and renumbers values:
 * inputs, then constants, then random draws, then node outputs in execution order. Random
 * draws are all kept, so running the graph consumes a generator exactly as the eager run did.
 */
function compact(rec: Recorder, nInputs: number, outputs: number[], mutations: GraphMutation[], names: string[] | null, single: boolean): Graph {
  const live = new Uint8Array(rec.values.length);
  for (const v of outputs) live[v] = 1;
  for (const m of mutations) live[m.value] = 1;
  for (let i = rec.nodes.length - 1; i >= 0; i--) {
    const n = rec.nodes[i]!;
    if (live[n.output]) for (const v of n.inputs) live[v] = 1;
  }
  const map = new Int32Array(rec.values.length).fill(-1);
  const values: ValueInfo[] = [];
  const keep = (v: number) => {
    map[v] = values.length;
    values.push(rec.values[v]!);
    return map[v]!;
  };
  const inputs = Array.from({ length: nInputs }, (_, i) => keep(i));
  const constants = rec.constants.filter((c) => live[c.value]).map((c) => ({ value: keep(c.value), data: c.data }));
  const randoms = rec.randoms.map((r) => ({ value: keep(r.value), spec: r.spec }));
  const nodes = rec.nodes
    .filter((n) => live[n.output])
    .map((n) => ({ op: n.op, inputs: n.inputs.map((v) => map[v]!), attrs: n.attrs, output: keep(n.output) }));
  return new Graph({
    values,
    inputs,
    constants,
    randoms,
    nodes,
    outputs: outputs.map((v) => map[v]!),
    outputNames: names,
    singleOutput: single,
    mutations: mutations.map((m) => ({ input: m.input, value: map[m.value]! })),
  });
}
