// Recycled arrays for copied-out kernel results: reuse after collection, never while referenced.
import { describe, expect, it } from 'vitest';
import { runNodeScript } from './testing/nodeScript.js';

const collect = `async function collect() { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); } }`;

describe('pooled kernel results', () => {
  it("reuse a collected result's buffer for the next result of its size, with the right values, and never one still referenced", () => {
    const r = runNodeScript(`
import { Generator, randn, setKernelPreference } from './packages/core/src/index.ts';
import { POOL_MIN_BYTES, poolStats } from './packages/core/src/arrayPool.ts';
${collect}
setKernelPreference('wasm');
const g = new Generator(1);
const x = randn([256, 1024], { generator: g });       // 1 MiB results
x.exp();
await collect();                                      // the probe's callback turns pooling on
const kept = x.exp();                                 // held throughout
const keptSum = kept.storage.reduce((s, v) => s + v, 0);
let a = x.exp();
const aBuffer = a.storage.buffer;
a = null;
await collect();
const freed = poolStats().freeBytes;
const b = x.exp();                                    // takes a's buffer back
const c = x.exp();                                    // nothing free of that size: a fresh one
const same = b.storage.every((v, i) => Object.is(v, c.storage[i]));
for (let i = 0; i < 5; i++) { x.exp(); await collect(); }
console.log(JSON.stringify({
  bigEnough: 1024 * 1024 >= POOL_MIN_BYTES, freed, reused: b.storage.buffer === aBuffer, fresh: c.storage.buffer !== aBuffer && c.storage.buffer !== kept.storage.buffer,
  same, keptIntact: kept.storage.reduce((s, v) => s + v, 0) === keptSum, plain: !(b.storage.buffer instanceof SharedArrayBuffer),
  smallIsCopy: randn([8], { generator: g }).exp().storage.buffer.byteLength === 32,
}));
`);
    expect(r).toEqual({ bigEnough: true, freed: 1 << 20, reused: true, fresh: true, same: true, keptIntact: true, plain: true, smallIsCopy: true });
  }, 70_000);

  it("give TypeScript kernels' large float32 results recycled buffers too, zeroed", () => {
    const r = runNodeScript(`
import { Generator, pad, randn, setKernelPreference } from './packages/core/src/index.ts';
${collect}
setKernelPreference('wasm');
const g = new Generator(3);
randn([256, 1024], { generator: g }).exp();
await collect();
let src = randn([256, 1024], { generator: g });
let e = src.exp();                                    // 1 MiB of nonzero values, a pooled copy
const buffers = [src.storage.buffer, e.storage.buffer];
src = e = null;
await collect();
const padded = pad(randn([254, 1022], { generator: g }), [1, 1, 1, 1]); // Pad (TypeScript) writes only the interior
let borderZero = true;
for (let i = 0; i < 256; i++) for (let j = 0; j < 1024; j++) {
  if ((i === 0 || j === 0 || i === 255 || j === 1023) && padded.storage[i * 1024 + j] !== 0) borderZero = false;
}
console.log(JSON.stringify({ reused: buffers.includes(padded.storage.buffer), borderZero }));
`);
    expect(r).toEqual({ reused: true, borderZero: true });
  }, 70_000);

  it('stay off in a synchronous loop (its callbacks never run), pinning nothing, and turn on once the loop awaits', () => {
    const r = runNodeScript(`
import { Generator, randn, setKernelPreference } from './packages/core/src/index.ts';
import { poolStats } from './packages/core/src/arrayPool.ts';
${collect}
setKernelPreference('wasm');
const x = randn([256, 1024], { generator: new Generator(4) });
for (let i = 0; i < 50; i++) { x.exp(); globalThis.gc(); } // 50 MiB of results, no turn of the event loop
const sync = poolStats();
await collect();
for (let i = 0; i < 5; i++) { x.exp(); await collect(); }
console.log(JSON.stringify({ sync, after: poolStats() }));
`);
    expect(r.sync).toEqual({ freeBytes: 0, pendingBytes: 0 });
    expect((r.after as { freeBytes: number }).freeBytes).toBe(1 << 20); // one buffer, reused each time
  }, 70_000);

  it('keep at most the cap in the free lists (the rest goes back to the collector)', () => {
    const r = runNodeScript(`
import { Generator, randn, setKernelPreference } from './packages/core/src/index.ts';
import { poolStats, setPoolMaxFreeBytesForTests } from './packages/core/src/arrayPool.ts';
${collect}
setKernelPreference('wasm');
setPoolMaxFreeBytesForTests(2.5 * (1 << 20));
const x = randn([256, 1024], { generator: new Generator(2) });
x.exp();
await collect();
let outs = [x.exp(), x.exp(), x.exp(), x.exp()];      // 4 MiB of results
outs = null;
await collect();
console.log(JSON.stringify({ free: poolStats().freeBytes }));
`);
    expect(r.free).toBe(2 << 20); // two of the four 1 MiB buffers fit under 2.5 MiB
  }, 70_000);
});
