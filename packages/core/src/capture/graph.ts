import { type DType, type TypedArray, allocate } from '../dtype.js';
import { ArgumentError, LikelihoodError } from '../errors.js';
import type { PrimitiveAttrs, PrimitiveName } from '../primitives.js';
import type { RandomSpec } from './hooks.js';

/** A graph is malformed, or a graph file does not describe one. */
export class GraphError extends LikelihoodError {
  override name = 'GraphError';
}

/** Static type of one graph value. */
export interface ValueInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One primitive op: `output = op(inputs...; attrs)`. Values are referred to by index. */
export interface GraphNode<K extends PrimitiveName = PrimitiveName> {
  readonly op: K;
  readonly inputs: readonly number[];
  readonly attrs: PrimitiveAttrs[K];
  readonly output: number;
}

/** A value the graph holds itself: a weight or a tensor built inside the traced function. */
export interface GraphConstant {
  readonly value: number;
  readonly data: TypedArray;
}

/** A value drawn from a generator each time the graph runs (rand/randn in the traced function). */
export interface GraphRandom {
  readonly value: number;
  readonly spec: RandomSpec;
}

/** `inputs[input].assign_(value)` happened in the traced function; running the graph repeats it. */
export interface GraphMutation {
  readonly input: number;
  readonly value: number;
}

export interface GraphParts {
  values: ValueInfo[];
  inputs: number[];
  constants: GraphConstant[];
  randoms: GraphRandom[];
  nodes: GraphNode[];
  outputs: number[];
  /** Keys when the traced function returned an object; null for a tensor or an array. */
  outputNames: string[] | null;
  /** True when the traced function returned a single tensor (not an array or object). */
  singleOutput: boolean;
  mutations: GraphMutation[];
}

/**
 * A captured computation with static shapes: inputs, constants, random draws, primitive nodes
 * in execution order, outputs, and in-place updates of inputs. Values are numbered so that
 * every node's inputs come before its output. Each node is one primitive, and each primitive
 * is one ONNX operator, so lowering to ONNX is a walk over `nodes`.
 */
export class Graph implements GraphParts {
  readonly values: ValueInfo[];
  readonly inputs: number[];
  readonly constants: GraphConstant[];
  readonly randoms: GraphRandom[];
  readonly nodes: GraphNode[];
  readonly outputs: number[];
  readonly outputNames: string[] | null;
  readonly singleOutput: boolean;
  readonly mutations: GraphMutation[];

  constructor(parts: GraphParts) {
    this.values = parts.values;
    this.inputs = parts.inputs;
    this.constants = parts.constants;
    this.randoms = parts.randoms;
    this.nodes = parts.nodes;
    this.outputs = parts.outputs;
    this.outputNames = parts.outputNames;
    this.singleOutput = parts.singleOutput;
    this.mutations = parts.mutations;
    this.validate();
  }

  /** Checks that every value is defined exactly once, before it is used. */
  private validate(): void {
    const n = this.values.length;
    const defined = new Uint8Array(n);
    const define = (v: number, what: string) => {
      if (!Number.isInteger(v) || v < 0 || v >= n) throw new GraphError(`graph: ${what} refers to value %${v}, but the graph has ${n} values`);
      if (defined[v]) throw new GraphError(`graph: value %${v} is defined twice (again by ${what})`);
      defined[v] = 1;
    };
    const use = (v: number, what: string) => {
      if (!Number.isInteger(v) || v < 0 || v >= n || !defined[v]) throw new GraphError(`graph: ${what} uses value %${v} before it is defined`);
    };
    this.inputs.forEach((v, i) => define(v, `input ${i}`));
    for (const c of this.constants) {
      define(c.value, 'a constant');
      const info = this.values[c.value]!;
      const size = info.shape.reduce((a, b) => a * b, 1);
      if (c.data.length !== size) throw new GraphError(`graph: constant %${c.value} holds ${c.data.length} elements, its shape [${info.shape}] needs ${size}`);
    }
    for (const r of this.randoms) define(r.value, 'a random draw');
    this.nodes.forEach((node, i) => {
      for (const v of node.inputs) use(v, `node ${i} (${node.op})`);
      define(node.output, `node ${i} (${node.op})`);
    });
    this.outputs.forEach((v, i) => use(v, `output ${i}`));
    for (const m of this.mutations) {
      if (!(m.input >= 0 && m.input < this.inputs.length)) throw new GraphError(`graph: a mutation names input ${m.input}, but the graph has ${this.inputs.length} inputs`);
      use(m.value, `the mutation of input ${m.input}`);
    }
    if (this.outputNames && this.outputNames.length !== this.outputs.length) {
      throw new GraphError(`graph: ${this.outputNames.length} output names for ${this.outputs.length} outputs`);
    }
  }

  /** How many times each primitive occurs. */
  opCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const n of this.nodes) out[n.op] = (out[n.op] ?? 0) + 1;
    return out;
  }

  /** A readable listing, one line per value, like torch.fx's graph printout. */
  toString(): string {
    const ty = (v: number) => `${this.values[v]!.dtype}[${this.values[v]!.shape.join(', ')}]`;
    const lines: string[] = [];
    this.inputs.forEach((v, i) => lines.push(`%${v}: ${ty(v)} = input(${i})`));
    for (const c of this.constants) lines.push(`%${c.value}: ${ty(c.value)} = constant`);
    for (const r of this.randoms) lines.push(`%${r.value}: ${ty(r.value)} = random.${r.spec.kind}()`);
    for (const n of this.nodes) {
      const attrs = Object.keys(n.attrs).length ? ` ${JSON.stringify(n.attrs)}` : '';
      lines.push(`%${n.output}: ${ty(n.output)} = ${n.op}(${n.inputs.map((v) => `%${v}`).join(', ')})${attrs}`);
    }
    for (const m of this.mutations) lines.push(`input(${m.input}) <- %${m.value}`);
    const names = this.outputNames;
    lines.push(`return ${this.outputs.map((v, i) => (names ? `${names[i]}=%${v}` : `%${v}`)).join(', ')}`);
    return lines.join('\n');
  }

  /** A JSON-safe object; constants are base64 of their little-endian bytes, so values survive exactly. */
  toJSON(): GraphJSON {
    return {
      format: 'likelihood.graph',
      version: 1,
      values: this.values.map((v) => ({ shape: [...v.shape], dtype: v.dtype })),
      inputs: this.inputs,
      constants: this.constants.map((c) => ({ value: c.value, data: toBase64(c.data) })),
      randoms: this.randoms,
      nodes: this.nodes,
      outputs: this.outputs,
      outputNames: this.outputNames,
      singleOutput: this.singleOutput,
      mutations: this.mutations,
    };
  }

  /** Reads what `toJSON` wrote (or its JSON text), validating it. */
  static fromJSON(json: GraphJSON | string): Graph {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as GraphJSON;
    if (j?.format !== 'likelihood.graph' || j.version !== 1) {
      throw new ArgumentError(`Graph.fromJSON: expected format 'likelihood.graph' version 1, found ${JSON.stringify(j?.format)} version ${JSON.stringify(j?.version)}`);
    }
    return new Graph({
      values: j.values,
      inputs: j.inputs,
      constants: j.constants.map((c) => ({ value: c.value, data: fromBase64(c.data, j.values[c.value]?.dtype ?? 'float32') })),
      randoms: j.randoms,
      nodes: j.nodes,
      outputs: j.outputs,
      outputNames: j.outputNames,
      singleOutput: j.singleOutput,
      mutations: j.mutations,
    });
  }
}

export interface GraphJSON {
  format: 'likelihood.graph';
  version: 1;
  values: ValueInfo[];
  inputs: number[];
  constants: { value: number; data: string }[];
  randoms: GraphRandom[];
  nodes: GraphNode[];
  outputs: number[];
  outputNames: string[] | null;
  singleOutput: boolean;
  mutations: GraphMutation[];
}

function toBase64(data: TypedArray): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string, dtype: DType): TypedArray {
  const s = atob(b64);
  const bpe = allocate(dtype, 1).BYTES_PER_ELEMENT;
  if (s.length % bpe !== 0) throw new GraphError(`Graph.fromJSON: constant of dtype ${dtype} has ${s.length} bytes, not a whole number of elements`);
  const out = allocate(dtype, s.length / bpe);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return out;
}
