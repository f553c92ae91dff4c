import { type Tensor, abs, amin, eye, isfinite, logicalAnd, logicalOr, noGrad, tensor, tril } from '@likelihood/core';

/**
 * A constraint on values (torch.distributions.constraints): `check` returns a bool tensor with
 * the event dims reduced (`eventDim` of them), true where the value is valid.
 */
export interface Constraint {
  readonly name: string;
  /** Number of rightmost dims that form one event for this constraint. */
  readonly eventDim: number;
  /** Whether values are discrete (integers); used by generic tests and validation messages. */
  readonly isDiscrete: boolean;
  check(value: Tensor): Tensor;
}

const reduceEvent = (ok: Tensor, n: number): Tensor => {
  let r = ok;
  for (let i = 0; i < n; i++) r = amin(r.to('int32'), -1).to('bool');
  return r;
};

function make(name: string, check: (v: Tensor) => Tensor, opts: { eventDim?: number; isDiscrete?: boolean } = {}): Constraint {
  return { name, eventDim: opts.eventDim ?? 0, isDiscrete: opts.isDiscrete ?? false, check };
}

const isInt = (v: Tensor) => v.eq(v.floor());

export const real = make('Real', (v) => v.eq(v)); // not NaN
export const positive = make('GreaterThan(lower_bound=0.0)', (v) => v.gt(0));
export const nonnegative = make('GreaterThanEq(lower_bound=0.0)', (v) => v.ge(0));
export const unitInterval = make('Interval(lower_bound=0.0, upper_bound=1.0)', (v) => logicalAnd(v.ge(0), v.le(1)));
export const boolean = make('Boolean', (v) => logicalOr(v.eq(0), v.eq(1)), { isDiscrete: true });
export const nonnegativeInteger = make('IntegerGreaterThan(lower_bound=0)', (v) => logicalAnd(v.ge(0), isInt(v)), { isDiscrete: true });
export const positiveInteger = make('IntegerGreaterThan(lower_bound=1)', (v) => logicalAnd(v.ge(1), isInt(v)), { isDiscrete: true });
export const realVector = make('IndependentConstraint(Real(), 1)', (v) => reduceEvent(v.eq(v), 1), { eventDim: 1 });
export const finite = make('Finite', (v) => isfinite(v));

export function greaterThan(lower: number | Tensor): Constraint {
  return make(`GreaterThan(lower_bound=${fmtBound(lower)})`, (v) => v.gt(lower));
}
export function greaterThanEq(lower: number | Tensor): Constraint {
  return make(`GreaterThanEq(lower_bound=${fmtBound(lower)})`, (v) => v.ge(lower));
}
export function lessThan(upper: number | Tensor): Constraint {
  return make(`LessThan(upper_bound=${fmtBound(upper)})`, (v) => v.lt(upper));
}
export function interval(lower: number | Tensor, upper: number | Tensor): Constraint {
  return make(`Interval(lower_bound=${fmtBound(lower)}, upper_bound=${fmtBound(upper)})`, (v) => logicalAnd(v.ge(lower), v.le(upper)));
}
export function halfOpenInterval(lower: number | Tensor, upper: number | Tensor): Constraint {
  return make(`HalfOpenInterval(lower_bound=${fmtBound(lower)}, upper_bound=${fmtBound(upper)})`, (v) => logicalAnd(v.ge(lower), v.lt(upper)));
}
export function integerInterval(lower: number | Tensor, upper: number | Tensor): Constraint {
  return make(`IntegerInterval(lower_bound=${fmtBound(lower)}, upper_bound=${fmtBound(upper)})`, (v) => logicalAnd(logicalAnd(v.ge(lower), v.le(upper)), isInt(v)), { isDiscrete: true });
}

/** Nonnegative entries summing to 1 over the last dim (tolerance 1e-6, as torch). */
export const simplex = make('Simplex()', (v) => logicalAnd(reduceEvent(v.ge(0), 1), abs(v.sum(-1).sub(1)).lt(1e-6)), { eventDim: 1 });

/** Lower-triangular with positive diagonal. */
export const lowerCholesky = make('LowerCholesky()', (v) => {
  const n = v.shape[v.ndim - 1]!;
  const lowerOk = reduceEvent(reduceEvent(tril(v).eq(v), 1), 1);
  const diagPos = reduceEvent(v.mul(eye(n, n, { dtype: v.dtype })).sum(-1).gt(0), 1);
  return logicalAnd(lowerOk, diagPos);
}, { eventDim: 2 });

/** Symmetric positive definite, checked by a Cholesky factorisation succeeding with a positive diagonal. */
export const positiveDefinite = make('PositiveDefinite()', (v) => {
  const sym = reduceEvent(reduceEvent(abs(v.sub(v.transpose(-1, -2))).le(1e-6), 1), 1);
  // eigenvalue-free test: all leading principal minors' Cholesky pivots must be positive.
  return logicalAnd(sym, choleskyPivotsPositive(v));
}, { eventDim: 2 });

function choleskyPivotsPositive(v: Tensor): Tensor {
  // Small matrices only (distributions use them); plain loops over the storage, batched.
  const n = v.shape[v.ndim - 1]!;
  const batch = v.size / (n * n);
  const out = new Uint8Array(batch);
  const s = v.storage;
  const L = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    let ok = 1;
    L.fill(0);
    for (let j = 0; j < n && ok; j++) {
      let d = s[b * n * n + j * n + j]!;
      for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
      if (!(d > 0)) ok = 0;
      L[j * n + j] = Math.sqrt(d);
      for (let i = j + 1; i < n; i++) {
        let x = s[b * n * n + i * n + j]!;
        for (let k = 0; k < j; k++) x -= L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = x / L[j * n + j]!;
      }
    }
    out[b] = ok;
  }
  return noGrad(() => tensorBool(out, v.shape.slice(0, -2)));
}

function tensorBool(a: Uint8Array, shape: number[]): Tensor {
  return tensor(a, { dtype: 'bool' }).reshape(shape);
}

/** Reinterprets `n` more rightmost dims of `base` as event dims (torch's independent constraint). */
export function independent(base: Constraint, n: number): Constraint {
  return make(`IndependentConstraint(${base.name}, ${n})`, (v) => reduceEvent(base.check(v), n), {
    eventDim: base.eventDim + n,
    isDiscrete: base.isDiscrete,
  });
}

function fmtBound(b: number | Tensor): string {
  if (typeof b === 'number') return Number.isInteger(b) ? b.toFixed(1) : String(b);
  return b.size === 1 ? String(b.item()) : 'tensor';
}
