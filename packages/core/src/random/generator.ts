import { ArgumentError } from '../errors.js';
import { philoxUniformWasm } from '../kernels/wasm/philox.js';
import { philox4x32 } from './philox.js';

/** A generator's complete state: JSON-serialisable, so checkpoints can resume the exact stream. */
export interface GeneratorState {
  /** The 64-bit seed as a decimal string. */
  seed: string;
  /** Number of 32-bit words consumed so far. */
  offset: number;
}

const TWO32 = 4294967296;

/**
 * A reproducible random stream: Philox4x32-10 keyed by a 64-bit seed, with a counter that
 * advances one block (four 32-bit words) at a time. The same seed gives the same numbers on
 * every machine. Every random function in likelihood takes one in its options.
 */
export class Generator {
  private k0 = 0;
  private k1 = 0;
  private seedValue = 0n;
  private offset = 0;
  private readonly block = new Uint32Array(4);
  private blockIndex = -1;

  constructor(seed: number | bigint = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds and rewinds the stream. */
  manualSeed(seed: number | bigint): this {
    let s: bigint;
    if (typeof seed === 'bigint') s = seed;
    else {
      if (!Number.isSafeInteger(seed)) throw new ArgumentError(`manualSeed: seed must be a safe integer or a bigint, found ${seed}`);
      s = BigInt(seed);
    }
    s = BigInt.asUintN(64, s);
    this.seedValue = s;
    this.k0 = Number(s & 0xffffffffn);
    this.k1 = Number(s >> 32n);
    this.offset = 0;
    this.blockIndex = -1;
    return this;
  }

  get seed(): bigint {
    return this.seedValue;
  }

  getState(): GeneratorState {
    return { seed: this.seedValue.toString(), offset: this.offset };
  }

  setState(state: GeneratorState): this {
    if (!state || typeof state.seed !== 'string' || !Number.isSafeInteger(state.offset) || state.offset < 0) {
      throw new ArgumentError(`Generator.setState: expected {seed: string, offset: non-negative integer}, found ${JSON.stringify(state)}`);
    }
    this.manualSeed(BigInt(state.seed));
    this.offset = state.offset;
    return this;
  }

  /** The next 32-bit word of the stream. */
  nextUint32(): number {
    const b = Math.floor(this.offset / 4);
    if (b !== this.blockIndex) {
      philox4x32(b % TWO32, Math.floor(b / TWO32), 0, 0, this.k0, this.k1, this.block);
      this.blockIndex = b;
    }
    return this.block[this.offset++ % 4]!;
  }

  /** A double in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A float32-exact value in [0, 1) from 24 random bits. */
  random24(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** Fills with U[0, 1): 24-bit values for Float32Array, 53-bit for Float64Array. */
  fillUniform(out: Float32Array | Float64Array): void {
    // The same stream as random24()/random() per element, a whole Philox block at a time.
    const n = out.length;
    const blk = this.block;
    let i = 0;
    if (out instanceof Float32Array) {
      while (i < n && this.offset % 4 !== 0) out[i++] = this.random24();
      i += this.wasmBlocks(out.subarray(i, n - ((n - i) % 4)));
      for (; i + 4 <= n; i += 4) {
        this.nextBlock();
        out[i] = (blk[0]! >>> 8) / 16777216;
        out[i + 1] = (blk[1]! >>> 8) / 16777216;
        out[i + 2] = (blk[2]! >>> 8) / 16777216;
        out[i + 3] = (blk[3]! >>> 8) / 16777216;
      }
      while (i < n) out[i++] = this.random24();
      return;
    }
    // random() takes two words: whole blocks only line up from an even offset
    if (this.offset % 2 === 0) {
      if (i < n && this.offset % 4 === 2) out[i++] = this.random();
      i += this.wasmBlocks(out.subarray(i, n - ((n - i) % 2)));
      for (; i + 2 <= n; i += 2) {
        this.nextBlock();
        out[i] = ((blk[0]! >>> 5) * 67108864 + (blk[1]! >>> 6)) / 9007199254740992;
        out[i + 1] = ((blk[2]! >>> 5) * 67108864 + (blk[3]! >>> 6)) / 9007199254740992;
      }
    }
    while (i < n) out[i++] = this.random();
  }

  /** Fills `out` (whole blocks) from the current offset (a multiple of 4) in wasm when it is selected; returns the values written (0 or out.length). */
  private wasmBlocks(out: Float32Array | Float64Array): number {
    if (out.length === 0 || !philoxUniformWasm(out, this.offset / 4, this.k0, this.k1)) return 0;
    this.offset += out instanceof Float32Array ? out.length : out.length * 2;
    this.blockIndex = -1;
    return out.length;
  }

  /** Computes the block at the current offset (a multiple of 4) into `block` and consumes it. */
  private nextBlock(): void {
    const b = this.offset / 4;
    philox4x32(b % TWO32, Math.floor(b / TWO32), 0, 0, this.k0, this.k1, this.block);
    this.blockIndex = b;
    this.offset += 4;
  }

  /** Fills with N(0, 1) by Box–Muller, using both outputs of each pair. */
  fillNormal(out: Float32Array | Float64Array): void {
    const u = new Float64Array(2 * Math.ceil(out.length / 2));
    this.fillUniform(u); // the same draws as random() per value, in order
    for (let i = 0; i < out.length; i += 2) {
      const u1 = 1 - u[i]!; // (0, 1]
      const u2 = u[i + 1]!;
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
  }

  /** One N(0, 1) draw (consumes a Box–Muller pair). */
  normal(): number {
    const u1 = 1 - this.random();
    const u2 = this.random();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

const defaultGen = new Generator(0);

/** Seeds the default generator used when no `generator` option is passed (torch.manual_seed). */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGen.manualSeed(seed);
}

export function defaultGenerator(): Generator {
  return defaultGen;
}
