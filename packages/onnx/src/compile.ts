import { fmtShape as fmt } from '@likelihood/core';
import {
  ArgumentError,
  DTypeError,
  type DType,
  type Generator,
  type Graph,
  type InterpretOutputs,
  ShapeError,
  Tensor,
  defaultGenerator,
  noGrad,
} from '@likelihood/core';
import { type Traceable, exportOnnx } from './export.js';
import { type LoadedRuntime, type OrtImporter, type OrtModule, type OrtPackage, type OrtSession, type OrtTensor, loadRuntime } from './runtime.js';

/**
 * Where compiled graphs run: 'onnxruntime' takes onnxruntime-node where it is installed, else
 * onnxruntime-web; 'onnxruntime-node' / 'onnxruntime-web' insist on one package.
 */
export type CompileBackend = 'onnxruntime' | OrtPackage;

const BACKENDS: readonly CompileBackend[] = ['onnxruntime', 'onnxruntime-node', 'onnxruntime-web'];

export interface CompileOptions {
  backend: CompileBackend;
  /**
   * onnxruntime-node: intraOpNumThreads of each session (default: one per core).
   * onnxruntime-web: `ort.env.wasm.numThreads`, global and read when its first session is created (default 1 here).
   */
  threads?: number;
  /** Spin-wait between ops in worker threads (onnxruntime's default: true). Off saves CPU when calls are sparse. */
  allowSpinning?: boolean;
  /**
   * Execution providers in order of preference, passed to InferenceSession.create: names or
   * objects with provider options, e.g. ['cuda', 'cpu'] or [{name: 'cuda', deviceId: 1}, 'cpu']
   * with onnxruntime-node's CUDA libraries installed (docs/onnx.md). Default ['cpu'] on
   * onnxruntime-node, ['wasm'] on onnxruntime-web.
   */
  executionProviders?: (string | { name: string; [option: string]: unknown })[];
  /** Extra onnxruntime SessionOptions, merged last. */
  sessionOptions?: Record<string, unknown>;
  /** Generator for the graph's random draws (dropout, noise); default: the global one. */
  generator?: Generator;
  /** Names for the inputs and outputs of the ONNX graph. */
  inputNames?: string[];
  outputNames?: string[];
  /** Replaces the dynamic import of onnxruntime-node/-web (tests). */
  importOrt?: OrtImporter;
}

/** An async function running one captured graph on ONNX Runtime: one `session.run` per call. */
export interface CompiledFunction {
  (...inputs: Tensor[]): Promise<InterpretOutputs>;
  readonly graph: Graph;
  /** The ONNX model the session runs. */
  readonly bytes: Uint8Array;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Releases the session (and drops it from the cache). The function can be called again: it makes a new one. */
  dispose(): Promise<void>;
}

const ORT_TYPE: Record<DType, string> = { float32: 'float32', float64: 'float64', int32: 'int32', bool: 'bool' };

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Sessions by traced function and signature, so compiling the same function twice reuses one session. */
const sessionCache = new WeakMap<object, Map<string, Promise<OrtSession>>>();

function signature(inputs: readonly Tensor[], opts: CompileOptions): string {
  const { generator: _g, importOrt: _i, ...rest } = opts;
  return JSON.stringify([inputs.map((t) => [t.dtype, t.shape]), rest]);
}

function checkThreads(opts: CompileOptions): void {
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) {
    throw new ArgumentError(`compile: threads must be a positive integer, found ${String(opts.threads)}`);
  }
}

function sessionOptions(opts: CompileOptions, pkg: OrtPackage): Record<string, unknown> {
  const web = pkg === 'onnxruntime-web';
  const so: Record<string, unknown> = {
    executionProviders: opts.executionProviders ?? [web ? 'wasm' : 'cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  if (!web) {
    so.interOpNumThreads = 1;
    if (opts.threads !== undefined) so.intraOpNumThreads = opts.threads;
    if (opts.allowSpinning !== undefined) so.extra = { session: { intra_op: { allow_spinning: opts.allowSpinning ? '1' : '0' } } };
  }
  return { ...so, ...opts.sessionOptions };
}

/** Creates a session on whichever runtime the backend names; onnxruntime-web's thread count is set before its first session. */
async function createSession(rt: LoadedRuntime, bytes: Uint8Array, opts: CompileOptions): Promise<OrtSession> {
  const wasm = rt.ort.env?.wasm;
  if (rt.pkg === 'onnxruntime-web' && wasm && !webThreadsSet.has(rt.ort)) {
    wasm.numThreads = opts.threads ?? 1;
    webThreadsSet.add(rt.ort);
  }
  return rt.ort.InferenceSession.create(bytes, sessionOptions(opts, rt.pkg));
}

const webThreadsSet = new WeakSet<OrtModule>();

/**
 * A Tensor's storage as an ORT tensor, without copying, except for storage in core's shared wasm
 * memory (resident kernel outputs), which is copied out: ORT's bindings expect a plain ArrayBuffer.
 */
function toOrt(ort: OrtModule, t: Tensor): OrtTensor {
  const shared = typeof SharedArrayBuffer === 'function' && t.storage.buffer instanceof SharedArrayBuffer;
  return new ort.Tensor(ORT_TYPE[t.dtype], shared ? t.storage.slice() : t.storage, t.shape);
}

function fromOrt(v: OrtTensor, dtype: DType, shape: readonly number[]): Tensor {
  const data = v.data as Float32Array | Float64Array | Int32Array | Uint8Array;
  return new Tensor(data, [...shape], dtype);
}

/**
 * Captures `fnOrModule(...exampleInputs)` once and returns an async function that runs the
 * captured graph on ONNX Runtime, one `session.run` per call. Inputs must have the traced shapes
 * and dtypes; their storage is handed to ONNX Runtime without copying. Random draws in the
 * traced function are graph inputs drawn from `generator` in trace order, so a call consumes the
 * generator exactly as the eager function would. Mutations (an optimizer's `assign_` on an
 * input) come back as extra outputs and are written into the given input tensors, so a compiled
 * training step updates the parameters you pass in. Closed-over weights are baked in as
 * initializers: compile again after changing them.
 */
export function compile(fnOrModule: Traceable, exampleInputs: readonly Tensor[], opts: CompileOptions): CompiledFunction {
  if (!BACKENDS.includes(opts?.backend)) throw new ArgumentError(`compile: backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, found ${JSON.stringify(opts?.backend)}`);
  checkThreads(opts);
  const which = opts.backend === 'onnxruntime' ? 'auto' : opts.backend;
  const runtime = () => loadRuntime(opts.importOrt, which);
  const ex = exportOnnx(fnOrModule, exampleInputs, { inputNames: opts.inputNames, outputNames: opts.outputNames, randoms: 'inputs' });
  const { graph } = ex;
  const nUser = graph.inputs.length;
  const userNames = ex.inputNames.slice(0, nUser);
  const key = signature(exampleInputs, opts);
  const cacheOwner = fnOrModule as object;

  const session = (): Promise<OrtSession> => {
    let byKey = sessionCache.get(cacheOwner);
    if (!byKey) sessionCache.set(cacheOwner, (byKey = new Map()));
    let s = byKey.get(key);
    if (!s) {
      s = runtime().then((rt) => createSession(rt, ex.bytes, opts));
      byKey.set(key, s);
      s.catch(() => byKey!.delete(key));
    }
    return s;
  };

  const run = async (...inputs: Tensor[]): Promise<InterpretOutputs> => {
    if (inputs.length !== nUser) throw new ArgumentError(`compiled function: expected ${nUser} inputs (${userNames.join(', ')}), found ${inputs.length}`);
    inputs.forEach((t, i) => {
      const want = graph.values[graph.inputs[i]!]!;
      const name = userNames[i]!;
      if (!(t instanceof Tensor)) throw new ArgumentError(`compiled function: input '${name}' must be a Tensor, found ${typeof t}`);
      if (!sameShape(t.shape, want.shape)) throw new ShapeError(`compiled function: input '${name}' has shape ${fmt(t.shape)}, the graph was traced with ${fmt(want.shape)}`);
      if (t.dtype !== want.dtype) throw new DTypeError(`compiled function: input '${name}' has dtype ${t.dtype}, the graph was traced with ${want.dtype}`);
    });
    const sess = await session();
    const { ort } = await runtime();
    const feeds: Record<string, OrtTensor> = {};
    inputs.forEach((t, i) => (feeds[userNames[i]!] = toOrt(ort, t)));
    const gen = opts.generator ?? defaultGenerator();
    graph.randoms.forEach((r, k) => {
      const n = r.spec.shape.reduce((a, b) => a * b, 1);
      const s = r.spec.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
      if (r.spec.kind === 'uniform') gen.fillUniform(s);
      else gen.fillNormal(s);
      feeds[ex.randomInputNames[k]!] = new ort.Tensor(r.spec.dtype, s, r.spec.shape);
    });
    const res = await sess.run(feeds);
    const outs = graph.outputs.map((v, i) => fromOrt(res[ex.outputNames[i]!]!, graph.values[v]!.dtype, graph.values[v]!.shape));
    const nOut = graph.outputs.length;
    noGrad(() => {
      graph.mutations.forEach((m, j) => {
        const v = graph.values[m.value]!;
        inputs[m.input]!.assign_(fromOrt(res[ex.outputNames[nOut + j]!]!, v.dtype, v.shape));
      });
    });
    if (graph.singleOutput) return outs[0]!;
    if (graph.outputNames && !opts.outputNames) return Object.fromEntries(graph.outputNames.map((k, i) => [k, outs[i]!]));
    if (opts.outputNames) return Object.fromEntries(opts.outputNames.map((k, i) => [k, outs[i]!]));
    return outs;
  };

  return Object.assign(run, {
    graph,
    bytes: ex.bytes,
    inputNames: userNames,
    outputNames: ex.outputNames.slice(0, graph.outputs.length),
    async dispose() {
      const byKey = sessionCache.get(cacheOwner);
      const s = byKey?.get(key);
      if (!s) return;
      byKey!.delete(key);
      await (await s).release();
    },
  });
}
