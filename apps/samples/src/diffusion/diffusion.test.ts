import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSharedData } from '@likelihood/datasets';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { heldOutBound } from './bound.js';
import { loadDiffusionCheckpoint } from './checkpoint.js';
import { loadDiffusionData } from './data.js';
import { diffusionDemo } from './demo.js';
import { imagePictures, toyPictures } from './pictures.js';
import { TRAIN_DEFAULTS, trainDiffusion, trainDiffusionAsync } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'samples-diffusion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pngSize = (path: string) => {
  const png = PNG.sync.read(readFileSync(path));
  return [png.width, png.height];
};

describe('diffusion train / sample / demo', () => {
  const out = join(dir, 'moons.safetensors');
  const small = { ...TRAIN_DEFAULTS, data: 'moons', batchSize: 64, checkpointInterval: 10, out, progress: false, model: { hidden: 16, layers: 1, numTimesteps: 20 } };

  it('trains a 2-D model, checkpoints it with its EMA and loss curve, and resumes where it stopped', () => {
    const first = trainDiffusion({ ...small, steps: 20 });
    expect(first.steps).toBe(20);
    expect(first.curve.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const resumed = trainDiffusion({ ...small, steps: 25, resume: true });
    expect(resumed.steps).toBe(25);
    expect(resumed.curve.length).toBe(25);
    expect(resumed.curve.slice(0, 20)).toEqual(first.curve);
    expect(resumed.ema.numUpdates).toBe(25);
  });

  it('trainDiffusionAsync (resident kernel outputs, the event loop turning between steps) takes the same steps bit for bit', async () => {
    // batch 512 × 128 wide: large enough for the wasm kernels, whose outputs then stay resident
    const cfg = { ...small, batchSize: 512, steps: 8, model: { hidden: 128, layers: 2, numTimesteps: 20 } };
    const sync = trainDiffusion({ ...cfg, out: join(dir, 'sync.safetensors') });
    const res = await trainDiffusionAsync({ ...cfg, out: join(dir, 'async.safetensors'), residentMb: 64 });
    expect(res.curve).toEqual(sync.curve);
    const params = (r: typeof sync) => r.model.parameters().map((p) => Array.from(p.data()));
    expect(params(res)).toEqual(params(sync));
  });

  it('rebuilds the model from the checkpoint and writes data, samples and trajectory PNGs', () => {
    const { model, ema, schedule, config, step } = loadDiffusionCheckpoint(out);
    expect([config.data, config.hidden, config.numTimesteps, step]).toEqual(['moons', 16, 20, 25]);
    const { images, samples } = toyPictures(model, ema, schedule, loadDiffusionData('moons'), dir, 200);
    expect(samples.shape).toEqual([200, 2]);
    expect(images.map((i) => pngSize(i.path))).toEqual([[360, 360], [360, 360], [360, 360]]);
  });

  it('the demo returns a bound in nats with its loss curve and pictures', () => {
    const r = diffusionDemo({ seconds: 1, outDir: dir, data: 'moons', samples: 200, boundExamples: 100, progress: false });
    expect(r.family).toBe('diffusion');
    expect(r.likelihood[0]!.kind).toBe('bound');
    expect(Number.isFinite(r.likelihood[0]!.nats)).toBe(true);
    expect(r.likelihood[0]!.bitsPerDim! * 2 * Math.LN2).toBeCloseTo(r.likelihood[0]!.nats, 9);
    expect(r.lossCurve.length).toBeGreaterThan(0);
    expect(r.images.every((i) => existsSync(i.path))).toBe(true);
    // sample-quantile coverage of 200 samples against 200 held-out points, 13 levels
    const cal = r.calibration!;
    expect(cal.svg).toContain('<svg');
    expect(cal.svg).toContain('diffusion: sample-quantile coverage');
    expect(cal.svg.match(/<rect [^>]*fill="#3b6fb6"/g)).toHaveLength(13);
    expect(cal.caption).toContain("200 held-out 'moons' points");
    expect(Number.isFinite(cal.ece)).toBe(true);
    expect(cal.ece).toBeGreaterThanOrEqual(0);
    expect(cal.ece).toBeLessThanOrEqual(1);
  });

  it.skipIf(!findSharedData('mnist'))('MNIST: a U-Net step, a sample grid, a denoising strip and a stratified bound', () => {
    const run = trainDiffusion({ ...TRAIN_DEFAULTS, data: 'mnist', steps: 1, batchSize: 2, out: join(dir, 'mnist.safetensors'), progress: false, model: { baseChannels: 8, channelMults: [1, 2], numTimesteps: 20 } });
    const { images, samples } = imagePictures(run.model, run.ema, run.schedule, dir, { count: 4, steps: 3, stripRows: 2, stripCols: 3 });
    expect(samples.shape).toEqual([4, 1, 28, 28]);
    // 2 rows × 3 cols of 56-pixel tiles with 2-pixel padding: 3·58 + 2 by 2·58 + 2.
    expect(pngSize(images[1]!.path)).toEqual([176, 118]);
    // the ancestral sampler takes all T = 20 steps, clipped to the data's range
    let calls = 0;
    const ddpm = imagePictures(run.model, run.ema, run.schedule, dir, { count: 2, sampler: 'ddpm', stripRows: 1, stripCols: 3, prefix: 'ddpm', onStep: () => calls++ });
    expect(calls).toBe(20);
    expect(ddpm.images[0]!.caption).toContain('DDPM ancestral, all 20 steps');
    expect(Math.max(...Array.from(ddpm.samples.storage, Math.abs))).toBeLessThanOrEqual(1 + 1e-6);
    const b = heldOutBound(run.model, run.ema, run.schedule, run.data.heldOut(2), { image: true, timesteps: 3 });
    expect(b.timesteps).toBe(3);
    expect(b.bitsPerDim).toBeGreaterThan(0);
  });
});
