import { describe, expect, it } from 'vitest';
import { fmtSeconds, trainingProgress } from './progress.js';

describe('trainingProgress without a terminal', () => {
  it('fills the field templates and writes at most one line per interval, plus forced lines and the last step', () => {
    const lines: string[] = [];
    let t = 0;
    const p = trainingProgress('flow mnist', 30, ['train {loss} bits/dim', 'test {val}'], { stream: { isTTY: false, write: (s: string) => lines.push(s) }, now: () => t, everySeconds: 5 });
    p.start(10); // resumed at step 10
    for (let s = 11; s <= 30; s++) {
      t = (s - 10) * 1000;
      p.update(s, { loss: (1 / s).toFixed(3), ...(s >= 20 ? { val: '0.500' } : {}) }, s === 20);
    }
    p.stop();
    expect(lines.map((l) => Number(/step (\d+)\//.exec(l)![1]))).toEqual([11, 16, 20, 25, 30]);
    expect(lines[0]).toBe('flow mnist step 11/30 | train 0.091 bits/dim | test - | 1s (eta 19s)\n');
    expect(lines.at(-1)).toBe('flow mnist step 30/30 | train 0.033 bits/dim | test 0.500 | 20s\n');
  });

  it('formats durations as seconds, minutes and hours', () => {
    expect([fmtSeconds(59.4), fmtSeconds(187), fmtSeconds(3720)]).toEqual(['59s', '3m07s', '1h02m']);
  });
});
