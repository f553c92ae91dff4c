import { Tensor } from '@likelihood/core';

/**
 * A tensor that a Module owns as a trainable weight (torch.nn.Parameter). It shares `data`'s
 * storage and requires grad by default. Ops on a Parameter return plain Tensors; optimizers
 * update it in place with `assign_`.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.dtype);
    if (requiresGrad) this.requiresGrad = true;
  }
}
