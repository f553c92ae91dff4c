// exportOnnx options: names, dynamic axes, random draws as inputs or ops, files, decoding, errors.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as c from '@likelihood/core';
import { ArgumentError, Generator, type Tensor } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxExportError } from './errors.js';
import { exportOnnx } from './export.js';
import { decodeModel } from './proto.js';

const W = c.randn([5, 3], { generator: new Generator(1) });
const mlp = (x: Tensor) => x.matmul(W).tanh();

describe('exportOnnx', () => {
  it('names inputs and outputs, writes the file, and the bytes decode to the same model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    const file = join(dir, 'm.onnx');
    const ex = exportOnnx((x, y) => [mlp(x!), y!.exp()], [c.zeros([2, 5]), c.zeros([4])], { inputNames: ['x', 'y'], outputNames: ['h', 'ey'], file, docString: 'test' });
    expect(readFileSync(file)).toEqual(Buffer.from(ex.bytes));
    const back = decodeModel(ex.bytes);
    expect(back.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(back.graph.input.map((i) => i.name)).toEqual(['x', 'y']);
    expect(back.graph.output.map((o) => o.name)).toEqual(['h', 'ey']);
    expect(back.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_value: 2 }, { dim_value: 5 }]);
    expect(back.graph.initializer).toHaveLength(1); // W
    expect(back.graph.initializer[0]!.dims).toEqual([5, 3]);
    expect(new Float32Array(new Uint8Array(back.graph.initializer[0]!.raw_data).buffer)).toEqual(W.data());
    expect(back.graph.node.map((n) => n.op_type)).toEqual(['MatMul', 'Tanh', 'Exp', 'Identity', 'Identity']);
  });

  it('exports a module through its forward', () => {
    const m = { forward: (x: Tensor) => ({ y: mlp(x) }) };
    const ex = exportOnnx(m, [c.zeros([1, 5])]);
    expect(ex.inputNames).toEqual(['input_0']);
    expect(ex.outputNames).toEqual(['y']);
  });

  it('dynamicAxes: a batch axis left open runs at another batch size', async () => {
    const ex = exportOnnx(mlp, [c.zeros([2, 5])], { inputNames: ['x'], outputNames: ['h'], dynamicAxes: { x: { 0: 'batch' }, h: { 0: 'batch' } } });
    const dims = decodeModel(ex.bytes).graph.input[0]!.type.tensor_type.shape.dim;
    expect(dims).toEqual([{ dim_param: 'batch' }, { dim_value: 5 }]);
    const x = c.randn([7, 5], { generator: new Generator(2) });
    const s = await ort.InferenceSession.create(ex.bytes);
    const r = await s.run({ x: new ort.Tensor('float32', x.data() as Float32Array, [7, 5]) });
    expect([...r.h!.dims]).toEqual([7, 3]);
    expectClose(Array.from(r.h!.data as Float32Array), Array.from(mlp(x).data() as Float32Array), { rtol: 1e-5 });
    await s.release();
  });

  it("random draws: graph inputs by default, RandomNormal/RandomUniform nodes with randoms: 'ops'", async () => {
    const noisy = (x: Tensor) => x.add(c.randn([1000])).add(c.rand([1000]));
    const asInputs = exportOnnx(noisy, [c.zeros([1000])]);
    expect(asInputs.randomInputNames).toEqual(['random_0', 'random_1']);
    const asOps = exportOnnx(noisy, [c.zeros([1000])], { randoms: 'ops' });
    expect(asOps.model.graph.node.map((n) => n.op_type).slice(0, 2)).toEqual(['RandomNormal', 'RandomUniform']);
    const s = await ort.InferenceSession.create(asOps.bytes);
    const r = await s.run({ input_0: new ort.Tensor('float32', new Float32Array(1000), [1000]) });
    const v = Array.from(r.output_0!.data as Float32Array);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    // N(0,1) + U(0,1): mean 0.5, variance 1 + 1/12; 5 standard errors over 1,000 draws
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(13 / 12 / 1000));
    expect(Math.abs(variance - 13 / 12)).toBeLessThan(0.25);
    await s.release();
  });

  it('mutations become <input>_updated outputs', () => {
    const ex = exportOnnx(
      (p, g) => {
        c.noGrad(() => p!.assign_(p!.sub(g!.mul(0.1))));
        return { norm: p!.square().sum() };
      },
      [c.ones([3]), c.ones([3])],
      { inputNames: ['p', 'g'] },
    );
    expect(ex.outputNames).toEqual(['norm', 'p_updated']);
    expect(ex.mutationOutputNames).toEqual(['p_updated']);
  });

  it('errors name the argument, what was expected and what was found', () => {
    const x = [c.zeros([2, 5])];
    expect(() => exportOnnx(mlp, x, { inputNames: ['a', 'b'] })).toThrow(/inputNames: expected 1 names, found 2/);
    expect(() => exportOnnx(mlp, x, { inputNames: ['x y'] })).toThrow(ArgumentError);
    expect(() => exportOnnx(mlp, x, { inputNames: ['x'], outputNames: ['x'] })).toThrow(/the name 'x' appears twice/);
    expect(() => exportOnnx(mlp, x, { dynamicAxes: { z: { 0: 'b' } } })).toThrow(/dynamicAxes names 'z', which is neither an input nor an output/);
    expect(() => exportOnnx(42 as never, x)).toThrow(/expected a function or a module with forward\(\), found number/);
    const big = c.eye(40);
    expect(() => exportOnnx((a) => c.cholesky(a!), [big])).toThrow(OnnxExportError);
    expect(() => exportOnnx((a) => c.cholesky(a!), [big])).toThrow(/Cholesky is unrolled for its static size, up to 32×32; found 40×40/);
  });
});
