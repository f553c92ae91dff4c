import { ArgumentError, type Graph, type Tensor, type TraceOutputs, trace } from '@likelihood/core';
import { type LowerOptions, type LoweredModel, lowerGraph } from './lower.js';
import { encodeModel } from './proto.js';

/** Anything with a `forward` (an nn Module): exported as `(...inputs) => module.forward(...inputs)`. */
export interface Forwardable {
  forward(...inputs: Tensor[]): unknown;
}

export type Traceable = ((...inputs: Tensor[]) => TraceOutputs) | Forwardable;

export interface ExportOptions extends LowerOptions {
  /** Also write the bytes to this path (Node only). */
  file?: string;
}

export interface OnnxExport extends LoweredModel {
  /** The serialised ModelProto. */
  bytes: Uint8Array;
  /** The captured graph it was lowered from. */
  graph: Graph;
}

/** `fn` itself, or `module.forward` bound to the module. */
export function asFunction(fnOrModule: Traceable, where: string): (...inputs: Tensor[]) => TraceOutputs {
  if (typeof fnOrModule === 'function') return fnOrModule;
  if (fnOrModule && typeof (fnOrModule as Forwardable).forward === 'function') {
    const m = fnOrModule as Forwardable;
    return (...inputs: Tensor[]) => m.forward(...inputs) as TraceOutputs;
  }
  throw new ArgumentError(`${where}: expected a function or a module with forward(), found ${typeof fnOrModule}`);
}

/** Lowers an already captured graph and serialises it. */
export function exportGraph(graph: Graph, opts: ExportOptions = {}): OnnxExport {
  const lowered = lowerGraph(graph, opts);
  const bytes = encodeModel(lowered.model);
  if (opts.file) writeFile(opts.file, bytes);
  return { ...lowered, bytes, graph };
}

/**
 * Traces `fnOrModule(...exampleInputs)` and writes it as an ONNX model (opset 17): weights the
 * function closes over (a module's parameters) become initializers, inputs keep the example
 * inputs' static shapes (except `dynamicAxes`), and forward and backward ops alike are lowered
 * one primitive at a time. Returns the bytes with the names of inputs and outputs.
 *
 *   const { bytes } = exportOnnx(model, [idx], { inputNames: ['idx'], outputNames: ['logits'] });
 */
export function exportOnnx(fnOrModule: Traceable, exampleInputs: readonly Tensor[], opts: ExportOptions = {}): OnnxExport {
  const fn = asFunction(fnOrModule, 'exportOnnx');
  const { graph } = trace(fn, exampleInputs);
  return exportGraph(graph, opts);
}

function writeFile(path: string, bytes: Uint8Array): void {
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as
    | typeof import('node:fs')
    | undefined;
  if (!fs) throw new ArgumentError(`exportOnnx: file: writing '${path}' needs Node (>= 20.16); in a browser, save the returned bytes yourself`);
  fs.writeFileSync(path, bytes);
}
