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

describe.skipIf(!hasChromium())(`playground in headless Chromium (skipped when ${CHROMIUM_PATH} is absent)`, () => {
  it('builds, loads exported weights, and samples GPT text, VAE digits and diffusion digits in the browser on a click', async () => {
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
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('ready'));
      expect(await page.textContent('#status')).toBe('ready: WebAssembly SIMD kernels');
      const models = await page.$$eval('#model option', (os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(models).toEqual(mnistDataPackageDir() ? ['gpt-names', 'vae-mnist', 'diffusion-mnist'] : ['gpt-names']);
      await page.click('#sample');
      await page.waitForSelector('#output[data-done="true"]', { timeout: 60_000 });
      const status = await page.textContent('#status');
      expect(status).toMatch(/^GPT: English first names: done in [\d.]+ s$/);
      const lines = (await page.textContent('#output'))!.split('\n');
      expect(lines).toHaveLength(8); // one invented name per prompt
      const alphabet = new Set(englishFirstNames().join(''));
      expect(lines.join('').length).toBeGreaterThan(0);
      expect([...lines.join('')].every((c) => alphabet.has(c))).toBe(true); // decoded with the names' tokenizer
      // Image models: a grid of 28 × 28 digits on the canvas, not a blank one.
      const grids: Array<[string, RegExp, number]> = [
        ['vae-mnist', /^VAE: MNIST digits: done in [\d.]+ s$/, 4],
        ['diffusion-mnist', /^Diffusion: MNIST digits: done in [\d.]+ s$/, 3],
      ];
      for (const [id, done, side] of grids) {
        if (!models.includes(id)) continue;
        await page.selectOption('#model', id);
        await page.click('#sample');
        await page.waitForSelector('#output[data-done="true"]', { timeout: 120_000 });
        expect(await page.textContent('#status')).toMatch(done);
        const grey = await page.$eval('#canvas', (c) => {
          const cv = c as HTMLCanvasElement;
          const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
          let lo = 255;
          let hi = 0;
          for (let i = 0; i < d.length; i += 4) {
            lo = Math.min(lo, d[i]!);
            hi = Math.max(hi, d[i]!);
          }
          return { w: cv.width, h: cv.height, lo, hi };
        });
        expect([grey.w, grey.h]).toEqual([side * 28, side * 28]);
        expect(grey.hi - grey.lo).toBeGreaterThan(50);
      }
      const shot = join(tmp, 'playground.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(5_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await new Promise<void>((r) => server.httpServer.close(() => r()));
    }
  });
});
