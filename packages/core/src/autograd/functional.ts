import { ArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { autogradGrad } from './engine.js';
import { enableGrad } from './mode.js';

export interface GradFnOptions {
  /** Which positional arguments to differentiate with respect to (default 0). */
  argnums?: number | number[];
}

type GradResult<O extends GradFnOptions> = O['argnums'] extends number[] ? Tensor[] : Tensor;

/**
 * `valueAndGrad(fn)(...args)` returns fn's scalar value and its gradient with respect to the
 * chosen arguments (jax.value_and_grad). Arguments that already require grad stay connected
 * to the outer graph, so `grad(grad(f))` and Hessian-vector products work.
 */
export function valueAndGrad<A extends unknown[], O extends GradFnOptions = GradFnOptions>(
  fn: (...args: A) => Tensor,
  opts?: O,
): (...args: A) => { value: Tensor; grad: GradResult<O> } {
  const argnums = opts?.argnums ?? 0;
  const list = typeof argnums === 'number' ? [argnums] : argnums;
  return (...args: A) => {
    const inputs: Tensor[] = [];
    const nested = list.some((i) => (args[i] as Tensor | undefined)?.requiresGrad);
    const callArgs = [...args] as A;
    for (const i of list) {
      const a = args[i];
      if (!(a instanceof Tensor)) throw new ArgumentError(`grad: argument ${i} must be a Tensor, found ${typeof a}`);
      const x = a.requiresGrad ? a : a.detach().requiresGrad_();
      callArgs[i] = x;
      inputs.push(x);
    }
    const value = enableGrad(() => fn(...callArgs));
    const grads = autogradGrad([value], inputs, { createGraph: nested, allowUnused: true }).map(
      (g, k) => g ?? inputs[k]!.detach().mul(0),
    );
    return {
      value: nested ? value : value.detach(),
      grad: (typeof argnums === 'number' ? grads[0]! : grads) as GradResult<O>,
    };
  };
}

/** `grad(fn)(...args)`: the gradient of scalar `fn` with respect to the chosen arguments. */
export function grad<A extends unknown[], O extends GradFnOptions = GradFnOptions>(
  fn: (...args: A) => Tensor,
  opts?: O,
): (...args: A) => GradResult<O> {
  const vg = valueAndGrad(fn, opts);
  return (...args: A) => vg(...args).grad;
}
