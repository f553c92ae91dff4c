import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, type DType, Generator, type GeneratorState, Tensor } from '@likelihood/core';
import { CheckpointError } from '../errors.js';
import type { Module, StateDict } from '../module.js';
import { crc32 } from './crc32.js';
import { type ParsedSafetensors, type SafetensorsEntry, buildHeader, entryToTensor, layoutTensors, parseSafetensors } from './safetensors.js';

/**
 * The checkpoint format, pure (no Node APIs). A checkpoint is ONE safetensors file:
 *
 * - model tensors under `model.<state-dict key>`;
 * - tensors found inside the optimizer's state dict under `optim.<path>` (likewise `config.`
 *   and `extra.` for tensors inside those), replaced in the JSON by `{"__tensor__": name}`;
 * - `__metadata__` (string → string): `format` = `likelihood-checkpoint`, `format_version` =
 *   `1`, `step`, and as JSON `rng` (a `GeneratorState`), `config`, `extra`, `optimizer`;
 *   non-finite numbers and -0 in that JSON are written as `{"__number__": "nan" | "inf" |
 *   "-inf" | "-0"}` so they survive;
 * - `checksum` = `crc32:<8 hex>`: CRC-32 of a canonical text of the header (every metadata
 *   entry but the checksum, every tensor's name, dtype, shape and offsets) followed by the data
 *   buffer, so a flipped bit anywhere that the JSON parser does not already reject is caught.
 *
 * Python reads it with `safetensors.torch.load_file` / `safe_open(...).metadata()`.
 */

export const CHECKPOINT_FORMAT = 'likelihood-checkpoint';
export const CHECKPOINT_VERSION = '1';

/** What a checkpoint needs from an optimizer: a JSON-able state dict and a way to load it back. */
export interface StatefulOptimizer {
  stateDict(): unknown;
  loadStateDict(sd: unknown): void;
}

export interface SaveCheckpointOptions {
  model: Module;
  optimizer?: StatefulOptimizer;
  /** Training step (a non-negative integer). */
  step: number;
  /** The generator whose stream training draws from, or its `getState()`. */
  rng?: Generator | GeneratorState;
  /** Run configuration: any JSON-able value. */
  config?: unknown;
  /** Anything else JSON-able (epoch, best loss, ...); tensors inside are stored as tensors. */
  extra?: unknown;
}

export interface LoadCheckpointOptions {
  model: Module;
  /** Loaded with the checkpoint's optimizer state; the checkpoint must have one. */
  optimizer?: StatefulOptimizer;
  /** If given, set to the checkpoint's generator state (the checkpoint must have one). */
  generator?: Generator;
  /** Require the model's keys to match exactly (default true). */
  strict?: boolean;
}

export interface CheckpointInfo {
  step: number;
  /** The saved generator state; resume with `restoreGenerator(gen, rng)` or `gen.setState(rng)`. */
  rng: GeneratorState | null;
  config: unknown;
  extra: unknown;
}

/** Sets `gen` to a state read from a checkpoint (same as `gen.setState(state)`). */
export function restoreGenerator(gen: Generator, state: GeneratorState): Generator {
  return gen.setState(state);
}

const DTYPES: readonly string[] = ['float32', 'float64', 'int32', 'bool'];
const TYPED: Record<string, new (n: number) => Float32Array | Float64Array | Int32Array | Uint8Array> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
};

/** A tensor written out of some JSON tree, and how to put it back. */
interface TensorRef {
  __tensor__: string;
  /** Absent: a Tensor. Otherwise a `{shape, dtype, data}` object whose data was a JS array or typed array. */
  form?: 'array' | 'Float32Array' | 'Float64Array' | 'Int32Array' | 'Uint8Array';
  dtype?: string;
}

const RESERVED = ['__tensor__', '__number__'];

/** Sets an own property, even one named `__proto__`. */
const defineOwn = (o: Record<string, unknown>, k: string, value: unknown) =>
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

/** Replaces tensors (and tensor-like `{shape, dtype, data}` objects) in `value` by references. */
function extractTensors(value: unknown, prefix: string, out: Record<string, Tensor>): unknown {
  const name = (path: string) => {
    let n = path;
    for (let i = 1; n in out; i++) n = `${path}#${i}`;
    return n;
  };
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Tensor) {
      const n = name(path);
      out[n] = v.detach();
      return { __tensor__: n } satisfies TensorRef;
    }
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return { __number__: 'nan' };
      if (v === Number.POSITIVE_INFINITY) return { __number__: 'inf' };
      if (v === Number.NEGATIVE_INFINITY) return { __number__: '-inf' };
      if (Object.is(v, -0)) return { __number__: '-0' };
      return v;
    }
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') {
      throw new ArgumentError(`saveCheckpoint: ${path} holds a ${typeof v}, which is not JSON`);
    }
    if (v === null || typeof v !== 'object') return v;
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return walk((v as { toJSON: () => unknown }).toJSON(), path);
    if (Array.isArray(v)) return v.map((x, i) => (x === undefined ? null : walk(x, `${path}.${i}`)));
    if (ArrayBuffer.isView(v)) throw new ArgumentError(`saveCheckpoint: ${path} is a bare typed array; wrap it in a Tensor`);
    const o = v as Record<string, unknown>;
    for (const k of RESERVED) if (k in o) throw new ArgumentError(`saveCheckpoint: ${path} uses the reserved key '${k}'`);
    const t = tensorLike(o);
    if (t) {
      const n = name(path);
      out[n] = t.tensor;
      return { __tensor__: n, form: t.form, dtype: o.dtype as string } satisfies TensorRef;
    }
    const r: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) if (x !== undefined) defineOwn(r, k, walk(x, `${path}.${k}`));
    return r;
  };
  return walk(value, prefix);
}

/** A `{shape, dtype, data}` object (the JSON form of a tensor) as a tensor holding `data` exactly. */
function tensorLike(o: Record<string, unknown>): { tensor: Tensor; form: NonNullable<TensorRef['form']> } | null {
  const keys = Object.keys(o);
  if (keys.length !== 3 || !('shape' in o && 'dtype' in o && 'data' in o)) return null;
  const { shape, dtype, data } = o;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !DTYPES.includes(dtype as string)) return null;
  const n = (shape as number[]).reduce((a, d) => a * d, 1);
  if (ArrayBuffer.isView(data)) {
    const form = data.constructor.name;
    if (!(form in TYPED) || (data as Float32Array).length !== n) return null;
    const arr = data as Float32Array | Float64Array | Int32Array | Uint8Array;
    const f = form as NonNullable<TensorRef['form']>;
    // A Uint8Array holding more than 0/1 goes to int32 so the bool writer does not clamp it.
    if (form === 'Uint8Array' && arr.some((x) => x > 1)) return { tensor: new Tensor(Int32Array.from(arr), shape as number[], 'int32'), form: f };
    const dt: DType = form === 'Float32Array' ? 'float32' : form === 'Float64Array' ? 'float64' : form === 'Int32Array' ? 'int32' : 'bool';
    return { tensor: new Tensor(arr.slice(), shape as number[], dt), form: f };
  }
  if (!Array.isArray(data) || data.length !== n || !data.every((x) => typeof x === 'number')) return null;
  const vals = data as number[];
  // Stored in the narrowest dtype that holds every value exactly; float64 holds any JS number.
  let storage: Float32Array | Float64Array | Int32Array;
  if (dtype === 'float32' && vals.every((x) => Number.isNaN(x) || Object.is(Math.fround(x), x))) storage = Float32Array.from(vals);
  else if ((dtype === 'int32' || dtype === 'bool') && vals.every((x) => Object.is(x | 0, x))) storage = Int32Array.from(vals);
  else storage = Float64Array.from(vals);
  return { tensor: new Tensor(storage, shape as number[]), form: 'array' };
}

/** Inverse of `extractTensors`: puts tensors (and the exact JS values) back. */
function injectTensors(value: unknown, tensors: Map<string, Tensor>, used: Set<string>, fail: (m: string) => never): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('__number__' in o) {
      const s = o.__number__;
      if (s === 'nan') return Number.NaN;
      if (s === 'inf') return Number.POSITIVE_INFINITY;
      if (s === '-inf') return Number.NEGATIVE_INFINITY;
      if (s === '-0') return -0;
      return fail(`unknown number encoding ${JSON.stringify(s)}`);
    }
    if ('__tensor__' in o) {
      const ref = o as unknown as TensorRef;
      const t = tensors.get(ref.__tensor__);
      if (!t) return fail(`metadata refers to tensor '${ref.__tensor__}', which the file does not hold`);
      used.add(ref.__tensor__);
      if (ref.form === undefined) return t;
      const s = t.storage;
      const data = ref.form === 'array' ? Array.from(s as ArrayLike<number>) : (() => {
        const Ctor = TYPED[ref.form!];
        if (!Ctor) return fail(`unknown tensor form ${JSON.stringify(ref.form)}`);
        const a = new Ctor(s.length);
        a.set(s as ArrayLike<number>);
        return a;
      })();
      return { shape: [...t.shape], dtype: ref.dtype, data };
    }
    const r: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) defineOwn(r, k, walk(x));
    return r;
  };
  return walk(value);
}

function canonicalIndex(metadata: Record<string, string>, entries: readonly SafetensorsEntry[]): Uint8Array {
  const meta = Object.keys(metadata)
    .filter((k) => k !== 'checksum')
    .sort()
    .map((k) => [k, metadata[k]]);
  const ts = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => [e.name, e.dtype, e.shape, e.begin, e.end]);
  return new TextEncoder().encode(JSON.stringify({ metadata: meta, tensors: ts }));
}

function checksum(metadata: Record<string, string>, entries: readonly SafetensorsEntry[], data: Uint8Array): string {
  const c = crc32(data, crc32(canonicalIndex(metadata, entries)));
  return `crc32:${c.toString(16).padStart(8, '0')}`;
}

/** @internal Header and data bytes of a checkpoint (not concatenated, so files can stream them). */
export function encodeCheckpointParts(opts: SaveCheckpointOptions): { header: Uint8Array; data: Uint8Array } {
  const { model, optimizer, step, rng, config, extra } = opts;
  if (!Number.isSafeInteger(step) || step < 0) throw new ArgumentError(`saveCheckpoint: step must be a non-negative integer, found ${step}`);
  if (!model || typeof model.stateDict !== 'function') throw new ArgumentError('saveCheckpoint: model must be a Module');
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict() as StateDict)) tensors[`model.${k}`] = t;
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, format_version: CHECKPOINT_VERSION, step: String(step) };
  if (rng !== undefined) metadata.rng = JSON.stringify(rng instanceof Generator ? rng.getState() : rng);
  if (config !== undefined) metadata.config = JSON.stringify(extractTensors(config, 'config', tensors));
  if (extra !== undefined) metadata.extra = JSON.stringify(extractTensors(extra, 'extra', tensors));
  if (optimizer) metadata.optimizer = JSON.stringify(extractTensors(optimizer.stateDict(), 'optim', tensors));
  const { entries, data } = layoutTensors(tensors);
  metadata.checksum = checksum(metadata, entries, data);
  return { header: buildHeader(entries, metadata), data };
}

/** A checkpoint as bytes (what `saveCheckpoint` writes). */
export function encodeCheckpoint(opts: SaveCheckpointOptions): Uint8Array {
  const { header, data } = encodeCheckpointParts(opts);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/**
 * Validates checkpoint bytes completely — structure, checksum, metadata, every tensor's dtype
 * and shape against the model, optimizer and generator state present — and only then loads
 * model, optimizer and generator. If loading still fails (the optimizer rejects its state),
 * model and optimizer are put back as they were. Every problem throws `CheckpointError`.
 */
export function applyCheckpoint(bytes: Uint8Array, opts: LoadCheckpointOptions, what = 'loadCheckpoint'): CheckpointInfo {
  const fail = (m: string): never => {
    throw new CheckpointError(`${what}: ${m}`);
  };
  const parsed: ParsedSafetensors = parseSafetensors(bytes, what);
  const md = parsed.metadata;
  if (md.format !== CHECKPOINT_FORMAT) fail(`not a likelihood checkpoint (metadata 'format' is ${JSON.stringify(md.format ?? null)}, expected '${CHECKPOINT_FORMAT}')`);
  if (md.format_version !== CHECKPOINT_VERSION) fail(`unsupported checkpoint format_version ${JSON.stringify(md.format_version ?? null)} (this reader knows ${CHECKPOINT_VERSION})`);
  if (md.checksum === undefined) fail("the checkpoint has no 'checksum' metadata");
  const sum = checksum(md, parsed.entries, parsed.data);
  if (sum !== md.checksum) fail(`checksum mismatch: the file says ${md.checksum}, its contents give ${sum} (corrupted file)`);

  if (md.step === undefined || !/^(0|[1-9][0-9]*)$/.test(md.step) || !Number.isSafeInteger(Number(md.step))) fail(`metadata 'step' must be a non-negative integer, found ${JSON.stringify(md.step ?? null)}`);
  const step = Number(md.step);
  const json = (key: string): unknown => {
    const s = md[key];
    if (s === undefined) return undefined;
    try {
      return JSON.parse(s);
    } catch (e) {
      return fail(`metadata '${key}' is not valid JSON (${(e as Error).message})`);
    }
  };

  const all = new Map<string, Tensor>();
  for (const e of parsed.entries) all.set(e.name, entryToTensor(e, parsed.data, what));
  const used = new Set<string>();
  const rawRng = json('rng');
  let rng: GeneratorState | null = null;
  if (rawRng !== undefined) {
    const r = rawRng as GeneratorState;
    if (!r || typeof r !== 'object' || typeof r.seed !== 'string' || !/^[0-9]+$/.test(r.seed) || !Number.isSafeInteger(r.offset) || r.offset < 0) {
      fail(`metadata 'rng' is not a generator state {seed: decimal string, offset: non-negative integer}: ${md.rng}`);
    }
    rng = { seed: r.seed, offset: r.offset };
  }
  const config = injectTensors(json('config'), all, used, fail);
  const extra = injectTensors(json('extra'), all, used, fail);
  const hasOptim = md.optimizer !== undefined;
  const optimState = injectTensors(json('optimizer'), all, used, fail);

  const sd: StateDict = {};
  for (const [name, t] of all) {
    if (name.startsWith('model.')) sd[name.slice(6)] = t;
    else if (!used.has(name)) fail(`tensor '${name}' is neither a model tensor nor referenced by the metadata`);
  }

  // Check the model the way loadStateDict does, but report as CheckpointError before writing.
  const strict = opts.strict ?? true;
  const own = opts.model.stateDict();
  const problems: string[] = [];
  for (const [k, target] of Object.entries(own)) {
    const v = sd[k];
    if (v === undefined) continue;
    if (v.shape.length !== target.shape.length || v.shape.some((d, i) => d !== target.shape[i])) {
      problems.push(`${k}: shape ${fmt(v.shape)} in the checkpoint, ${fmt(target.shape)} in the model`);
    } else if (v.dtype !== target.dtype) problems.push(`${k}: dtype ${v.dtype} in the checkpoint, ${target.dtype} in the model`);
  }
  if (strict) {
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    if (missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
    if (unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
  }
  if (problems.length) fail(`checkpoint does not fit ${opts.model.constructor.name}: ${problems.join('; ')}`);
  if (opts.optimizer && !hasOptim) fail('an optimizer was given but the checkpoint holds no optimizer state');
  if (opts.generator && !rng) fail('a generator was given but the checkpoint holds no generator state');

  const modelBefore = own;
  const optimBefore = opts.optimizer?.stateDict();
  try {
    opts.model.loadStateDict(sd, { strict });
    opts.optimizer?.loadStateDict(optimState);
  } catch (e) {
    opts.model.loadStateDict(modelBefore, { strict: false });
    if (opts.optimizer) {
      try {
        opts.optimizer.loadStateDict(optimBefore);
      } catch {
        // the optimizer could not even take its own state back; report the original failure
      }
    }
    throw new CheckpointError(`${what}: loading failed, model and optimizer restored: ${(e as Error).message}`, { cause: e });
  }
  if (opts.generator && rng) opts.generator.setState(rng);
  return { step, rng, config, extra };
}
