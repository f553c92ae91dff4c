// Resume with the real pieces: an MLP with BatchNorm buffers, AdamW, a warmup-cosine schedule and a
// generator drawing minibatches. 10 steps + checkpoint + 10 steps must equal a fresh process that
// loads the checkpoint and runs the last 10 steps, bit for bit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, type Tensor, randint, randn } from '@likelihood/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchNorm1d, Linear, ReLU } from '../layers/index.js';
import { Sequential } from '../containers.js';
import { AdamW } from '../optim/adam.js';
import { warmupCosine } from '../optim/schedules.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'likelihood-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = { x: randn([64, 5], { generator: new Generator(9) }), y: randn([64, 2], { generator: new Generator(10) }) };

function build() {
  const init = new Generator(1);
  const model = new Sequential(new Linear(5, 16, { generator: init }), new BatchNorm1d(16), new ReLU(), new Linear(16, 2, { generator: init }));
  const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.05 });
  const sched = warmupCosine(opt, { warmupSteps: 5, totalSteps: 20, minLr: 1e-4 });
  return { model, opt, sched };
}

function train(s: ReturnType<typeof build>, gen: Generator, steps: number): void {
  for (let i = 0; i < steps; i++) {
    const idx = randint(0, 64, [16], { generator: gen });
    const pred = s.model.forward<Tensor>(data.x.indexSelect(0, idx));
    const loss = pred.sub(data.y.indexSelect(0, idx)).square().mean();
    s.opt.zeroGrad();
    loss.backward();
    s.opt.step();
    s.sched.step();
  }
}

const snapshot = (s: ReturnType<typeof build>) => Object.entries(s.model.stateDict()).map(([k, t]) => [k, Array.from(t.data())]);

describe('checkpoint resume with AdamW, BatchNorm buffers and an LR schedule', () => {
  it('continues bit-identically', () => {
    const straight = build();
    const g1 = new Generator(42);
    train(straight, g1, 20);

    const first = build();
    const g2 = new Generator(42);
    train(first, g2, 10);
    const path = join(dir, 'ckpt.safetensors');
    saveCheckpoint(path, { model: first.model, optimizer: first.opt, step: 10, rng: g2, extra: { sched: first.sched.stateDict() } });

    const resumed = build();
    const g3 = new Generator(0);
    const info = loadCheckpoint(path, { model: resumed.model, optimizer: resumed.opt, generator: g3 });
    resumed.sched.loadStateDict((info.extra as { sched: never }).sched);
    expect(info.step).toBe(10);
    train(resumed, g3, 10);
    expect(snapshot(resumed)).toEqual(snapshot(straight));
    expect(resumed.opt.paramGroups[0]!.lr).toBe(straight.opt.paramGroups[0]!.lr);
  });
});
