import { DTypeError, ShapeError, fmtShape, ArgumentError } from '../errors.js';
import { type Generator, defaultGenerator } from '../random/generator.js';
import { allocate } from '../dtype.js';
import { type BackendName, type TensorData, getKernel } from '../registry.js';
import { Tensor } from '../tensor.js';
import { GraphError, type Graph } from './graph.js';

export interface InterpretOptions {
  /** Generator for the graph's random draws (default: the global one), consumed in trace order. */
  generator?: Generator;
  /** Backend whose kernels run the nodes (default: the current backend). */
  backend?: BackendName;
}

/** What `interpret` returns: the traced function's output structure, as plain tensors. */
export type InterpretOutputs = Tensor | Tensor[] | Record<string, Tensor>;

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Runs a captured graph on a backend's kernels, node by node. Inputs must have the traced
 * shapes and dtypes. Random draws come from `generator` in the order they were traced, so with
 * the same generator state the result equals the eager run's. Mutations recorded during the
 * trace (an optimizer's `assign_` on an input) are applied to the given input tensors.
 * Outputs carry no gradient history.
 */
export function interpret(graph: Graph, inputs: readonly Tensor[], opts: InterpretOptions = {}): InterpretOutputs {
  if (inputs.length !== graph.inputs.length) {
    throw new ArgumentError(`interpret: the graph takes ${graph.inputs.length} inputs, found ${inputs.length}`);
  }
  const env: (TensorData | undefined)[] = new Array(graph.values.length);
  graph.inputs.forEach((v, i) => {
    const t = inputs[i]!;
    const want = graph.values[v]!;
    if (!(t instanceof Tensor)) throw new ArgumentError(`interpret: inputs[${i}] must be a Tensor, found ${typeof t}`);
    if (!sameShape(t.shape, want.shape)) throw new ShapeError(`interpret: inputs[${i}] has shape ${fmtShape(t.shape)}, the graph was traced with ${fmtShape(want.shape)}`);
    if (t.dtype !== want.dtype) throw new DTypeError(`interpret: inputs[${i}] has dtype ${t.dtype}, the graph was traced with ${want.dtype}`);
    env[v] = t;
  });
  for (const c of graph.constants) env[c.value] = { storage: c.data, shape: graph.values[c.value]!.shape, dtype: graph.values[c.value]!.dtype };
  const gen = opts.generator ?? defaultGenerator();
  for (const r of graph.randoms) {
    const s = allocate(r.spec.dtype, r.spec.shape.reduce((a, b) => a * b, 1)) as Float32Array | Float64Array;
    if (r.spec.kind === 'uniform') gen.fillUniform(s);
    else gen.fillNormal(s);
    env[r.value] = { storage: s, shape: r.spec.shape, dtype: r.spec.dtype };
  }
  for (const node of graph.nodes) {
    const out = getKernel(node.op, opts.backend)(
      node.inputs.map((v) => env[v]!),
      node.attrs,
    );
    const want = graph.values[node.output]!;
    if (!sameShape(out.shape, want.shape) || out.dtype !== want.dtype) {
      throw new GraphError(`interpret: ${node.op} produced ${out.dtype}${fmtShape(out.shape)}, the graph says ${want.dtype}${fmtShape(want.shape)}`);
    }
    env[node.output] = out;
  }
  const wrap = (v: number) => {
    const d = env[v]!;
    return d instanceof Tensor ? d.detach() : new Tensor(d.storage, d.shape, d.dtype);
  };
  const outs = graph.outputs.map(wrap);
  const updates = graph.mutations.map((m) => [m.input, wrap(m.value)] as const);
  for (const [i, value] of updates) inputs[i]!.assign_(value);
  if (graph.singleOutput) return outs[0]!;
  if (graph.outputNames) return Object.fromEntries(graph.outputNames.map((k, i) => [k, outs[i]!]));
  return outs;
}
