import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSharedData, loadMnist } from '@likelihood/datasets';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { flowDemo } from './demo.js';
import { MNIST_CONV_DEFAULTS, MNIST_DEFAULTS, trainMnist } from './mnist.js';
import { trainToy, TOY_DEFAULTS } from './toy.js';

const dir = mkdtempSync(join(tmpdir(), 'samples-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const png = (path: string) => PNG.sync.read(readFileSync(path));

function mnistAvailable(): boolean {
  try {
    loadMnist({ split: 'test', raw: true, limit: 1 });
    return true;
  } catch {
    return findSharedData('mnist') !== null;
  }
}

describe('flow samples (plumbing, a few steps)', () => {
  it('the demo reports an exact held-out NLL against the true entropy, a loss curve and three PNGs', () => {
    const r = flowDemo({ seconds: 1, outDir: dir, steps: 12, batchSize: 64, testSize: 400, entropySamples: 2000, progress: false });
    expect(r.family).toBe('flow');
    const [fig] = r.likelihood;
    expect(fig!.kind).toBe('exact');
    expect(Number.isFinite(fig!.nats)).toBe(true);
    expect(fig!.bitsPerDim).toBeCloseTo(fig!.nats / (2 * Math.LN2), 12);
    // 8 gaussians: H ≈ 2.83 nats; a flow can only be worse on average (12 steps: far worse).
    expect(fig!.nats).toBeGreaterThan(2.7);
    expect(fig!.reference).toMatch(/true entropy 2\.8\d\d ± 0\.0\d\d nats/);
    expect(r.lossCurve.length).toBeGreaterThan(5);
    expect(r.lossCurve.at(-1)!.val).toBeCloseTo(fig!.nats, 10);
    expect(r.images).toHaveLength(3);
    for (const im of r.images) {
      const p = png(im.path);
      expect([p.width, p.height]).toEqual([360, 360]);
    }
    // highest-density coverage of the flow on the held-out points (only 400 in this run)
    const cal = r.calibration!;
    expect(cal.svg).toContain('<svg');
    expect(cal.svg).toContain('flow: highest-density coverage');
    expect(cal.caption).toContain('400 held-out 8gaussians points');
    expect(Number.isFinite(cal.ece)).toBe(true);
    expect(cal.ece).toBeGreaterThanOrEqual(0);
    expect(cal.ece).toBeLessThanOrEqual(1);
  });
  it('flow train on moons uses the quadrature density for the gap', () => {
    const r = trainToy({ ...TOY_DEFAULTS, density: 'moons', model: 'realnvp', layers: 2, hidden: [8], steps: 5, testSize: 200, entropySamples: 500, outDir: dir, progress: false });
    expect(r.entropy!.entropy).toBeGreaterThan(2.2);
    expect(r.result.gap).toBeCloseTo(r.result.testNll - r.result.trueEntropy!, 10);
    expect(existsSync(join(dir, 'flow-moons-realnvp-density.png'))).toBe(true);
  });
  it.skipIf(!mnistAvailable())('flow train mnist writes a resumable checkpoint, reports bits/dim and a sample grid', () => {
    const o = { ...MNIST_DEFAULTS, layers: 1, hidden: 8, steps: 2, batchSize: 8, trainLimit: 200, testLimit: 20, evalInterval: 2, checkpointInterval: 1, samples: 2, out: join(dir, 'mnist.safetensors'), outDir: dir, progress: false };
    const first = trainMnist(o);
    expect(existsSync(o.out)).toBe(true);
    expect(first.testBitsPerDim).toBeGreaterThan(1);
    expect(first.testCount).toBe(20);
    const resumed = trainMnist({ ...o, steps: 3, resume: true });
    expect(resumed.curve.at(-1)!.step).toBe(3);
    const p = png(resumed.images[0]!.path);
    expect(p.width).toBeGreaterThan(56);
  });
  it.skipIf(!mnistAvailable())('flow train mnist --model realnvp / glow: multi-scale conv flows on [1, 28, 28], resumable, evaluating a subset during training', () => {
    for (const model of ['realnvp', 'glow'] as const) {
      const o = { ...MNIST_DEFAULTS, ...MNIST_CONV_DEFAULTS, model, layers: 1, hidden: 4, steps: 2, batchSize: 4, trainLimit: 100, testLimit: 12, evalInterval: 1, evalLimit: 5, checkpointInterval: 1, samples: 4, out: join(dir, `mnist-${model}.safetensors`), outDir: dir, progress: false };
      const first = trainMnist(o);
      expect(first.testCount).toBe(12);
      expect(first.testBitsPerDim).toBeGreaterThan(1);
      expect(first.images[0]!.caption).toContain(model === 'glow' ? 'Glow' : 'RealNVP');
      // the evaluations during training score the first 5 images, the final one all 12
      expect(first.curve.map((c) => c.step)).toEqual([1, 2]);
      expect(first.curve.at(-1)!.val).not.toBe(first.testBitsPerDim);
      const resumed = trainMnist({ ...o, steps: 3, resume: true });
      expect(resumed.curve.map((c) => c.step)).toEqual([1, 2, 3]);
      expect(png(resumed.images[0]!.path).width).toBeGreaterThan(56);
    }
  });
  it('trainMnist names a bad model', () => {
    expect(() => trainMnist({ ...MNIST_DEFAULTS, model: 'spline' as never, steps: 1, trainLimit: 1, testLimit: 1, out: join(dir, 'x.safetensors'), outDir: dir })).toThrow(/model must be one of maf, realnvp, glow, found 'spline'/);
  });
});
