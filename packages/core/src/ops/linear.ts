import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { type LinearActivation, fusedLinear } from '../kernels/wasm/linear.js';
import type { Tensor } from '../tensor.js';
import { relu, silu } from './activations.js';
import { add } from './elementwise.js';
import { matmul } from './linalg.js';
import { transpose } from './movement.js';

export type { LinearActivation };

export interface LinearOptions {
  /**
   * An activation applied to the result, the same as calling it on linear's output:
   * `linear(x, w, b, { activation: 'silu' })` is `silu(linear(x, w, b))` ('relu' likewise), in
   * float32 one kernel call forward and backward instead of two (nn's MLP uses it for Linear →
   * SiLU and Linear → ReLU).
   */
  activation?: LinearActivation | null;
}

/**
 * y = x·Wᵀ + b over the last dim (torch.nn.functional.linear): `x` is (*, in), `weight`
 * (out, in), `bias` (out) or null. Computes matmul(x, transpose(weight)) + bias, which is what it
 * records under `trace`; in eager float32 mode one GEMM reads the weight transposed in place and
 * the backward needs no transposed copies. See LinearOptions for a fused activation.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: LinearOptions = {}): Tensor {
  const op = 'linear';
  const activation = opts.activation ?? null;
  if (activation !== null && activation !== 'silu' && activation !== 'relu') {
    throw new ArgumentError(`${op}: activation must be 'silu', 'relu' or null, found '${String(activation)}'`);
  }
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: x must be a float tensor, found dtype ${x.dtype}`);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be (out, in), found shape ${fmtShape(weight.shape)}`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError(`${op}: x must have last dim ${weight.shape[1]} (weight ${fmtShape(weight.shape)}), found shape ${fmtShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ShapeError(`${op}: bias must be (${weight.shape[0]}), found shape ${fmtShape(bias.shape)}`);
  }
  const fused = x.dtype === weight.dtype ? fusedLinear(x, weight, bias ?? null, activation) : null;
  if (fused) return fused;
  const mm = matmul(x, transpose(weight, 0, 1)); // (*, out)
  const y = bias ? add(mm, bias) : mm;
  return activation === 'silu' ? silu(y) : activation === 'relu' ? relu(y) : y;
}
