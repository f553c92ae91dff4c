// Resident outputs (resident.ts): kernel results (and TypeScript kernels' large float32 results)
// stay in the shared wasm memory as views and are read in place by the next kernel. The region is process-wide and cannot be resized, so each
// check runs in a child process (with --expose-gc, so collection is deterministic).
import { describe, expect, it } from 'vitest';
import { runNodeScript } from '../../testing/nodeScript.js';
import { ArgumentError } from '../../errors.js';
import { ResidentHeap, residentStats, setResidentBytes } from './resident.js';
import type { KernelExports } from './runtime.js';

// One small transformer-like step touching every converted wrapper: linear forward and backward,
// layerNorm, GELU, causal attention, softmax, and the fused Adam update.
const STEP = `
import { Generator, causalAttentionPacked, gelu, layerNorm, linear, randn, releaseResidentOutputs, residentStats, setKernelPreference, setNumThreads, setResidentBytes, softmax } from './packages/core/src/index.ts';
import { Adam } from './packages/nn/src/index.ts';
const isShared = (t) => t.storage.buffer instanceof SharedArrayBuffer;
function model(seed) {
  const g = new Generator(seed);
  return { w1: randn([96, 32], { generator: g }).mul(0.2).requiresGrad_(), b1: randn([96], { generator: g }).requiresGrad_(),
           w2: randn([24, 32], { generator: g }).mul(0.2).requiresGrad_(), ln: randn([32], { generator: g }).requiresGrad_(),
           x: randn([4, 40, 32], { generator: g }) };
}
function step(m, opt) {
  const h = layerNorm(m.x, [32], m.ln, null);
  const qkv = linear(h, m.w1, m.b1);                 // [4, 40, 96]
  const a = causalAttentionPacked(qkv, 4);           // [4, 40, 32]
  const u = gelu(linear(a, m.w2, null), 'tanh');     // [4, 40, 24]
  const p = softmax(u, -1);
  const loss = p.mul(u).sum();
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return { loss: loss.item(), outs: [h, qkv, a, u, p] };
}
function trainRun(pref) {
  setKernelPreference(pref);
  const m = model(3);
  const opt = new Adam([m.w1, m.b1, m.w2, m.ln], { lr: 1e-2 });
  const losses = [];
  let outs;
  for (let i = 0; i < 4; i++) { const r = step(m, opt); losses.push(r.loss); outs = r.outs; }
  return { losses, outs, params: [m.w1, m.b1, m.w2, m.ln].map((t) => Array.from(t.storage)) };
}
`;

describe('resident kernel outputs', () => {
  it('give bit for bit the training steps of the copying wasm path, with outputs living in wasm memory', () => {
    const r = runNodeScript(`${STEP}
setNumThreads(2);
const ref = trainRun('ts');
const copying = trainRun('wasm');                     // resident outputs off (the default)
setResidentBytes(64 << 20);
const res = trainRun('wasm');
const same = res.params.every((p, i) => p.every((v, j) => Object.is(v, copying.params[i][j]))) && res.losses.every((l, i) => Object.is(l, copying.losses[i]));
console.log(JSON.stringify({ same, lossRef: ref.losses, loss: res.losses, shared: res.outs.map(isShared), copyingShared: copying.outs.map(isShared), stats: residentStats() }));
`);
    expect(r.copyingShared).toEqual([false, false, false, false, false]);
    expect(r.shared).toEqual([true, true, true, true, true]); // layerNorm, linear, attention, GELU, softmax
    expect(r.same).toBe(true);
    // and both agree with the TypeScript kernels on the losses (parameters after Adam amplify float32 noise in tiny gradients)
    const [lossRef, loss] = [r.lossRef as number[], r.loss as number[]];
    for (let i = 0; i < 4; i++) expect(Math.abs(loss[i]! - lossRef[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(lossRef[i]!)));
    expect((r.stats as { inUse: number }).inUse).toBeGreaterThan(0);
  }, 70_000);

  it("update Adam's moments in place when they are region blocks, bit for bit as when they are copied in and back", () => {
    const r = runNodeScript(`
import { Generator, randn, setKernelPreference, setResidentBytes } from './packages/core/src/index.ts';
import { Adam } from './packages/nn/src/index.ts';
setKernelPreference('wasm');
function run() {
  const g = new Generator(7);
  const p = randn([8192], { generator: g }).requiresGrad_(); // above the fused update's 4096-element threshold
  const c = randn([8192], { generator: g });
  const opt = new Adam([p], { lr: 1e-2 });
  for (let i = 0; i < 3; i++) { opt.zeroGrad(); p.mul(c).square().sum().backward(); opt.step(); }
  const s = opt.state.get(p);
  return { p: Array.from(p.storage), m: Array.from(s.expAvg.storage), shared: s.expAvg.storage.buffer instanceof SharedArrayBuffer };
}
const copying = run();
setResidentBytes(16 << 20);
const res = run();
const same = (a, b) => a.every((v, i) => Object.is(v, b[i]));
console.log(JSON.stringify({ sameP: same(res.p, copying.p), sameM: same(res.m, copying.m), shared: res.shared, copyingShared: copying.shared, moved: res.m.some((v) => v !== 0) }));
`);
    expect(r).toEqual({ sameP: true, sameM: true, shared: true, copyingShared: false, moved: true });
  }, 70_000);

  it('give bit for bit the copying path on a conv step (conv, transposed conv, groupNorm + SiLU, BCE with logits)', () => {
    const r = runNodeScript(`
import { Generator, binaryCrossEntropyWithLogits, binaryCrossEntropyWithLogitsSum, conv2d, convTranspose2d, groupNorm, groupNormSilu, randn, rand, setKernelPreference, setResidentBytes } from './packages/core/src/index.ts';
import { Adam } from './packages/nn/src/index.ts';
setKernelPreference('wasm');
function run() {
  const g = new Generator(4);
  const w1 = randn([8, 3, 3, 3], { generator: g }).mul(0.3).requiresGrad_();
  const w2 = randn([8, 3, 4, 4], { generator: g }).mul(0.3).requiresGrad_();
  const gamma = randn([8], { generator: g }).requiresGrad_();
  const x = randn([4, 3, 14, 14], { generator: g });
  const target = rand([4, 3, 28, 28], { generator: g });
  const opt = new Adam([w1, w2, gamma], { lr: 1e-2 });
  const losses = [];
  let outs;
  for (let i = 0; i < 3; i++) {
    const h = groupNormSilu(conv2d(x, w1, null, { padding: 1 }), 4, gamma, null);   // [4, 8, 14, 14]
    const h2 = groupNorm(h, 2, null, null);
    const y = convTranspose2d(h2, w2, null, { stride: 2, padding: 1 });           // [4, 3, 28, 28]
    const loss = binaryCrossEntropyWithLogits(y, target).mean().add(binaryCrossEntropyWithLogitsSum(y.reshape([4, -1]), target.reshape([4, -1])).mean());
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
    outs = [h, h2, y];
  }
  return { losses, outs, params: [w1, w2, gamma].map((t) => Array.from(t.storage)) };
}
const copying = run();
setResidentBytes(32 << 20);
const res = run();
const same = res.params.every((p, i) => p.every((v, j) => Object.is(v, copying.params[i][j]))) && res.losses.every((l, i) => Object.is(l, copying.losses[i]));
console.log(JSON.stringify({ same, shared: res.outs.map((t) => t.storage.buffer instanceof SharedArrayBuffer), losses: res.losses }));
`);
    expect(r.shared).toEqual([true, true, true]);
    expect(r.same).toBe(true);
    expect((r.losses as number[]).every(Number.isFinite)).toBe(true);
  }, 70_000);

  it('recycle collected blocks between steps, and never reuse a block that is still referenced', () => {
    const r = runNodeScript(`${STEP}
setResidentBytes(2 << 20); // a few steps' worth: the loop only keeps going by recycling
setKernelPreference('wasm');
const m = model(5);
const opt = new Adam([m.w1, m.b1, m.w2, m.ln], { lr: 1e-2 });
const kept = step(m, opt).outs;                       // held across everything below
const keptValues = kept.map((t) => Array.from(t.storage));
for (let i = 0; i < 60; i++) { step(m, opt); globalThis.gc(); await releaseResidentOutputs(); }
const intact = kept.every((t, i) => t.storage.every((v, j) => Object.is(v, keptValues[i][j])));
console.log(JSON.stringify({ intact, keptShared: kept.map(isShared), stats: residentStats() }));
`);
    expect(r.keptShared).toEqual([true, true, true, true, true]);
    expect(r.intact).toBe(true);
    expect((r.stats as { fallbacks: number }).fallbacks).toBe(0); // 60 steps in a 2 MiB region: blocks came back
  }, 70_000);

  it('recycle without --expose-gc: releaseResidentOutputs runs the collector once the region is half full', () => {
    const r = runNodeScript(
      `${STEP}
setResidentBytes(2 << 20);
setKernelPreference('wasm');
const m = model(5);
const opt = new Adam([m.w1, m.b1, m.w2, m.ln], { lr: 1e-2 });
const exposed = typeof globalThis.gc === 'function';
let peak = 0;
for (let i = 0; i < 60; i++) { step(m, opt); peak = Math.max(peak, residentStats().inUse); await releaseResidentOutputs(); }
console.log(JSON.stringify({ exposed, peak, stats: residentStats() }));
`,
      [],
    );
    expect(r.exposed).toBe(false); // the child's own code never saw a gc(): core's comes from a fresh context
    expect((r.stats as { fallbacks: number }).fallbacks).toBe(0);
    expect(r.peak as number).toBeLessThanOrEqual(2 << 20);
  }, 70_000);

  it('fall back to fresh arrays when the region is full, with the same values', () => {
    const r = runNodeScript(`${STEP}
const copying = trainRun('wasm');
setResidentBytes(64 << 10); // far too small for a step
const res = trainRun('wasm');
const same = res.params.every((p, i) => p.every((v, j) => Object.is(v, copying.params[i][j])));
console.log(JSON.stringify({ same, stats: residentStats(), shared: res.outs.map(isShared) }));
`);
    expect((r.stats as { fallbacks: number }).fallbacks).toBeGreaterThan(0);
    expect((r.shared as boolean[]).some((s) => !s)).toBe(true);
    expect(r.same).toBe(true);
  }, 70_000);

  it('leave operands untouched when a kernel reads them in place', () => {
    const r = runNodeScript(`
import { Generator, causalAttentionPacked, gelu, layerNorm, linear, randn, setKernelPreference, setResidentBytes, softmax } from './packages/core/src/index.ts';
setResidentBytes(16 << 20);
setKernelPreference('wasm');
const g = new Generator(9);
const w = randn([96, 32], { generator: g }).requiresGrad_();
const x = linear(randn([3, 20, 32], { generator: g }), w, null); // resident [3, 20, 96]
const before = Array.from(x.storage);
const x2 = x.requiresGrad_();
const outs = [softmax(x2, -1), layerNorm(x2, [96], null, null), gelu(x2, 'tanh'), causalAttentionPacked(x2, 4)];
outs.reduce((s, t) => s.add(t.sum()), x2.sum()).backward();
console.log(JSON.stringify({ shared: x.storage.buffer instanceof SharedArrayBuffer, unchanged: x.storage.every((v, i) => Object.is(v, before[i])) }));
`);
    expect(r.shared).toBe(true);
    expect(r.unchanged).toBe(true);
  }, 70_000);

  it('give TypeScript kernels\' large float32 results region blocks too, zeroed even when recycled', () => {
    const r = runNodeScript(`
import { FLOAT32_SOURCE_MIN } from './packages/core/src/dtype.ts';
import { Generator, pad, randn, releaseResidentOutputs, residentStats, setKernelPreference, setResidentBytes } from './packages/core/src/index.ts';
setResidentBytes(16 << 20);
setKernelPreference('wasm');
const g = new Generator(2);
const x = randn([4, 8, 30, 30], { generator: g });
let e = x.exp();                                  // wasm results: region blocks full of nonzero values
let junk = e.add(7);
const freed = [e.storage.byteOffset, junk.storage.byteOffset];
e = junk = null;
for (let i = 0; i < 10 && residentStats().inUse > 0; i++) {
  globalThis.gc();
  await releaseResidentOutputs();                 // their blocks go back to the free list
}
const inner = randn([4, 8, 28, 28], { generator: g });
const padded = pad(inner, [1, 1, 1, 1]);          // Pad (TypeScript) writes only the interior
let borderZero = true;
for (let n = 0; n < 4 * 8; n++) for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) {
  const v = padded.storage[(n * 30 + i) * 30 + j];
  if ((i === 0 || j === 0 || i === 29 || j === 29) && v !== 0) borderZero = false;
}
const small = pad(randn([2, 3], { generator: g }), [1, 1]);
console.log(JSON.stringify({
  shared: padded.storage.buffer instanceof SharedArrayBuffer, recycled: freed.includes(padded.storage.byteOffset), borderZero,
  smallShared: small.storage.buffer instanceof SharedArrayBuffer, smallBelowMin: small.storage.length < FLOAT32_SOURCE_MIN,
}));
`);
    expect(r).toEqual({ shared: true, recycled: true, borderZero: true, smallShared: false, smallBelowMin: true });
  }, 70_000);

  it('split a larger free block, then merge freed neighbours when nothing fits (the top ones back to the bump pointer)', () => {
    const heap = new ResidentHeap({ heapBase: () => 64 } as unknown as KernelExports, 1024); // region [64, 1088); 0 means "no room"
    const [a, b, c, d] = [heap.alloc(256), heap.alloc(256), heap.alloc(256), heap.alloc(256)];
    expect([a, b, c, d]).toEqual([64, 320, 576, 832]);
    expect(heap.alloc(16)).toBe(0); // full: a fallback
    heap.unuse(a, 256);
    heap.unuse(b, 256);
    expect(heap.alloc(512)).toBe(64); // a and b merged (not at the top: a free run)
    heap.unuse(64, 512);
    expect(heap.alloc(128)).toBe(64); // the 512 run split: 128 handed out, 384 stay free
    expect(heap.alloc(384)).toBe(192);
    heap.unuse(c, 256);
    heap.unuse(d, 256);
    expect(heap.alloc(512)).toBe(576); // c and d merged at the top: the bump pointer comes down to 576
    expect(heap.alloc(16)).toBe(0);
    expect(heap.fallbacks).toBe(2);
    expect(heap.inUse).toBe(1024);
  });

  it('reject a bad region size with an ArgumentError naming it', () => {
    expect(() => setResidentBytes(-1)).toThrow(ArgumentError);
    expect(() => setResidentBytes(1.5)).toThrow(/setResidentBytes: bytes must be an integer in \[0, 2\^29\], found 1.5/);
    expect(residentStats().capacity).toBe(0); // off unless asked for
  });
});
