import { initWasmKernels, wasmLoadError } from '@likelihood/core';
import { diffusionMnist } from './demos/diffusion.js';
import { gptNames } from './demos/gpt.js';
import type { Demo, DemoOutput, Engine, SampleReport } from './demos/types.js';
import { vaeMnist } from './demos/vae.js';
import { loadOrtWeb } from './ortWeb.js';

const DEMOS: Demo[] = [gptNames, vaeMnist, diffusionMnist];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const select = $<HTMLSelectElement>('model');
const engine = $<HTMLSelectElement>('engine');
const status = $<HTMLDivElement>('status');
const output = $<HTMLPreElement>('output');
const canvas = $<HTMLCanvasElement>('canvas');
const weights = new Map<string, Uint8Array>();

/** Only the models whose weights were exported (weights/manifest.json) are offered. */
async function available(): Promise<Demo[]> {
  const res = await fetch('weights/manifest.json');
  if (!res.ok) throw new Error(`weights/manifest.json: HTTP ${res.status}; run \`pnpm weights\` in apps/playground first`);
  const files = new Set((await res.json()) as string[]);
  return DEMOS.filter((d) => files.has(d.weights));
}

async function fetchWeights(d: Demo): Promise<Uint8Array> {
  let w = weights.get(d.weights);
  if (!w) {
    const res = await fetch(`weights/${d.weights}`);
    if (!res.ok) throw new Error(`weights/${d.weights}: HTTP ${res.status}`);
    w = new Uint8Array(await res.arrayBuffer());
    weights.set(d.weights, w);
  }
  return w;
}

const out: DemoOutput = {
  text(s) {
    output.textContent += s;
  },
  images(pixels, count, h, w) {
    const cols = Math.ceil(Math.sqrt(count));
    const rows = Math.ceil(count / cols);
    canvas.width = cols * w;
    canvas.height = rows * h;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let k = 0; k < count; k++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = Math.round(255 * Math.min(1, Math.max(0, pixels[k * h * w + y * w + x]!)));
          const o = (((Math.floor(k / cols) * h + y) * canvas.width) + (k % cols) * w + x) * 4;
          img.data.set([v, v, v, 255], o);
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  },
};

const ENGINES: Record<Engine, string> = {
  core: 'TypeScript core',
  'onnxruntime-web': 'onnxruntime-web (WebAssembly, 1 thread)',
};

/** Set after the first sample on onnxruntime-web: its WebAssembly module starts with the first session. */
let ortStarted = false;

/** e.g. "done in 1.23 s: 160 tokens, 7.7 ms per token (includes compiling 20 ONNX graphs)" */
function timing(r: SampleReport, ms: number, startsOrt: boolean): string {
  const per = `${(ms / r.count).toFixed(1)} ms per ${r.unit}`;
  const work = [
    ...(startsOrt ? ["starting onnxruntime-web's WebAssembly module"] : []),
    ...(r.compiledGraphs > 0 ? [`compiling ${r.compiledGraphs} ONNX graph${r.compiledGraphs === 1 ? '' : 's'}`] : []),
  ];
  return `done in ${(ms / 1000).toFixed(2)} s: ${r.count} ${r.unit}s, ${per}${work.length > 0 ? ` (includes ${work.join(' and ')})` : ''}`;
}

async function sample(): Promise<void> {
  const d = DEMOS.find((x) => x.id === select.value)!;
  const e = engine.value as Engine;
  output.textContent = '';
  canvas.width = 0;
  canvas.height = 0;
  output.removeAttribute('data-done');
  output.setAttribute('data-engine', e);
  status.textContent = `sampling ${d.label} on ${ENGINES[e]}…`;
  try {
    const bytes = await fetchWeights(d);
    // Building the model from its weights and loading onnxruntime-web happen once: not part of the sampling time.
    d.load(bytes);
    if (e === 'onnxruntime-web') {
      status.textContent = 'loading onnxruntime-web…';
      await loadOrtWeb();
      status.textContent = `sampling ${d.label} on ${ENGINES[e]}…`;
    }
    const t0 = performance.now();
    const report = await d.sample(bytes, { temperature: Number($<HTMLInputElement>('temperature').value), seed: Number($<HTMLInputElement>('seed').value), engine: e }, out);
    const startsOrt = e === 'onnxruntime-web' && !ortStarted;
    if (e === 'onnxruntime-web') ortStarted = true;
    status.textContent = `${d.label} on ${ENGINES[e]}: ${timing(report, performance.now() - t0, startsOrt)}`;
  } catch (err) {
    status.textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    output.setAttribute('data-done', 'true');
  }
}

async function main(): Promise<void> {
  try {
    const [demos, wasm] = await Promise.all([available(), initWasmKernels()]);
    for (const d of demos) select.add(new Option(d.label, d.id));
    for (const [id, label] of Object.entries(ENGINES)) engine.add(new Option(label, id));
    const kernels = wasm ? 'WebAssembly SIMD kernels' : `TypeScript kernels (WebAssembly unavailable: ${String(wasmLoadError())})`;
    status.textContent = demos.length > 0 ? `ready: ${kernels}` : 'no exported weights found';
  } catch (e) {
    status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  }
  $<HTMLButtonElement>('sample').addEventListener('click', () => void sample());
}

void main();
