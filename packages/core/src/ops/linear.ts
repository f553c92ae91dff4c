import { isFloating } from '../dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { fusedLinear } from '../kernels/wasm/linear.js';
import type { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { matmul } from './linalg.js';
import { transpose } from './movement.js';

/**
 * y = x·Wᵀ + b over the last dim (torch.nn.functional.linear): `x` is (*, in), `weight`
 * (out, in), `bias` (out) or null. Computes matmul(x, transpose(weight)) + bias, which is what it
 * records under `trace`; in eager float32 mode one GEMM reads the weight transposed in place and
 * the backward needs no transposed copies.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: x must be a float tensor, found dtype ${x.dtype}`);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be (out, in), found shape ${fmtShape(weight.shape)}`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError(`${op}: x must have last dim ${weight.shape[1]} (weight ${fmtShape(weight.shape)}), found shape ${fmtShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ShapeError(`${op}: bias must be (${weight.shape[0]}), found shape ${fmtShape(bias.shape)}`);
  }
  const fused = x.dtype === weight.dtype ? fusedLinear(x, weight, bias ?? null) : null;
  if (fused) return fused;
  const y = matmul(x, transpose(weight, 0, 1)); // (*, out)
  return bias ? add(y, bias) : y;
}
