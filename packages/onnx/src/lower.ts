import type { Graph, ValueInfo } from '@likelihood/core';
import { ArgumentError } from '@likelihood/core';
import { OnnxBuilder, onnxType, rawBytes } from './builder.js';
import { OnnxExportError } from './errors.js';
import { lowerNode } from './ops.js';
import type { DimProto, ModelProtoObject, ValueInfoProto } from './proto.js';

/** The opset the lowering targets. */
export const OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

export interface LowerOptions {
  /** Names of the graph's inputs, in order (default input_0, input_1, ...). */
  inputNames?: string[];
  /** Names of the graph's outputs (default: the traced object's keys, else output_0, ...). */
  outputNames?: string[];
  /**
   * Axes whose size is not fixed, by input/output name: `{ x: { 0: 'batch' } }` (as torch.onnx).
   * The graph's Reshape/Expand targets stay the traced sizes, so a dynamic axis works only
   * where no reshape bakes it in.
   */
  dynamicAxes?: Record<string, Record<number, string>>;
  /**
   * How rand/randn draws in the traced function are written: 'inputs' (default) makes each one
   * an extra graph input named random_<k>, filled by the caller from a likelihood Generator, so
   * the ONNX run sees the same noise as the eager one; 'ops' makes them RandomUniform /
   * RandomNormal nodes drawn by the runtime (different numbers, same distribution).
   */
  randoms?: 'inputs' | 'ops';
  /** Model doc string. */
  docString?: string;
}

/** A lowered model and how its named inputs and outputs line up with the core graph. */
export interface LoweredModel {
  model: ModelProtoObject;
  /** Names of the traced inputs, then (randoms: 'inputs') of the random draws. */
  inputNames: string[];
  randomInputNames: string[];
  /** Names of the traced outputs, then of the updated inputs (one per mutation). */
  outputNames: string[];
  mutationOutputNames: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

function checkNames(what: string, names: string[], count: number): void {
  if (names.length !== count) throw new ArgumentError(`exportOnnx: ${what}: expected ${count} names, found ${names.length} (${JSON.stringify(names)})`);
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || !NAME.test(n)) throw new ArgumentError(`exportOnnx: ${what}: '${String(n)}' is not a valid name (letters, digits, _ . : / -)`);
    if (seen.has(n)) throw new ArgumentError(`exportOnnx: ${what}: the name '${n}' appears twice`);
    seen.add(n);
  }
}

function valueInfo(name: string, info: ValueInfo, dynamic: Record<number, string> | undefined): ValueInfoProto {
  const dim: DimProto[] = info.shape.map((d, axis) => (dynamic?.[axis] !== undefined ? { dim_param: dynamic[axis] } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: onnxType(info.dtype), shape: { dim } } } };
}

/**
 * Lowers a core graph to an ONNX ModelProto object (opset 17): graph inputs with static shapes,
 * constants as initializers, one ONNX node (rarely a few) per primitive, outputs through Identity
 * nodes so every output has its own name, and one extra output `<input>_updated` per mutation
 * (an optimizer's assign_), which the caller writes back.
 */
export function lowerGraph(graph: Graph, opts: LowerOptions = {}): LoweredModel {
  const inputNames = opts.inputNames ?? graph.inputs.map((_, i) => `input_${i}`);
  checkNames('inputNames', inputNames, graph.inputs.length);
  const outputNames = opts.outputNames ?? graph.outputNames ?? graph.outputs.map((_, i) => `output_${i}`);
  checkNames('outputNames', outputNames, graph.outputs.length);
  const randomMode = opts.randoms ?? 'inputs';
  if (randomMode !== 'inputs' && randomMode !== 'ops') throw new ArgumentError(`exportOnnx: randoms must be 'inputs' or 'ops', found ${JSON.stringify(randomMode)}`);
  const randomInputNames = randomMode === 'inputs' ? graph.randoms.map((_, k) => `random_${k}`) : [];
  const mutationOutputNames = graph.mutations.map((m) => `${inputNames[m.input]}_updated`);
  const allIn = [...inputNames, ...randomInputNames];
  const allOut = [...outputNames, ...mutationOutputNames];
  checkNames('input and output names', [...allIn, ...allOut], allIn.length + allOut.length);
  for (const key of Object.keys(opts.dynamicAxes ?? {})) {
    if (!allIn.includes(key) && !allOut.includes(key)) throw new ArgumentError(`exportOnnx: dynamicAxes names '${key}', which is neither an input nor an output (${[...allIn, ...allOut].join(', ')})`);
  }

  const b = new OnnxBuilder();
  const names: string[] = graph.values.map((_, v) => `v${v}`);
  graph.inputs.forEach((v, i) => (names[v] = inputNames[i]!));
  for (const c of graph.constants) {
    const info = graph.values[c.value]!;
    names[c.value] = b.initializer(`const_${c.value}`, info.shape, onnxType(info.dtype), rawBytes(c.data).slice());
  }
  graph.randoms.forEach((r, k) => {
    if (randomMode === 'inputs') names[r.value] = randomInputNames[k]!;
    else b.node(r.spec.kind === 'uniform' ? 'RandomUniform' : 'RandomNormal', [], [names[r.value]!], { dtype: onnxType(r.spec.dtype), shape: [...r.spec.shape] });
  });
  let usesMicrosoft = false;
  for (const node of graph.nodes) {
    if (node.op === 'Inverse') usesMicrosoft = true;
    lowerNode(node.op, {
      b,
      inputs: node.inputs.map((v) => names[v]!),
      inTypes: node.inputs.map((v) => graph.values[v]!),
      attrs: node.attrs as never,
      out: names[node.output]!,
      outType: graph.values[node.output]!,
    });
  }
  const outValues = [...graph.outputs, ...graph.mutations.map((m) => m.value)];
  outValues.forEach((v, i) => b.node('Identity', [names[v]!], [allOut[i]!]));

  const dyn = opts.dynamicAxes ?? {};
  const input: ValueInfoProto[] = [
    ...graph.inputs.map((v, i) => valueInfo(inputNames[i]!, graph.values[v]!, dyn[inputNames[i]!])),
    ...graph.randoms.filter(() => randomMode === 'inputs').map((r, k) => valueInfo(randomInputNames[k]!, graph.values[r.value]!, dyn[randomInputNames[k]!])),
  ];
  const output = outValues.map((v, i) => valueInfo(allOut[i]!, graph.values[v]!, dyn[allOut[i]!]));
  if (b.nodes.length === 0) throw new OnnxExportError('exportOnnx: the graph is empty');
  const model: ModelProtoObject = {
    ir_version: IR_VERSION,
    producer_name: 'likelihood',
    producer_version: '0.1.0',
    ...(opts.docString ? { doc_string: opts.docString } : {}),
    opset_import: [{ domain: '', version: OPSET }, ...(usesMicrosoft ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    graph: { name: 'likelihood_graph', node: b.nodes, initializer: b.initializers, input, output },
  };
  return { model, inputNames: allIn, randomInputNames, outputNames: allOut, mutationOutputNames };
}
