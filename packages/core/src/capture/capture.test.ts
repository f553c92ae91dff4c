// trace -> Graph -> interpret must reproduce eager execution exactly (same kernels, same order).
import { describe, expect, it } from 'vitest';
import * as c from '../index.js';
import { Generator, Graph, GraphError, type Tensor, TraceError, interpret, trace } from '../index.js';

const bits = (t: Tensor) => Array.from(t.data());

/** A 2-layer MLP classifier's parameters, float32, from a fixed seed. */
function mlpParams(seed: number): Tensor[] {
  const g = new Generator(seed);
  return [
    c.randn([4, 8], { generator: g }).mul(0.5), // W1 [in, hidden]
    c.zeros([8]), // b1
    c.randn([8, 3], { generator: g }).mul(0.5), // W2 [hidden, classes]
    c.zeros([3]), // b2
  ].map((p) => p.requiresGrad_());
}

function batch(seed: number): [Tensor, Tensor] {
  const g = new Generator(seed);
  return [c.randn([16, 4], { generator: g }), c.randint(0, 3, [16], { generator: g })];
}

/** One SGD step on the mean cross-entropy, written as a user would: backward(), then assign_. */
function trainStep(W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor, x: Tensor, y: Tensor): { loss: Tensor; logits: Tensor } {
  const h = x.matmul(W1).add(b1).relu();
  const logits = h.matmul(W2).add(b2);
  const logp = logits.logSoftmax(-1);
  const loss = logp.gather(1, y.unsqueeze(1)).neg().mean();
  loss.backward();
  c.noGrad(() => {
    for (const p of [W1, b1, W2, b2]) {
      p.assign_(p.sub(p.grad!.mul(0.1)));
      p.grad = null;
    }
  });
  return { loss: loss.detach(), logits: logits.detach() };
}

describe('trace + interpret', () => {
  it('an MLP training step, interpreted, equals the eager step bit for bit over 5 steps', () => {
    const [x, y] = batch(2);
    const traced = mlpParams(1);
    const { graph } = trace((W1, b1, W2, b2, xx, yy) => trainStep(W1!, b1!, W2!, b2!, xx!, yy!), [...traced, x, y]);
    // forward and backward are both in the graph, and the four parameter updates are mutations
    const counts = graph.opCounts();
    expect(counts.MatMul).toBe(2 + 3); // 2 forward, 3 backward (no grad for x)
    expect(graph.mutations.map((m) => m.input)).toEqual([0, 1, 2, 3]);
    expect(graph.outputNames).toEqual(['loss', 'logits']);

    const eager = mlpParams(1);
    const viaGraph = mlpParams(1);
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const e = trainStep(eager[0]!, eager[1]!, eager[2]!, eager[3]!, x, y);
      const r = interpret(graph, [...viaGraph, x, y]) as Record<string, Tensor>;
      expect(bits(r.loss!)).toEqual(bits(e.loss));
      expect(bits(r.logits!)).toEqual(bits(e.logits));
      viaGraph.forEach((p, i) => expect(bits(p)).toEqual(bits(eager[i]!)));
      losses.push(e.loss.item());
    }
    expect(losses[4]!).toBeLessThan(losses[0]!); // it trains
  });

  it('a grad(fn) inside the traced function records the backward ops', () => {
    const f = (w: Tensor, x: Tensor) => x.matmul(w).tanh().square().sum();
    const g = new Generator(3);
    const w = c.randn([3, 2], { generator: g, dtype: 'float64' });
    const x = c.randn([5, 3], { generator: g, dtype: 'float64' });
    const { graph, outputs } = trace((ww, xx) => c.grad(f)(ww!, xx!), [w, x]);
    expect(graph.singleOutput).toBe(true);
    expect(graph.opCounts().MatMul).toBe(2); // forward x·w, backward xᵀ·g
    const out = interpret(graph, [w, x]) as Tensor;
    expect(bits(out)).toEqual(bits(outputs));
    expect(bits(out)).toEqual(bits(c.grad(f)(w, x)));
  });

  it('an embedding gradient traced with one batch of ids is right for another batch', () => {
    // Gather's backward must build its scatter positions from the index input, not freeze them.
    const f = (w: Tensor, ids: Tensor) => c.embedding(ids, w).square().sum();
    const w = c.randn([6, 3], { generator: new Generator(4), dtype: 'float64' });
    const a = c.tensor([[0, 2], [2, 5]], { dtype: 'int32' });
    const b = c.tensor([[1, 1], [3, 4]], { dtype: 'int32' });
    const { graph } = trace((ww, ii) => c.grad(f)(ww!, ii!), [w, a]);
    expect(bits(interpret(graph, [w, b]) as Tensor)).toEqual(bits(c.grad(f)(w, b)));
    expect(bits(interpret(graph, [w, a]) as Tensor)).toEqual(bits(c.grad(f)(w, a)));
  });

  it('reading traced values into JavaScript (data-dependent control flow) is reported, naming the read', () => {
    const x = c.tensor([1, -2, 3]);
    const branchy = (t: Tensor) => (t.sum().item() > 0 ? t.mul(2) : t.neg());
    expect(() => trace(branchy, [x])).toThrow(TraceError);
    expect(() => trace(branchy, [x])).toThrow(/read the values of a tensor of shape \[\] with item\(\), and they depend on its inputs/);
    expect(() => trace((t: Tensor) => c.tensor(Array.from(t.data())), [x])).toThrow(/with data\(\)/);
    expect(() => trace(() => c.tensor(c.randn([2]).toArray() as number[]), [x])).toThrow(/with toArray\(\)/);
    // Constants (weights closed over) may be read: their values are fixed in the graph.
    const w = c.tensor([0.5, 0.5, 0.5]);
    const { graph } = trace((t: Tensor) => t.mul(w).add(w.sum().item()), [x]);
    expect(bits(interpret(graph, [x]) as Tensor)).toEqual(bits(x.mul(w).add(1.5)));
  });

  it('a Hessian-vector product (grad of grad) traces and matches the closed form', () => {
    // f(x) = Σx³ + (Σx)²  ⇒  H = diag(6x) + 11ᵀ, so Hv = 6x⊙v + Σv.
    const f = (x: Tensor) => x.pow(3).sum().add(x.sum().square());
    const hvp = (x: Tensor, v: Tensor) => c.grad((xx: Tensor) => c.grad(f)(xx.requiresGrad_()).mul(v).sum())(x);
    const x = c.tensor([0.5, -1, 2], { dtype: 'float64' });
    const v = c.tensor([1, 2, -3], { dtype: 'float64' });
    const { graph } = trace(hvp, [x, v]);
    const out = interpret(graph, [x, v]) as Tensor;
    const want = [6 * 0.5 * 1 + 0, 6 * -1 * 2 + 0, 6 * 2 * -3 + 0];
    (out.toArray() as number[]).forEach((o, i) => expect(o).toBeCloseTo(want[i]!, 12));
  });

  it('random draws are replayed from the given generator: dropout matches eager with the same seed', () => {
    const x = c.ones([4, 10]);
    const { graph, outputs } = trace((xx) => c.dropout(xx!, 0.5, true, new Generator(11)), [x]);
    expect(graph.randoms).toHaveLength(1);
    const replay = interpret(graph, [x], { generator: new Generator(11) }) as Tensor;
    expect(bits(replay)).toEqual(bits(outputs));
    const other = interpret(graph, [x], { generator: new Generator(12) }) as Tensor;
    expect(bits(other)).not.toEqual(bits(outputs));
  });

  it('weights the function closes over become constants; unused work is pruned', () => {
    const W = c.tensor([[1, 2], [3, 4]]);
    const { graph } = trace((x) => {
      x!.exp(); // dead: not returned
      return [x!.matmul(W), x!];
    }, [c.ones([1, 2])]);
    expect(graph.constants).toHaveLength(1);
    expect(graph.opCounts()).toEqual({ MatMul: 1 });
    const [y, same] = interpret(graph, [c.tensor([[1, 1]])]) as Tensor[];
    expect(y!.toArray()).toEqual([[4, 6]]);
    expect(same!.toArray()).toEqual([[1, 1]]);
  });

  it('JSON round trip keeps every value exactly (NaN, -0, float64) and the same results', () => {
    const k = c.tensor([Number.NaN, -0, 1e-310, Math.PI], { dtype: 'float64' });
    const { graph } = trace((x) => ({ y: x!.mul(2).add(k).softmax(-1) }), [c.zeros([3, 4], { dtype: 'float64' })]);
    const text = JSON.stringify(graph);
    const back = Graph.fromJSON(text);
    const kBack = back.constants.find((cst) => cst.data.length === 4)!.data;
    expect(Array.from(kBack)).toEqual(Array.from(k.data()));
    expect(Object.is(kBack[1], -0)).toBe(true);
    expect(back.toString()).toEqual(graph.toString());
    const x = c.randn([3, 4], { dtype: 'float64', generator: new Generator(5) });
    const a = (interpret(graph, [x]) as Record<string, Tensor>).y!;
    const b = (interpret(back, [x]) as Record<string, Tensor>).y!;
    expect(bits(a)).toEqual(bits(b));
  });

  it('toString lists inputs, constants, nodes and outputs', () => {
    const { graph } = trace((x) => x!.add(1).relu(), [c.zeros([2])]);
    const s = graph.toString();
    expect(s).toContain('%0: float32[2] = input(0)');
    expect(s).toContain('= Add(%0, %1)');
    expect(s.split('\n').at(-1)).toMatch(/^return %\d+$/);
  });

  it('errors: wrong input shape or dtype, nested traces, assign_ to a non-input, bad JSON', () => {
    const { graph } = trace((x) => x!.mul(2), [c.zeros([2, 3])]);
    expect(() => interpret(graph, [c.zeros([3, 2])])).toThrow(/inputs\[0\] has shape \[3, 2\], the graph was traced with \[2, 3\]/);
    expect(() => interpret(graph, [c.zeros([2, 3], { dtype: 'float64' })])).toThrow(c.DTypeError);
    expect(() => interpret(graph, [])).toThrow(/takes 1 inputs, found 0/);
    expect(() => trace((x) => trace((y) => y!, [x!]).outputs, [c.zeros([1])])).toThrow(TraceError);
    const state = c.zeros([2]);
    expect(() => trace((x) => state.assign_(x!), [c.ones([2])])).toThrow(/not one of the example inputs/);
    const x0 = c.zeros([1]);
    expect(() => trace(() => c.zeros([1]), [x0, x0])).toThrow(/same tensor as exampleInputs\[0\]/);
    expect(() => Graph.fromJSON('{"format":"onnx"}')).toThrow(/expected format 'likelihood.graph'/);
    const bad = { ...graph.toJSON(), outputs: [99] };
    expect(() => Graph.fromJSON(bad)).toThrow(GraphError);
  });

  it('a trace leaves no recorder behind, even when fn throws', () => {
    expect(() =>
      trace(() => {
        throw new Error('boom');
      }, []),
    ).toThrow('boom');
    const { graph } = trace((x) => x!.neg(), [c.ones([1])]);
    expect(graph.nodes).toHaveLength(1);
  });
});
