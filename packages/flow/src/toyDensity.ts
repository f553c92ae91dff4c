// The exact log-density of each 2-D toy density, and its entropy by Monte Carlo with a standard
// error: the yardstick a flow's held-out NLL is read against (NLL − entropy ≈ KL(p ‖ q) ≥ 0).
import { ArgumentError, Generator, Tensor, noGrad } from '@likelihood/core';
import { MOONS_STD, toy2d } from '@likelihood/datasets';

/** Midpoint nodes on the arc parameter t ∈ [0, π]: 1024 nodes are 0.003 rad ≈ 0.006 apart on a radius-2 arc, 30× finer than σ = 0.2 (4096 nodes change the moons entropy by 1e-7). */
const MOONS_NODES = 1024;

/**
 * log p(x) of FFJORD's "moons" (`@likelihood/datasets`), which has no closed form: with
 * t ~ U[0, π] and equal weights, the outer arc (2cos t − 1, 2sin t − 0.2) and the inner arc
 * (1 − 2cos t, 0.8 − 2sin t), each convolved with N(0, σ²I), σ = 0.2. So
 *   p(x) = ½·(1/π)∫₀^π [N(x; a(t), σ²I) + N(x; b(t), σ²I)] dt,
 * computed by the midpoint rule in float64 with a log-sum-exp over the nodes. Rows of x [n, 2] → [n].
 */
export function moonsLogProb(x: Tensor): Tensor {
  if (x.ndim !== 2 || x.shape[1] !== 2) throw new ArgumentError(`moonsLogProb: x must be [n, 2], found [${x.shape.join(', ')}]`);
  const n = x.shape[0]!;
  const s = x.storage;
  const k = MOONS_NODES;
  const cos = new Float64Array(k);
  const sin = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const t = (Math.PI * (j + 0.5)) / k;
    cos[j] = Math.cos(t);
    sin[j] = Math.sin(t);
  }
  const s2 = MOONS_STD * MOONS_STD;
  // log of ½ · (1/k) · N's normaliser 1/(2πσ²): the midpoint rule's (1/π)·(π/k) weight per node.
  const logConst = Math.log(0.5 / k) - Math.log(2 * Math.PI * s2);
  const out = new Float64Array(n);
  const e = new Float64Array(2 * k);
  for (let i = 0; i < n; i++) {
    const a = Number(s[2 * i]);
    const b = Number(s[2 * i + 1]);
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      const ox = a - (2 * cos[j]! - 1);
      const oy = b - (2 * sin[j]! - 0.2);
      const ix = a - (1 - 2 * cos[j]!);
      const iy = b - (0.8 - 2 * sin[j]!);
      const eo = (-0.5 * (ox * ox + oy * oy)) / s2;
      const ei = (-0.5 * (ix * ix + iy * iy)) / s2;
      e[2 * j] = eo;
      e[2 * j + 1] = ei;
      if (eo > m) m = eo;
      if (ei > m) m = ei;
    }
    let acc = 0;
    for (let j = 0; j < 2 * k; j++) acc += Math.exp(e[j]! - m);
    out[i] = m + Math.log(acc) + logConst;
  }
  return new Tensor(x.dtype === 'float64' ? out : Float32Array.from(out), [n], x.dtype === 'float64' ? 'float64' : 'float32');
}

/** The exact log-density of a toy2d density by name: its own `logProb`, or the quadrature above for 'moons'; null where neither exists. */
export function toyLogProb(name: string): ((x: Tensor) => Tensor) | null {
  if (name === 'moons') return moonsLogProb;
  const t = toy2d(name);
  return t.logProb ? (x) => t.logProb!(x) : null;
}

export interface EntropyEstimate {
  /** −E log p(x) in nats, the mean over `samples` fresh draws */
  entropy: number;
  /** the standard error of that mean, std(log p)/√samples */
  stderr: number;
  samples: number;
}

/**
 * The differential entropy H = −E_p log p(x) of a toy density with a known log-density, by
 * Monte Carlo over `samples` draws (default 100 000) from its own sampler, with the standard
 * error. A model's expected NLL is H + KL(p ‖ q) ≥ H, so this is the floor a flow can reach.
 */
export function toyEntropy(name: string, opts: { samples?: number; generator?: Generator } = {}): EntropyEstimate {
  const logProb = toyLogProb(name);
  if (!logProb) throw new ArgumentError(`toyEntropy: '${name}' has no known log-density; expected one of moons, 8gaussians, checkerboard, rings, circles`);
  const samples = opts.samples ?? 100_000;
  const x = toy2d(name).sample(samples, opts.generator ?? new Generator(12345)).to('float64');
  const lp = noGrad(() => logProb(x)).storage;
  const { mean, stderr } = meanAndStderr(lp, (v) => -v);
  return { entropy: mean, stderr, samples };
}

/** Mean and standard error of f over the entries of a, in float64. */
export function meanAndStderr(a: ArrayLike<number>, f: (v: number) => number = (v) => v): { mean: number; stderr: number } {
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += f(Number(a[i]));
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (f(Number(a[i])) - mean) ** 2;
  return { mean, stderr: Math.sqrt(ss / (n - 1) / n) };
}
