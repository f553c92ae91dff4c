import { ArgumentError } from '../../errors.js';
import { residentOutputsOn } from './resident.js';
import { type Arena, type KernelExports, MAX_WASM_BYTES, freshArena, sharedKernels, threadsSupported, wasmKernels } from './runtime.js';

// Worker threads for the wasm kernels, behind a synchronous API. Every worker instantiates the
// shared-memory build of the kernels on the same WebAssembly.Memory, so running a kernel on a
// worker is just "call export f with these pointers". A parallel job splits a range (rows of C,
// elements, batch entries) into chunks that the calling thread and the workers claim with an
// atomic counter: a worker that wakes late (waking a sleeping thread takes 0.1–0.4 ms on these
// VMs) simply gets fewer chunks, and the caller never waits for more than a chunk in flight.
// Idle workers sleep in Atomics.wait (after LIKELIHOOD_SPIN_MS of spinning, 1 by default);
// `wakeWorkers` rouses them while a kernel is still copying its operands in. Workers are unref'd: a process that used
// them exits by itself.

/** Exports a worker may be asked to call; the index is what goes into a slot. */
const KERNEL_NAMES = [
  'sgemmPacked', 'packB', 'expf32', 'softmaxRows', 'geluTanh', 'geluTanhGrad', 'layerNormRows', 'layerNormBackward',
  'attnCausal', 'attnCausalBackward', 'convImages', 'silu', 'siluGrad', 'adamF32',
  'bceLogits', 'philoxUniform', 'convWeightGradImages', 'convTransposeImages', 'groupNormRows', 'groupNormBackward',
  'addF32', 'subF32', 'mulF32', 'addRowScalars', 'rowSums', 'sinF32', 'cosF32', 'convDirectImages', 'convWinogradImages',
  'convWinogradWeightGradImages', 'linearRows', 'linearGradRows', 'sinusoidalRows',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
const KERNEL_INDEX = new Map<KernelName, number>(KERNEL_NAMES.map((name, i) => [name, i]));

/**
 * A kernel call over `total` units (rows, elements, batch entries) split into chunks of `chunk`:
 * for each chunk, args[lo] and args[hi] are set to its bounds [lo, hi). `args(t)` gives thread t's
 * arguments (thread 0 is the caller), so each thread can have private scratch.
 */
export interface ParallelJob {
  fn: KernelName;
  args: (thread: number) => number[];
  lo: number;
  hi: number;
  total: number;
  chunk: number;
}

// Control block, Int32 indices. Per worker t (1-based): its state, a ready flag (set once it has
// instantiated the module) and an error flag.
const STATE = 0;
const READY = 64;
const ERROR = 128;
// The current job (written before any worker is set to RUN).
const FN = 192;
const NCHUNKS = 193;
const CHUNK = 194;
const TOTAL = 195;
const LO = 196;
const HI = 197;
const NEXT = 198; // next chunk to claim
const DONE = 199; // chunks finished
const CONTROL_INTS = 200;
const MAX_WORKERS = 63;
// Worker t's arguments: Float64 slot t of SLOT doubles, [argc, args...].
const SLOT = 32;
// Worker states.
const IDLE = 0;
const WAKE = 1; // a job is coming: spin instead of sleeping
const RUN = 2; // a job is posted
const BUSY = 3; // the worker took the job
// Atomics.load iterations the caller spins before sleeping while chunks finish elsewhere.
const SPIN = 4096;

const WORKER_SOURCE = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { module, memory, control, slots, index, names, spinMs } = workerData;
const ctrl = new Int32Array(control);
const argv = new Float64Array(slots);
const ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm kernel aborted'); } } }).exports;
const fns = names.map((n) => ex[n]);
const state = ${STATE} + index;
const base = index * ${SLOT};
Atomics.store(ctrl, ${READY} + index, 1);
function work() {
  const f = fns[ctrl[${FN}]];
  const n = ctrl[${NCHUNKS}], chunk = ctrl[${CHUNK}], total = ctrl[${TOTAL}], lo = ctrl[${LO}], hi = ctrl[${HI}];
  const args = new Array(argv[base]);
  for (let i = 0; i < args.length; i++) args[i] = argv[base + 1 + i];
  for (;;) {
    const c = Atomics.add(ctrl, ${NEXT}, 1);
    if (c >= n) break;
    args[lo] = c * chunk;
    args[hi] = Math.min(total, c * chunk + chunk);
    f(...args);
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
  }
}
let since = performance.now();
for (let spins = 0; ; ) {
  const s = Atomics.load(ctrl, state);
  if (s === ${RUN}) {
    if (Atomics.compareExchange(ctrl, state, ${RUN}, ${BUSY}) !== ${RUN}) continue;
    try { work(); } catch (e) { Atomics.store(ctrl, ${ERROR} + index, 1); }
    Atomics.store(ctrl, state, ${IDLE});
    Atomics.notify(ctrl, state);
    since = performance.now();
    continue;
  }
  if ((++spins & 1023) !== 0) continue;
  // Roused by wakeWorkers (a job is coming): spin up to 5 ms; otherwise spinMs after the last job.
  if (performance.now() - since > (s === ${WAKE} ? 5 : spinMs)) {
    Atomics.compareExchange(ctrl, state, ${WAKE}, ${IDLE});
    Atomics.wait(ctrl, state, ${IDLE});
    since = performance.now();
  }
}
`;

interface NodeWorker {
  unref(): void;
  on(event: 'error' | 'exit', listener: (e: unknown) => void): void;
}
type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown; name?: string; execArgv?: string[] }) => NodeWorker;

interface Pool {
  ctrl: Int32Array;
  slots: Float64Array;
  workers: (NodeWorker | null)[]; // index t − 1 for worker t
}

let pool: Pool | null = null;
let numThreads = initialNumThreads();
let splitEverything = false;

/** Tests: split every kernel call over all ready threads, however small (false restores the size rule). */
export function splitEveryKernelForTests(on: boolean): void {
  splitEverything = on;
}

function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

function initialNumThreads(): number {
  const v = env('LIKELIHOOD_NUM_THREADS');
  const n = v === undefined ? Number.NaN : Number(v);
  if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_WORKERS + 1);
  return hardwareThreads();
}

/** Logical CPUs available to this process (Node's os.availableParallelism), 1 where unknown. */
function hardwareThreads(): number {
  if (!threadsSupported()) return 1;
  const os = builtin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  const n = os?.availableParallelism?.() ?? os?.cpus().length ?? 1;
  return Math.max(1, Math.min(n, MAX_WORKERS + 1));
}

function builtin<T>(name: string): T | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (p?.getBuiltinModule?.(name) as T | undefined) ?? null;
}

/**
 * Sets how many threads the wasm kernels may use (the calling thread plus n − 1 workers),
 * like torch.set_num_threads. Default: the logical CPUs available (os.availableParallelism),
 * or the env variable LIKELIHOOD_NUM_THREADS. Where threads are unsupported (browsers, no
 * SharedArrayBuffer) every value behaves as 1. Workers beyond n are kept, asleep, for when
 * the count is raised again.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS + 1) {
    throw new ArgumentError(`setNumThreads: expected an integer n in [1, ${MAX_WORKERS + 1}], found ${String(n)}`);
  }
  numThreads = n;
}

/** The thread count set by setNumThreads (or its default). */
export function getNumThreads(): number {
  return numThreads;
}

/** Starts missing workers up to numThreads − 1 (each is usable once it has instantiated the module). */
function ensureWorkers(): Pool | null {
  if (numThreads <= 1 || !threadsSupported()) return pool;
  const sk = sharedKernels();
  const wt = builtin<{ Worker: WorkerConstructor }>('node:worker_threads');
  if (!sk || !wt) return pool;
  pool ??= {
    ctrl: new Int32Array(new SharedArrayBuffer(4 * CONTROL_INTS)),
    slots: new Float64Array(new SharedArrayBuffer(8 * SLOT * (MAX_WORKERS + 1))),
    workers: [],
  };
  const p = pool;
  // How long an idle worker spins before sleeping (like OpenMP's KMP_BLOCKTIME). A sleeping
  // worker takes 0.1–0.4 ms to wake on these VMs and the futex wake costs the caller ≈ 25 µs; a
  // spinning one competes with the main thread's JS for the core. 1 ms spans the gaps between a
  // training step's kernels: MLP denoiser step −5 %, U-Net and GPT steps unchanged (CPU +8 %).
  const spinMs = Number(env('LIKELIHOOD_SPIN_MS') ?? 1);
  for (let t = 1; t < numThreads; t++) {
    if (p.workers[t - 1]) continue;
    Atomics.store(p.ctrl, STATE + t, IDLE);
    Atomics.store(p.ctrl, READY + t, 0);
    Atomics.store(p.ctrl, ERROR + t, 0);
    const worker = new wt.Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [], // the worker runs only this script: no loaders or flags of the parent
      name: `likelihood-kernels-${t}`,
      workerData: { module: sk.module, memory: sk.memory, control: p.ctrl.buffer, slots: p.slots.buffer, index: t, names: KERNEL_NAMES, spinMs },
    });
    worker.unref();
    const dead = () => {
      if (p.workers[t - 1] === worker) {
        Atomics.store(p.ctrl, READY + t, 0);
        p.workers[t - 1] = null;
      }
    };
    worker.on('error', dead);
    worker.on('exit', dead);
    p.workers[t - 1] = worker;
  }
  return p;
}

/**
 * How many threads to split `work` over so each gets at least `minPerThread` of it: 1 when the
 * work is small or no worker is ready yet (workers start on the first call that could use
 * them and join once online, so the first large ops run on one thread).
 */
export function threadsFor(work: number, minPerThread: number): number {
  const want = splitEverything ? numThreads : Math.min(numThreads, Math.floor(work / minPerThread));
  if (want <= 1) return 1;
  const p = ensureWorkers();
  if (!p) return 1;
  let n = 1;
  for (let t = 1; t < numThreads && n < want; t++) if (ready(p, t)) n++;
  return n;
}

/**
 * Starts a kernel call of `work` units: picks the thread count (threadsFor), the kernels for it
 * (the shared-memory build when split, the plain one otherwise) with a fresh arena in their
 * memory, and rouses the workers so they are awake by the time the operands are copied in.
 * Null when wasm is unavailable.
 */
export function beginKernelCall(work: number, minPerThread: number): { k: KernelExports; arena: Arena; threads: number } | null {
  const threads = threadsFor(work, minPerThread);
  // With resident outputs every call uses the shared build: that is where its operands live.
  const k = threads > 1 ? (sharedKernels()?.exports ?? null) : residentOutputsOn() ? (sharedKernels()?.exports ?? wasmKernels()) : wasmKernels();
  if (!k) return null;
  wakeWorkers(threads);
  return { k, arena: freshArena(k), threads };
}

function ready(p: Pool, t: number): boolean {
  return p.workers[t - 1] != null && Atomics.load(p.ctrl, READY + t) === 1;
}

/** Tells the first `threads − 1` workers a job is coming, so they spin instead of sleeping. */
export function wakeWorkers(threads: number): void {
  const p = pool;
  if (!p || threads <= 1) return;
  for (let t = 1; t < threads; t++) {
    if (ready(p, t) && Atomics.compareExchange(p.ctrl, STATE + t, IDLE, WAKE) === IDLE) Atomics.notify(p.ctrl, STATE + t);
  }
}

/** Runs `job` on this thread and up to `threads − 1` ready workers; returns when every chunk is done. */
export function runParallel(k: KernelExports, job: ParallelJob, threads: number): void {
  const f = k[job.fn] as (...args: number[]) => void;
  const nChunks = Math.ceil(job.total / job.chunk);
  const p = pool;
  if (threads <= 1 || nChunks <= 1 || !p) {
    const args = job.args(0);
    for (let c = 0; c < nChunks; c++) {
      args[job.lo] = c * job.chunk;
      args[job.hi] = Math.min(job.total, c * job.chunk + job.chunk);
      f(...args);
    }
    return;
  }
  const ctrl = p.ctrl;
  ctrl[FN] = KERNEL_INDEX.get(job.fn)!;
  ctrl[NCHUNKS] = nChunks;
  ctrl[CHUNK] = job.chunk;
  ctrl[TOTAL] = job.total;
  ctrl[LO] = job.lo;
  ctrl[HI] = job.hi;
  Atomics.store(ctrl, NEXT, 0);
  Atomics.store(ctrl, DONE, 0);
  const posted: number[] = [];
  for (let t = 1; t < numThreads && posted.length < threads - 1; t++) {
    if (!ready(p, t)) continue;
    const args = job.args(posted.length + 1);
    const base = t * SLOT;
    p.slots[base] = args.length;
    for (let j = 0; j < args.length; j++) p.slots[base + 1 + j] = args[j]!;
    Atomics.store(ctrl, STATE + t, RUN);
    Atomics.notify(ctrl, STATE + t);
    posted.push(t);
  }
  const args = job.args(0);
  for (;;) {
    const c = Atomics.add(ctrl, NEXT, 1);
    if (c >= nChunks) break;
    args[job.lo] = c * job.chunk;
    args[job.hi] = Math.min(job.total, c * job.chunk + job.chunk);
    f(...args);
    Atomics.add(ctrl, DONE, 1);
  }
  // Wait for chunks still running on workers.
  for (let spins = 0, done = Atomics.load(ctrl, DONE); done < nChunks; done = Atomics.load(ctrl, DONE)) {
    if (++spins > SPIN) Atomics.wait(ctrl, DONE, done, 1);
  }
  // Withdraw the job from workers that have not taken it yet; wait for those that have (they are
  // past their last chunk) so the next job can reuse the control block.
  let failed = false;
  for (const t of posted) {
    if (Atomics.compareExchange(ctrl, STATE + t, RUN, IDLE) !== RUN) {
      for (let spins = 0, s = Atomics.load(ctrl, STATE + t); s === BUSY; s = Atomics.load(ctrl, STATE + t)) {
        if (++spins > SPIN) Atomics.wait(ctrl, STATE + t, BUSY, 1);
      }
    }
    if (Atomics.exchange(ctrl, ERROR + t, 0) !== 0) failed = true;
  }
  if (failed) throw new Error('@likelihood/core: a wasm kernel failed on a worker thread');
}

/**
 * Chunk size, a multiple of `unit`, giving about four chunks per thread (so a worker that wakes
 * late takes fewer of them) and one chunk on a single thread.
 */
export function splitChunk(len: number, unit: number, threads: number): number {
  if (threads <= 1) return Math.max(len, 1);
  return Math.max(unit, Math.ceil(len / (4 * threads) / unit) * unit);
}

/**
 * Threads for a per-image kernel: at most one per image, and only one when the threads' own
 * buffers (`perThreadBytes` each: an image's column matrix and its packing) would take more than
 * half of wasm memory beside the operands (`sharedBytes`). Very large images then run on one
 * thread instead of falling back to the TypeScript kernels.
 */
export function imageThreads(callThreads: number, N: number, perThreadBytes: number, sharedBytes: number): number {
  const threads = Math.min(callThreads, N);
  return threads > 1 && sharedBytes + threads * perThreadBytes > MAX_WASM_BYTES / 2 ? 1 : threads;
}

/** Elements (or rows × their length) per thread below which splitting an elementwise kernel does not pay. */
export const ELEMENTWISE_MIN_WORK_PER_THREAD = 1 << 15;

/** Workers started and instantiated so far (diagnostics and tests; starting them is lazy). */
export function readyWorkers(): number {
  const p = pool;
  if (!p) return 0;
  let n = 0;
  for (let t = 1; t <= p.workers.length; t++) if (ready(p, t)) n++;
  return n;
}

/** Starts the workers now instead of on the first large op, and resolves once `numThreads − 1` are ready (or after `timeoutMs`). */
export async function startWorkers(timeoutMs = 10_000): Promise<number> {
  ensureWorkers();
  const t0 = Date.now();
  while (readyWorkers() < numThreads - 1 && threadsSupported() && Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return readyWorkers();
}
