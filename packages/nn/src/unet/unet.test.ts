import { Generator, ShapeError, arange, noGrad, randn, tensor } from '@likelihood/core';
import { gradcheck } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { normal_ } from '../init.js';
import { Adam } from '../optim/adam.js';
import { UNet } from './unet.js';

const tiny = (gen: Generator, extra = {}) =>
  new UNet({ inChannels: 1, baseChannels: 8, channelMults: [1, 2], groups: 4, dtype: 'float64', generator: gen, ...extra });

describe('UNet', () => {
  it('maps [B, C, H, W] to the same spatial size, with the output conv zero at init', () => {
    const net = tiny(new Generator(0), { outChannels: 2 });
    const y = net.forward(randn([3, 1, 8, 8], { dtype: 'float64' }), tensor([0, 10, 999], { dtype: 'float64' }));
    expect(y.shape).toEqual([3, 2, 8, 8]);
    expect(Math.max(...Array.from(y.data(), Math.abs))).toBe(0); // DDPM zero-initialises the last conv
    const names = net.namedParameters().map(([n]) => n);
    expect(names).toContain('down.0.res.temb_proj.weight');
    expect(names).toContain('mid.0.attn.qkv.weight');
    expect(names.at(-1)).toBe('conv_out.bias');
  });

  it('gradients w.r.t. the input match finite differences (float64, non-zero output conv)', () => {
    const gen = new Generator(1);
    const net = tiny(gen);
    normal_(net.conv_out.weight, 0, 0.1, gen);
    const t = tensor([3, 40], { dtype: 'float64' });
    const x = randn([2, 1, 4, 4], { dtype: 'float64', generator: gen });
    gradcheck((xx) => net.forward(xx, t), [x], { rtol: 1e-5, atol: 1e-7 });
  });

  it('learns: 40 Adam steps cut a denoising loss, and every parameter then gets a gradient', () => {
    const gen = new Generator(2);
    const net = new UNet({ inChannels: 1, baseChannels: 8, channelMults: [1, 2], groups: 4, generator: gen });
    const opt = new Adam(net.parameters(), { lr: 3e-3 });
    const clean = arange(0, 64).reshape([1, 1, 8, 8]).div(64).expand([4, 1, 8, 8]); // a ramp image
    const t = tensor([1, 2, 3, 4]);
    const lossAt = () => {
      const noise = randn([4, 1, 8, 8], { generator: gen });
      return net.forward(clean.add(noise), t).sub(noise).square().mean();
    };
    const first = noGrad(lossAt).item();
    let last = first;
    for (let i = 0; i < 40; i++) {
      opt.zeroGrad();
      const loss = lossAt();
      loss.backward();
      opt.step();
      last = loss.item();
    }
    expect(last).toBeLessThan(0.7 * first);
    const zero = net.namedParameters().filter(([, p]) => !p.grad || p.grad.abs().sum().item() === 0).map(([n]) => n);
    expect(zero).toEqual([]);
  });

  it('checks its configuration and inputs', () => {
    const net = tiny(new Generator(3));
    expect(() => net.forward(randn([1, 1, 7, 7], { dtype: 'float64' }), tensor([1], { dtype: 'float64' }))).toThrow(/divisible by 2/);
    expect(() => net.forward(randn([1, 1, 8, 8], { dtype: 'float64' }))).toThrow(/pass timesteps t/);
    expect(() => net.forward(randn([1, 8, 8], { dtype: 'float64' }))).toThrow(ShapeError);
    expect(() => new UNet({ inChannels: 1, baseChannels: 6, groups: 4 })).toThrow(/6 channels are not divisible into 4 GroupNorm groups/);
    expect(() => new UNet({ inChannels: 1, attentionLevels: [5] })).toThrow(/attentionLevels has level 5/);
  });
});
