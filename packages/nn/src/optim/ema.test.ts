import { Tensor, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { StateDictError } from '../errors.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { EMA } from './ema.js';

class Tiny extends Module {
  weight = new Parameter(tensor([[1, 2], [3, 4]], { dtype: 'float64' }));
  bias = new Parameter(tensor([0.5, -0.5], { dtype: 'float64' }));
  forward(x: Tensor): Tensor {
    return x.matmul(this.weight).add(this.bias);
  }
}

const vals = (t: Tensor) => Array.from(t.storage);

describe('EMA', () => {
  it("warm-up: 'numUpdates' is min(decay, (1 + n)/(10 + n)), {invGamma, power} is diffusers' 1 − (1 + n/γ)^−p", () => {
    const m = new Tiny();
    const none = new EMA(m, { decay: 0.9 });
    const tf = new EMA(m, { decay: 0.9, warmup: 'numUpdates' });
    const ramp = new EMA(m, { decay: 0.999, warmup: { invGamma: 1, power: 2 / 3 } });
    const decays = (e: EMA, k: number) => Array.from({ length: k }, () => [e.currentDecay(), e.update()][0] as number);
    expect(decays(none, 3)).toEqual([0, 0.9, 0.9]);
    const tfDecays = decays(tf, 90);
    expect(tfDecays.slice(0, 4)).toEqual([0, 2 / 11, 3 / 12, 4 / 13]);
    expect(tfDecays[80]).toBe(0.9); // (1 + 80)/(90) = 0.9: capped from here on
    expect(tfDecays[79]).toBeCloseTo(80 / 89, 15);
    const r = decays(ramp, 3);
    expect(r[0]).toBe(0);
    expect(r[1]).toBeCloseTo(1 - 2 ** (-2 / 3), 15); // 0.37004
    expect(r[2]).toBeCloseTo(1 - 3 ** (-2 / 3), 15);
  });

  it('the update uses the warmed-up decay: second average = p0 + (1 − 2/11)(p1 − p0)', () => {
    const m = new Tiny();
    const ema = new EMA(m, { decay: 0.999, warmup: 'numUpdates' });
    ema.update();
    m.bias.assign_(tensor([1.5, 0.5], { dtype: 'float64' }));
    ema.update();
    const w = 1 - 2 / 11;
    expect(vals(ema.shadow[1]!)[0]).toBeCloseTo(0.5 + w * 1, 15);
    expect(vals(ema.shadow[1]!)[1]).toBeCloseTo(-0.5 + w * 1, 15);
  });

  it('rejects a bad warm-up, naming the field', () => {
    const m = new Tiny();
    expect(() => new EMA(m, { warmup: 'linear' as 'none' })).toThrow(/warmup: expected 'none', 'numUpdates' or \{invGamma, power\}, found "linear"/);
    expect(() => new EMA(m, { warmup: { power: 0 } })).toThrow(/warmup.power: expected a positive number, found 0/);
    expect(() => new EMA(m, { warmup: { invGamma: -1 } })).toThrow(/warmup.invGamma: expected a positive number, found -1/);
  });

  it('first update copies, later ones follow avg + (1 - decay)(p - avg) (torch AveragedModel EMA)', () => {
    const m = new Tiny();
    const ema = new EMA(m, { decay: 0.9 });
    ema.update();
    expect(vals(ema.shadow[1]!)).toEqual([0.5, -0.5]);
    let ref = [0.5, -0.5];
    for (let k = 1; k <= 5; k++) {
      const next = [0.5 + k, -0.5 - 2 * k];
      m.bias.assign_(tensor(next, { dtype: 'float64' }));
      ema.update();
      ref = ref.map((a, i) => a + (1 - 0.9) * (next[i]! - a));
    }
    expect(vals(ema.shadow[1]!)).toEqual(ref);
    expect(ema.numUpdates).toBe(6);
    // the module itself is untouched until copyTo
    expect(vals(m.bias)).toEqual([5.5, -10.5]);
    const evalCopy = new Tiny();
    ema.copyTo(evalCopy);
    expect(vals(evalCopy.bias)).toEqual(ref);
    expect(vals(evalCopy.weight)).toEqual([1, 2, 3, 4]);
  });

  it('stateDict round trip and validation', () => {
    const m = new Tiny();
    const ema = new EMA(m.parameters(), { decay: 0.5 });
    ema.update();
    m.weight.assign_(tensor([[2, 2], [2, 2]], { dtype: 'float64' }));
    ema.update();
    const sd = JSON.parse(JSON.stringify(ema.stateDict()));
    const other = new EMA(new Tiny());
    other.loadStateDict(sd);
    expect(other.decay).toBe(0.5);
    expect(vals(other.shadow[0]!)).toEqual([1.5, 2, 2.5, 3]);
    expect(() => other.loadStateDict({ ...sd, shadow: sd.shadow.slice(0, 1) })).toThrow(StateDictError);
    const bad = JSON.parse(JSON.stringify(sd));
    bad.shadow[1] = { shape: [3], dtype: 'float64', data: [1, 2, 3] };
    expect(() => other.loadStateDict(bad)).toThrow(/shadow\[1\]: shape \[3\] in the state dict, \[2\] for the parameter/);
    expect(() => new EMA(m, { decay: 1.5 })).toThrow(/decay/);
    expect(other.shadow[0]).toBeInstanceOf(Tensor);
  });
});
