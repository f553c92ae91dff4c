import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { englishFirstNames, mnistDataPackageDir } from '@likelihood/datasets';
import { CHROMIUM_PATH, hasChromium, launchChromium } from '@likelihood/test-utils/chromium';
import { build, preview } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'playground-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>['newPage']>>;

const ENGINE = { core: 'TypeScript core', 'onnxruntime-web': 'onnxruntime-web \\(WebAssembly, 1 thread\\)' } as const;

/** Picks a model and an engine, clicks sample, waits for the page to finish; returns the status line and the output. */
async function sampleOn(page: Page, model: string, engine: keyof typeof ENGINE) {
  await page.selectOption('#model', model);
  await page.selectOption('#engine', engine);
  await page.click('#sample');
  await page.waitForSelector(`#output[data-done="true"][data-engine="${engine}"]`, { timeout: 120_000 });
  const grey = await page.$eval('#canvas', (c) => {
    const cv = c as HTMLCanvasElement;
    if (cv.width === 0) return { w: 0, h: 0, values: [] as number[] };
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    return { w: cv.width, h: cv.height, values: Array.from({ length: d.length / 4 }, (_, i) => d[4 * i]!) };
  });
  return { status: (await page.textContent('#status'))!, text: (await page.textContent('#output'))!, grey };
}

describe.skipIf(!hasChromium())(`playground in headless Chromium (skipped when ${CHROMIUM_PATH} is absent)`, () => {
  it('builds, loads exported weights, and samples GPT text, VAE digits and diffusion digits in the browser on both engines', async () => {
    // A few training steps are enough to test the path from Node checkpoint to browser samples.
    const tsx = resolve(root, '../../node_modules/.bin/tsx');
    execFileSync(tsx, ['--conditions=source', 'scripts/export-weights.ts', '--steps', '3', '--out', join(tmp, 'public', 'weights')], { cwd: root, stdio: 'pipe' });
    const outDir = join(tmp, 'dist');
    await build({ root, publicDir: join(tmp, 'public'), build: { outDir, emptyOutDir: true }, logLevel: 'warn' });
    const server = await preview({ root, build: { outDir }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    const browser = await launchChromium();
    try {
      const url = server.resolvedUrls!.local[0]!;
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('ready'));
      expect(await page.textContent('#status')).toBe('ready: WebAssembly SIMD kernels');
      const models = await page.$$eval('#model option', (os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(models).toEqual(mnistDataPackageDir() ? ['gpt-names', 'vae-mnist', 'diffusion-mnist'] : ['gpt-names']);
      expect(await page.$$eval('#engine option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['core', 'onnxruntime-web']);
      expect(requests.some((r) => /\/assets\/ort[.-]/.test(r))).toBe(false); // onnxruntime-web is loaded only when its engine is used

      // GPT on the TypeScript core: 8 invented names, decoded with the names' tokenizer.
      const core = await sampleOn(page, 'gpt-names', 'core');
      const tokens = new RegExp(`^GPT: English first names on ${ENGINE.core}: done in [\\d.]+ s: (\\d+) tokens, [\\d.]+ ms per token$`);
      expect(core.status).toMatch(tokens);
      const steps = Number(tokens.exec(core.status)![1]) / 8; // decoding steps of 8 rows (≤ maxNewTokens = 20)
      expect(steps).toBeGreaterThanOrEqual(1);
      expect(steps).toBeLessThanOrEqual(20);
      const lines = core.text.split('\n');
      expect(lines).toHaveLength(8); // one invented name per prompt
      const alphabet = new Set(englishFirstNames().join(''));
      expect(lines.join('').length).toBeGreaterThan(0);
      expect([...lines.join('')].every((c) => alphabet.has(c))).toBe(true);

      // GPT on onnxruntime-web: KV-cache graphs (one per cache length, compiled on the first run;
      // the first session also starts onnxruntime-web's WebAssembly module).
      // Sampling draws the same uniforms on both engines and the logits agree to float rounding
      // (≈1e-6; packages/onnx's web.test.ts), so the same seed gives the same names.
      const ort = await sampleOn(page, 'gpt-names', 'onnxruntime-web');
      expect(ort.status).toMatch(new RegExp(`^GPT: English first names on ${ENGINE['onnxruntime-web']}: done in [\\d.]+ s: ${steps * 8} tokens, [\\d.]+ ms per token \\(includes starting onnxruntime-web's WebAssembly module and compiling ${steps} ONNX graphs\\)$`));
      expect(ort.text).toBe(core.text);
      const again = await sampleOn(page, 'gpt-names', 'onnxruntime-web'); // the graphs are kept: nothing compiled
      expect(again.status).toMatch(new RegExp(`^GPT: English first names on ${ENGINE['onnxruntime-web']}: done in [\\d.]+ s: ${steps * 8} tokens, [\\d.]+ ms per token$`));
      expect(again.text).toBe(core.text);

      // Image models: a grid of 28 × 28 digits on the canvas, not a blank one, and the same grid
      // from both engines: the same draws from the seed, decoded (VAE) or denoised in 20 DDIM steps
      // (diffusion) by eager kernels or by one ONNX graph; outputs differ by float rounding
      // (≤ 2e-4 after 20 steps in Node), at most one grey level of 255 after rounding.
      const grids: Array<[string, string, number, number]> = [
        ['vae-mnist', 'VAE: MNIST digits', 16, 4],
        ['diffusion-mnist', 'Diffusion: MNIST digits', 9, 3],
      ];
      for (const [id, label, n, side] of grids) {
        if (!models.includes(id)) continue;
        const a = await sampleOn(page, id, 'core');
        expect(a.status).toMatch(new RegExp(`^${label} on ${ENGINE.core}: done in [\\d.]+ s: ${n} images, [\\d.]+ ms per image$`));
        expect([a.grey.w, a.grey.h]).toEqual([side * 28, side * 28]);
        expect(Math.max(...a.grey.values) - Math.min(...a.grey.values)).toBeGreaterThan(50);
        const b = await sampleOn(page, id, 'onnxruntime-web');
        expect(b.status).toMatch(new RegExp(`^${label} on ${ENGINE['onnxruntime-web']}: done in [\\d.]+ s: ${n} images, [\\d.]+ ms per image \\(includes compiling 1 ONNX graph\\)$`));
        expect([b.grey.w, b.grey.h]).toEqual([side * 28, side * 28]);
        expect(Math.max(...b.grey.values.map((v, i) => Math.abs(v - a.grey.values[i]!)))).toBeLessThanOrEqual(1);
      }
      const shot = join(tmp, 'playground.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(5_000);
      expect(errors).toEqual([]);
      // Everything, onnxruntime-web's .wasm included, came from the page's own server.
      expect(requests.filter((r) => !r.startsWith(url) && !r.startsWith('data:'))).toEqual([]);
      expect(requests.some((r) => /\/assets\/ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(r))).toBe(true);
    } finally {
      await browser.close();
      await new Promise<void>((r) => server.httpServer.close(() => r()));
    }
  });
});
