import { ArgumentError, type DType, Tensor, defaultGenerator, full, minimum, noGrad, stack, zerosLike } from '@likelihood/core';
import { type CompileOptions, type CompiledFunction, compile } from './compile.js';
import { type ModuleTree, withTraceableEmbeddings } from './traceable-embeddings.js';

/** One param group of an AdamW optimizer, as @likelihood/nn's `AdamW` holds it. */
export interface AdamWGroupLike {
  params: Tensor[];
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/** What the compiled step reads and updates of an optimizer: @likelihood/nn's `AdamW` fits. */
export interface AdamWLike {
  paramGroups: AdamWGroupLike[];
  /** Per parameter: `step` (a number), `expAvg`, `expAvgSq` (tensors shaped like it). */
  state: Map<Tensor, Record<string, unknown>>;
}

export interface TrainStepOptions extends Omit<CompileOptions, 'inputNames' | 'outputNames'> {
  /** Micro-batches per step (default 1): the gradients of loss / n add up over them, as in @likelihood/gpt's Trainer. */
  gradAccumSteps?: number;
  /** Clip the global L2 norm of the gradients to this first (clip_grad_norm_); 0 or absent: no clipping. */
  maxGradNorm?: number;
  /**
   * The model the loss runs (an nn Module). Its Embedding layers are traced through
   * GatherElements so that the token ids stay graph inputs (see `withTraceableEmbeddings`);
   * without it, a model with embeddings would train the example batch's rows on every step.
   */
  module?: ModuleTree;
}

/** One compiled optimizer step: forward, backward, clipping and AdamW in one ONNX Runtime graph. */
export interface CompiledTrainStep {
  /**
   * Runs one step on `gradAccumSteps` micro-batches (each the tensors the loss takes) and
   * resolves to each micro-batch's loss. The parameters, the optimizer's moments and its step
   * counts are updated in place, at the learning rate its param groups hold now.
   */
  (batches: readonly (readonly Tensor[])[]): Promise<number[]>;
  readonly compiled: CompiledFunction;
  dispose(): Promise<void>;
}

/** Hyperparameters baked into the graph; the step checks they did not change. */
const baked = (g: AdamWGroupLike) => JSON.stringify([g.betas, g.eps, g.weightDecay !== 0, g.amsgrad ?? false, g.maximize ?? false]);

/**
 * Compiles a whole training step with an AdamW optimizer (such as @likelihood/nn's `AdamW` or
 * @likelihood/gpt's `configureOptimizer`) for ONNX Runtime: the forward pass `loss(...batch)`,
 * the backward pass, optional gradient clipping and the AdamW update of every param group are
 * one graph, run with one `session.run` per step. The parameters and the optimizer's moments
 * are graph inputs whose updates come back as outputs and are written into the same tensors,
 * and the optimizer's `state` (moments, step counts) stays the one nn's AdamW keeps, so
 * checkpoints, `stateDict` and an eager step afterwards all see it. The learning rate and the
 * bias corrections are graph inputs computed each step in float64 as nn's AdamW does, so an LR
 * schedule that changes `paramGroups[i].lr` keeps working; betas, eps and which groups decay are
 * baked in. The update repeats nn's AdamW op for op, so compiled and eager steps agree to float32
 * rounding.
 *
 * `loss` must close over the parameters (a model's forward); tracing runs it once, and the
 * parameters' values, their grads and the state of `opts.generator` (the default generator when
 * absent) are restored afterwards. Dropout masks are graph inputs drawn from `opts.generator`
 * in trace order: pass the generator the model's dropout uses to get eager's masks.
 */
export function compileTrainStep(loss: (...batch: Tensor[]) => Tensor, optimizer: AdamWLike, exampleBatch: readonly Tensor[], opts: TrainStepOptions): CompiledTrainStep {
  const accum = opts.gradAccumSteps ?? 1;
  if (!Number.isInteger(accum) || accum < 1) throw new ArgumentError(`compileTrainStep: gradAccumSteps must be a positive integer, found ${accum}`);
  const maxNorm = opts.maxGradNorm ?? 0;
  if (!(maxNorm >= 0)) throw new ArgumentError(`compileTrainStep: maxGradNorm must be a number >= 0, found ${maxNorm}`);
  const groups = optimizer.paramGroups;
  groups.forEach((g, i) => {
    if (g.amsgrad) throw new ArgumentError(`compileTrainStep: paramGroups[${i}] uses amsgrad, which the compiled step does not implement`);
  });
  const bakedAt = groups.map(baked);
  const params = groups.flatMap((g) => g.params);
  const n = params.length;
  const G = groups.length;
  const nb = exampleBatch.length;
  const groupOf = groups.flatMap((g, gi) => g.params.map(() => gi));

  // Inputs: params, first moments, second moments (n each); per group the decay factor
  // 1 − lr·wd, −lr / (1 − β1^t) and √(1 − β2^t); then accum × nb batch tensors.
  const step = (...all: Tensor[]) => {
    const ps = all.slice(0, n);
    const ms = all.slice(n, 2 * n);
    const vs = all.slice(2 * n, 3 * n);
    const hyper = all.slice(3 * n, 3 * n + 3 * G);
    const losses: Tensor[] = [];
    for (let k = 0; k < accum; k++) {
      const batch = all.slice(3 * n + 3 * G + k * nb, 3 * n + 3 * G + (k + 1) * nb);
      const l = loss(...batch);
      losses.push(l.detach());
      (accum > 1 ? l.div(accum) : l).backward(); // grads add up across micro-batches
    }
    noGrad(() => {
      let grads = ps.map((p, i) => {
        if (!p.grad) throw new ArgumentError(`compileTrainStep: parameter ${i} (shape [${p.shape.join(', ')}]) got no gradient from the loss; leave it out of the optimizer`);
        return p.grad;
      });
      if (maxNorm > 0) {
        const total = stack(grads.map((g) => g.square().sum())).sum().sqrt();
        const coef = minimum(total.add(1e-6).reciprocal().mul(maxNorm), 1); // min(maxNorm / (‖g‖ + 1e-6), 1)
        grads = grads.map((g) => g.mul(coef));
      }
      ps.forEach((p, i) => {
        const gi = groupOf[i]!;
        const grp = groups[gi]!;
        const [beta1, beta2] = grp.betas;
        const [decay, negStepSize, bc2Sqrt] = hyper.slice(3 * gi, 3 * gi + 3) as [Tensor, Tensor, Tensor];
        const grad = grp.maximize ? grads[i]!.neg() : grads[i]!;
        const param = grp.weightDecay !== 0 ? p.mul(decay) : p;
        const w = 1 - beta1; // torch.lerp's two branches, as nn's AdamW
        const m = w < 0.5 ? ms[i]!.add(grad.sub(ms[i]!).mul(w)) : grad.sub(grad.sub(ms[i]!).mul(1 - w));
        const v = vs[i]!.mul(beta2).add(grad.mul(grad).mul(1 - beta2));
        const denom = v.sqrt().div(bc2Sqrt).add(grp.eps);
        p.assign_(param.add(m.mul(negStepSize).div(denom)));
        ms[i]!.assign_(m);
        vs[i]!.assign_(v);
        p.grad = null;
      });
    });
    return losses;
  };

  // Trace on the real parameters (the loss closes over them), then undo what the traced run did.
  const saved = params.map((p) => new Tensor(p.data(), [...p.shape], p.dtype));
  const gen = opts.generator ?? defaultGenerator();
  const genState = gen.getState();
  const example = [
    ...params,
    ...params.map((p) => zerosLike(p)),
    ...params.map((p) => zerosLike(p)),
    ...groups.flatMap((g) => [scalar(1, dtypeOf(g)), scalar(0, dtypeOf(g)), scalar(1, dtypeOf(g))]),
    ...Array.from({ length: accum }, () => exampleBatch.map((t) => new Tensor(t.data(), [...t.shape], t.dtype))).flat(),
  ];
  let compiled: CompiledFunction;
  try {
    const { gradAccumSteps: _a, maxGradNorm: _m, module, ...compileOpts } = opts;
    compiled = withTraceableEmbeddings(module, () => compile(step, example, { ...compileOpts, outputNames: lossNames(accum) }));
  } finally {
    noGrad(() => params.forEach((p, i) => p.assign_(saved[i]!)));
    for (const p of params) p.grad = null;
    gen.setState(genState);
  }

  const run = async (batches: readonly (readonly Tensor[])[]): Promise<number[]> => {
    if (batches.length !== accum) throw new ArgumentError(`compiled train step: expected ${accum} micro-batches (gradAccumSteps), found ${batches.length}`);
    batches.forEach((b, k) => {
      if (b.length !== nb) throw new ArgumentError(`compiled train step: micro-batch ${k} has ${b.length} tensors, the loss was traced with ${nb}`);
    });
    const hyper: Tensor[] = [];
    const steps: number[] = [];
    groups.forEach((g, gi) => {
      if (baked(g) !== bakedAt[gi]) throw new ArgumentError(`compiled train step: paramGroups[${gi}] changed betas, eps, amsgrad, maximize or whether it decays since compiling (${bakedAt[gi]} → ${baked(g)}); compile again`);
      const counts = g.params.map((p) => (optimizer.state.get(p)?.step as number | undefined) ?? 0);
      if (counts.some((c) => c !== counts[0])) throw new ArgumentError(`compiled train step: the parameters of paramGroups[${gi}] have different step counts (${[...new Set(counts)].join(', ')})`);
      const t = counts[0]! + 1;
      steps.push(t);
      const [beta1, beta2] = g.betas;
      const dt = dtypeOf(g);
      hyper.push(scalar(1 - g.lr * g.weightDecay, dt), scalar(-g.lr / (1 - beta1 ** t), dt), scalar((1 - beta2 ** t) ** 0.5, dt));
    });
    const moments = (key: 'expAvg' | 'expAvgSq') =>
      params.map((p) => {
        let s = optimizer.state.get(p);
        if (!s) optimizer.state.set(p, (s = {}));
        if (!s[key]) s[key] = zerosLike(p);
        return s[key] as Tensor;
      });
    const ms = moments('expAvg');
    const vs = moments('expAvgSq');
    const out = (await compiled(...params, ...ms, ...vs, ...hyper, ...batches.flat())) as Record<string, Tensor>;
    params.forEach((p, i) => (optimizer.state.get(p)!.step = steps[groupOf[i]!]!));
    return lossNames(accum).map((k) => out[k]!.item());
  };
  return Object.assign(run, { compiled: compiled!, dispose: () => compiled!.dispose() });
}

const dtypeOf = (g: AdamWGroupLike): DType => g.params[0]?.dtype ?? 'float32';
const lossNames = (accum: number) => Array.from({ length: accum }, (_, k) => `loss_${k}`);
const scalar = (v: number, dtype: DType) => full([], v, { dtype });
