// Parameter comparison for compiled vs eager GPT training.
import type { Tensor } from '@likelihood/core';
import type { GPT } from '@likelihood/gpt';

const data = (t: Tensor) => Array.from(t.storage as Float32Array);

/**
 * Largest per-tensor ‖a − e‖ / ‖e‖ over two GPTs' parameters. The key third of each
 * c_attn.bias is left out: its exact gradient is zero (softmax ignores a per-query shift of the
 * scores), so both paths hold only rounding noise there, which Adam scales up to ±lr steps.
 */
export function worstRelativeParamDiff(a: GPT, e: GPT): number {
  const C = a.config.nEmbd;
  const ea = new Map(e.namedParameters());
  let worst = 0;
  for (const [name, p] of a.namedParameters()) {
    const keep = (_: number, k: number) => !name.endsWith('attn.c_attn.bias') || k < C || k >= 2 * C;
    const x = data(p).filter(keep);
    const y = data(ea.get(name)!).filter(keep);
    worst = Math.max(worst, Math.hypot(...x.map((v, k) => v - y[k]!)) / Math.hypot(...y));
  }
  return worst;
}
