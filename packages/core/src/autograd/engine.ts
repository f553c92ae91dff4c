import { AnomalyError, AutogradError, ShapeError, fmtShape } from '../errors.js';
import { hasNonFinite } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { enableGrad, isAnomalyEnabled, noGrad } from './mode.js';
import { GRAD_RULES } from './rules/index.js';
import * as ops from '../ops/index.js';

export interface BackwardOptions {
  /** Accepted for PyTorch compatibility; the tape is never freed, so graphs can always be reused. */
  retainGraph?: boolean;
  /** Record the backward ops too, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

/** Tensors reachable from `roots` through the tape, outputs before the inputs they came from. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  // Iterative post-order DFS: deep graphs (long RNN-like chains) must not overflow the stack.
  const stack: Array<[Tensor, number]> = [];
  for (const r of roots) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    stack.push([r, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [t, i] = top;
      const inputs = t.gradFn?.inputs ?? [];
      if (i < inputs.length) {
        top[1] = i + 1;
        const child = inputs[i]!;
        if (child.requiresGrad && !seen.has(child.id)) {
          seen.add(child.id);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order.reverse();
}

function runNode(t: Tensor, g: Tensor): (Tensor | null)[] {
  if (!isAnomalyEnabled()) return runRule(t, g);
  const node = t.gradFn!;
  let grads: (Tensor | null)[];
  try {
    grads = runRule(t, g);
  } catch (e) {
    // An op inside the backward rule tripped the forward check: say whose backward it was.
    if (e instanceof AnomalyError) throw new AnomalyError(`anomaly: backward of op '${node.op}' produced NaN/Inf in the gradient (${e.message})`);
    throw e;
  }
  const inputsFinite = !hasNonFinite(g.storage) && node.inputs.every((x) => !isFloating(x.dtype) || !hasNonFinite(x.storage));
  grads.forEach((gi, i) => {
    if (gi && inputsFinite && hasNonFinite(gi.storage)) {
      throw new AnomalyError(`anomaly: backward of op '${node.op}' produced NaN/Inf in the gradient of input ${i} (shape ${fmtShape(gi.shape)}) from finite values`);
    }
  });
  return grads;
}

function runRule(t: Tensor, g: Tensor): (Tensor | null)[] {
  const node = t.gradFn!;
  let grads: (Tensor | null)[];
  if (node.backwardFn) grads = node.backwardFn(g);
  else {
    const rule = GRAD_RULES[node.op as keyof typeof GRAD_RULES];
    if (!rule) throw new AutogradError(`backward: no gradient rule for op '${node.op}'`);
    grads = (rule as (g: Tensor, ctx: { inputs: readonly Tensor[]; output: Tensor; attrs: unknown }) => (Tensor | null)[])(g, {
      inputs: node.inputs,
      output: t,
      attrs: node.attrs,
    });
  }
  return grads;
}

/**
 * Core of reverse mode. Propagates `seeds` (gradients of `roots`) back through the tape and
 * returns the gradient reaching each tensor in `targets`; with `accumulate`, leaves' `.grad`
 * fields are updated instead (Tensor.backward).
 */
function propagate(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  targets: readonly Tensor[] | null,
  createGraph: boolean,
): Map<number, Tensor> {
  const order = topoOrder(roots);
  const grads = new Map<number, Tensor>();
  roots.forEach((r, i) => {
    const prev = grads.get(r.id);
    grads.set(r.id, prev ? ops.add(prev, seeds[i]!) : seeds[i]!);
  });
  const targetIds = targets ? new Set(targets.map((t) => t.id)) : null;
  const result = new Map<number, Tensor>();
  const body = () => {
    for (const t of order) {
      const g = grads.get(t.id);
      if (!g) continue;
      if (targetIds?.has(t.id)) result.set(t.id, g);
      if (!t.gradFn) {
        if (!targetIds) t.grad = t.grad ? ops.add(t.grad, g) : createGraph ? g : g.detach();
        continue;
      }
      const inGrads = runNode(t, g);
      t.gradFn.inputs.forEach((x, i) => {
        const gi = inGrads[i];
        if (!gi || !x.requiresGrad) return;
        if (gi.shape.length !== x.shape.length || gi.shape.some((d, j) => d !== x.shape[j])) {
          throw new ShapeError(`backward of '${t.gradFn!.op}': gradient for input ${i} has shape ${fmtShape(gi.shape)}, expected ${fmtShape(x.shape)}`);
        }
        const prev = grads.get(x.id);
        grads.set(x.id, prev ? ops.add(prev, gi) : gi);
      });
      // Free intermediate gradients as soon as they are used.
      if (!targetIds?.has(t.id)) grads.delete(t.id);
    }
  };
  if (createGraph) enableGrad(body);
  else noGrad(body);
  return result;
}

function checkSeed(root: Tensor, seed: Tensor | undefined, what: string): Tensor {
  if (!root.requiresGrad) {
    throw new AutogradError(`${what}: the tensor does not require grad and has no grad_fn (did you forget requiresGrad, or compute it under noGrad?)`);
  }
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(`${what}: grad can be implicitly created only for scalar outputs, found shape ${fmtShape(root.shape)}; pass a gradient of the same shape`);
    }
    return ops.onesLike(root);
  }
  if (seed.shape.length !== root.shape.length || seed.shape.some((d, i) => d !== root.shape[i])) {
    throw new ShapeError(`${what}: gradient has shape ${fmtShape(seed.shape)}, expected the output's shape ${fmtShape(root.shape)}`);
  }
  return seed;
}

/** Tensor.backward: accumulates d(root)/d(leaf) into every reachable leaf's `.grad`. */
export function backward(root: Tensor, gradient?: Tensor, opts: BackwardOptions = {}): void {
  const seed = checkSeed(root, gradient, 'backward');
  propagate([root], [seed], null, opts.createGraph ?? false);
}

export interface GradOptions {
  gradOutputs?: readonly Tensor[];
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/** torch.autograd.grad: gradients of `outputs` with respect to `inputs`, without touching `.grad`. */
export function autogradGrad(outputs: readonly Tensor[], inputs: readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const seeds = outputs.map((o, i) => checkSeed(o, opts.gradOutputs?.[i], 'grad'));
  const res = propagate(outputs, seeds, inputs, opts.createGraph ?? false);
  return inputs.map((x, i) => {
    const g = res.get(x.id);
    if (g) return g;
    if (opts.allowUnused) return null;
    if (!x.requiresGrad) throw new AutogradError(`grad: input ${i} does not require grad`);
    throw new AutogradError(`grad: input ${i} (shape ${fmtShape(x.shape)}) was not used to compute the outputs; pass allowUnused: true to get null`);
  });
}
