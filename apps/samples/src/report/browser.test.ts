import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reliabilityDiagram, renderReliabilitySvg } from '@likelihood/calibration';
import { afterAll, describe, expect, it } from 'vitest';
import { heatmapPng, imageGridPng, scatterPng, writePng } from '../images/png.js';
import { CHROMIUM_PATH, hasChromium, launchChromium } from '@likelihood/test-utils/chromium';
import { writeReport } from './html.js';
import type { FamilyReport } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two families' worth of report, built with the same writers the demos use. */
function reports(): FamilyReport[] {
  const grid = writePng(join(dir, 'grid.png'), imageGridPng(Float32Array.from({ length: 4 * 28 * 28 }, (_, i) => (i % 29) / 28), { count: 4, height: 28, width: 28 }));
  const heat = writePng(join(dir, 'heat.png'), heatmapPng(Float64Array.from({ length: 400 }, (_, i) => Math.sin(i)), { rows: 20, cols: 20 }));
  const scatter = writePng(join(dir, 'scatter.png'), scatterPng([{ points: [0, 0, 1, 1, -1, 0.5], color: [200, 30, 30], radius: 2 }], { range: [-2, 2] }));
  const probs = [
    [0.9, 0.1],
    [0.2, 0.8],
    [0.6, 0.4],
    [0.3, 0.7],
  ];
  const d = reliabilityDiagram(probs, [0, 1, 1, 1], { nBins: 2 });
  const curve = Array.from({ length: 50 }, (_, i) => ({ step: i, loss: 3 / (1 + i), ...(i % 10 === 0 ? { val: 3.2 / (1 + i) } : {}) }));
  return [
    {
      family: 'images',
      title: 'a model of images',
      likelihood: [{ label: 'test', nats: 90, bitsPerDim: 0.16, kind: 'bound' }],
      lossCurve: curve,
      images: [
        { caption: 'samples', path: grid },
        { caption: 'density', path: heat },
      ],
      calibration: { caption: 'pixels', svg: renderReliabilitySvg(d), ece: d.ece },
      seconds: 1,
    },
    {
      family: 'points',
      title: 'a model of points',
      likelihood: [{ label: 'test', nats: 2.9, kind: 'exact' }],
      lossCurve: curve,
      images: [{ caption: 'samples', path: scatter }],
      text: ['one', 'two'],
      seconds: 1,
    },
  ];
}

describe.skipIf(!hasChromium())(`report.html in headless Chromium (skipped when ${CHROMIUM_PATH} is absent)`, () => {
  it('opens with no errors and shows every image, curve and diagram', async () => {
    const page = writeReport(join(dir, 'report.html'), reports(), { generated: 'test', command: 'test' });
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      tab.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await tab.goto(`file://${page}`);
      const images = await tab.$$eval('img', (els) => els.map((e) => ({ ok: e.complete && e.naturalWidth > 0, w: e.naturalWidth })));
      expect(images).toHaveLength(3);
      expect(images.every((i) => i.ok)).toBe(true);
      // loss curves (one per family) and the calibration diagram render with a size
      const svgs = await tab.$$eval('svg', (els) => els.map((e) => e.getBoundingClientRect().width));
      expect(svgs.length).toBe(3);
      expect(svgs.every((w) => w > 100)).toBe(true);
      expect(await tab.$$eval('section', (els) => els.map((e) => e.id))).toEqual(['images', 'points']);
      const shot = join(dir, 'report.png');
      await tab.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
