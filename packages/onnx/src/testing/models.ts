// The models whose ONNX export is checked by Python (fixtures/check_models.py) and by the tests:
// a VAE-style MLP (encoder, reparameterised sample, decoder, negative ELBO) and a tiny GPT.
import * as c from '@likelihood/core';
import { Generator, type Tensor } from '@likelihood/core';
import { GPT } from '@likelihood/gpt';
import { Linear, Module } from '@likelihood/nn';

/** Bernoulli-decoder VAE on 8-dim binary data with a 4-dim latent. */
export class TinyVAE extends Module {
  enc: Linear;
  mu: Linear;
  logvar: Linear;
  dec1: Linear;
  dec2: Linear;
  constructor(g: Generator) {
    super();
    this.enc = new Linear(8, 16, { generator: g });
    this.mu = new Linear(16, 4, { generator: g });
    this.logvar = new Linear(16, 4, { generator: g });
    this.dec1 = new Linear(4, 16, { generator: g });
    this.dec2 = new Linear(16, 8, { generator: g });
  }

  /** x [B, 8] in {0, 1}, eps ~ N(0, I) drawn inside (a random graph input) → logits and −ELBO per example. */
  forward(x: Tensor, gen?: Generator): { logits: Tensor; negElbo: Tensor } {
    const h = this.enc.forward(x).tanh(); // [B, 16]
    const mu = this.mu.forward(h); // [B, 4]
    const logvar = this.logvar.forward(h);
    const eps = c.randn(mu.shape as number[], { generator: gen });
    const z = mu.add(logvar.mul(0.5).exp().mul(eps));
    const logits = this.dec2.forward(this.dec1.forward(z).relu()); // [B, 8]
    const nll = c.softplus(logits).sub(x.mul(logits)).sum(-1); // Bernoulli NLL, [B]
    const kl = mu.square().add(logvar.exp()).sub(logvar).sub(1).sum(-1).mul(0.5);
    return { logits, negElbo: nll.add(kl) };
  }
}

export interface FixtureModel {
  name: string;
  /** The function exported (a fresh generator per call keeps eager runs reproducible). */
  fn: (...xs: Tensor[]) => Record<string, Tensor>;
  inputs: Tensor[];
  inputNames: string[];
  /** Seed of the generator that fills the random graph inputs, in trace order. */
  randomSeed: number;
}

export const GPT_TINY = { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 8, vocabSize: 20, dropout: 0, bias: true };

export function fixtureModels(): FixtureModel[] {
  const vae = new TinyVAE(new Generator(1));
  const x = c.rand([5, 8], { generator: new Generator(2) }).gt(0.5).float();
  const gpt = new GPT(GPT_TINY, { generator: new Generator(3) });
  const idx = c.randint(0, GPT_TINY.vocabSize, [2, 8], { generator: new Generator(4) });
  return [
    { name: 'vae_mlp', fn: (xx) => vae.forward(xx!, new Generator(5)), inputs: [x], inputNames: ['x'], randomSeed: 5 },
    { name: 'gpt_tiny', fn: (i) => ({ logits: gpt.forward(i!).logits }), inputs: [idx], inputNames: ['idx'], randomSeed: 0 },
  ];
}

/** The random graph inputs a model's graph needs, drawn as interpret and compile draw them. */
export function randomInputs(graph: { randoms: readonly { spec: { kind: string; shape: readonly number[]; dtype: string } }[] }, seed: number): Tensor[] {
  const g = new Generator(seed);
  return graph.randoms.map((r) => {
    const n = r.spec.shape.reduce((a, b) => a * b, 1);
    const s = r.spec.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    if (r.spec.kind === 'uniform') g.fillUniform(s);
    else g.fillNormal(s);
    return new c.Tensor(s, [...r.spec.shape], r.spec.dtype as 'float32');
  });
}
