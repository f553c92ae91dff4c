// Fully visible Boltzmann machine (an Ising model with fields): x ∈ {0,1}^n or, with
// `spins: true`, x ∈ {−1,+1}^n, and
//   E(x) = −Σ_{i<j} J_ij x_i x_j − Σ_i b_i x_i,   p(x) = exp(−E(x)) / Z.
// J is the strict upper triangle of `weight` (the rest of the matrix is ignored), so every
// parameter is free and J stays symmetric with a zero diagonal.
import { ArgumentError, type FloatDType, type Generator, type Tensor, defaultGenerator, noGrad, randn, tensor, triu, zeros } from '@likelihood/core';
import { Module, Parameter } from '@likelihood/nn';
import { checkBatch, checkEnumerable, checkPositiveInt } from './checks.js';
import { logSumExpOverStates } from './enumerate.js';

export interface BoltzmannMachineOptions {
  /** Use ±1 spins instead of {0, 1} units (default false). */
  spins?: boolean;
  dtype?: FloatDType;
  /** Initial couplings are N(0, initStd²) (default 0.01). */
  initStd?: number;
  generator?: Generator;
}

export class BoltzmannMachine extends Module {
  readonly n: number;
  readonly spins: boolean;
  readonly dtype: FloatDType;
  /** Only the strict upper triangle is used: J_ij for i < j. [n, n] */
  weight: Parameter;
  /** b [n]. */
  bias: Parameter;

  constructor(n: number, opts: BoltzmannMachineOptions = {}) {
    super();
    this.n = checkPositiveInt('BoltzmannMachine', 'n', n);
    this.spins = opts.spins ?? false;
    this.dtype = opts.dtype ?? 'float64';
    this.weight = new Parameter(randn([n, n], { generator: opts.generator, dtype: this.dtype }).mul(opts.initStd ?? 0.01));
    this.bias = new Parameter(zeros([n], { dtype: this.dtype }));
  }

  /** The symmetric coupling matrix with zero diagonal, J + Jᵀ [n, n]. */
  couplings(): Tensor {
    const upper = triu(this.weight, 1);
    return upper.add(upper.transpose(0, 1));
  }

  checkStates(op: string, x: unknown): Tensor {
    const t = checkBatch(`BoltzmannMachine.${op}`, 'x', x, this.n, this.dtype);
    const s = t.storage;
    const [a, b] = this.spins ? [-1, 1] : [0, 1];
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== a && s[i] !== b) {
        throw new ArgumentError(`BoltzmannMachine.${op}: x must hold ${a} or ${b} (${this.spins ? 'spins' : 'binary units'}), found ${s[i]} at flat position ${i}`);
      }
    }
    return t;
  }

  /** E(x) per row [N]. */
  energy(x: Tensor): Tensor {
    const t = this.checkStates('energy', x);
    return this.energyUnchecked(t);
  }

  private energyUnchecked(x: Tensor): Tensor {
    const upper = triu(this.weight, 1);
    return x.matmul(upper).mul(x).sum(1).add(x.matmul(this.bias.unsqueeze(1)).squeeze(1)).neg();
  }

  forward(x: Tensor): Tensor {
    return this.energy(x);
  }

  /** Exact log Z = logsumexp over all 2^n states; differentiable when asked (for exact maximum likelihood). */
  exactLogZ(opts: { maxUnits?: number; differentiable?: boolean } = {}): Tensor {
    checkEnumerable('BoltzmannMachine.exactLogZ', 'units', this.n, opts.maxUnits);
    const toState = (s: Tensor) => (this.spins ? s.mul(2).sub(1) : s);
    return logSumExpOverStates(this.n, (s) => this.energyUnchecked(toState(s).to(this.dtype)).neg(), this.dtype, {
      differentiable: opts.differentiable ?? false,
    });
  }

  /** log p(x) = −E(x) − log Z [N]. */
  logProb(x: Tensor, logZ: number | Tensor): Tensor {
    return this.energy(x).neg().sub(logZ);
  }

  /**
   * Single-site Gibbs sampling: `sweeps` passes over the units in order, each unit drawn from
   * p(x_i | x_−i) = σ(Δ_i) with Δ_i = b_i + Σ_j J_ij x_j (times 2 for spins, whose two values
   * differ by 2). Runs on plain arrays: one chain per row of x0.
   */
  gibbs(x0: Tensor, opts: { sweeps?: number; generator?: Generator } = {}): Tensor {
    const sweeps = checkPositiveInt('BoltzmannMachine.gibbs', 'sweeps', opts.sweeps ?? 1);
    const gen = opts.generator ?? defaultGenerator();
    const x = Float64Array.from(this.checkStates('gibbs', x0).storage);
    const n = this.n;
    const J = Float64Array.from(noGrad(() => this.couplings()).storage);
    const b = Float64Array.from(this.bias.storage);
    const rows = x.length / n;
    const [lo, hi, scale] = this.spins ? [-1, 1, 2] : [0, 1, 1];
    for (let s = 0; s < sweeps; s++) {
      for (let r = 0; r < rows; r++) {
        const o = r * n;
        for (let i = 0; i < n; i++) {
          let field = b[i]!;
          for (let j = 0; j < n; j++) field += J[i * n + j]! * x[o + j]!;
          x[o + i] = gen.random() < 1 / (1 + Math.exp(-scale * field)) ? hi : lo;
        }
      }
    }
    return tensor(x, { dtype: this.dtype }).reshape([rows, n]);
  }
}
