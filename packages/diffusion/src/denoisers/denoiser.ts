import { ArgumentError, type Tensor } from '@likelihood/core';

/**
 * A denoising network: x_t [B, …] and float timesteps t [B] → the model output (ε̂, x̂_0 or v̂,
 * plus variance channels for learned variances). A function, or a module with `forward(x, t)`.
 */
export type Denoiser = ((x: Tensor, t: Tensor) => Tensor) | { forward(x: Tensor, t: Tensor): Tensor };

export function asDenoiserFn(op: string, model: Denoiser): (x: Tensor, t: Tensor) => Tensor {
  if (typeof model === 'function') return model;
  if (model && typeof (model as { forward?: unknown }).forward === 'function') return (x, t) => model.forward(x, t);
  throw new ArgumentError(`${op}: model must be a function (x, t) => Tensor or have forward(x, t), found ${typeof model}`);
}
