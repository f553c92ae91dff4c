import { ArgumentError, DTypeError, type Generator, ShapeError, type Tensor, arange, gelu, noGrad } from '@likelihood/core';
import { crossEntropy } from '@likelihood/losses';
import { CausalSelfAttention, Dropout, Embedding, KVCache, LayerNorm, Linear, Module, ModuleList, init } from '@likelihood/nn';
import { type GPTConfig, gptConfig } from './config.js';

/** Position-wise feed-forward: nEmbd → 4·nEmbd → GELU (tanh) → nEmbd. */
export class MLP extends Module {
  c_fc: Linear;
  c_proj: Linear;
  dropout: Dropout;

  constructor(c: GPTConfig, generator?: Generator) {
    super();
    this.c_fc = new Linear(c.nEmbd, 4 * c.nEmbd, { bias: c.bias, generator });
    this.c_proj = new Linear(4 * c.nEmbd, c.nEmbd, { bias: c.bias, generator });
    this.dropout = new Dropout(c.dropout, { generator });
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(gelu(this.c_fc.forward(x), 'tanh')));
  }
}

/** Pre-LayerNorm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)). */
export class Block extends Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;

  constructor(c: GPTConfig, generator?: Generator) {
    super();
    this.ln_1 = new LayerNorm(c.nEmbd, { bias: c.bias });
    this.attn = new CausalSelfAttention({ nEmbd: c.nEmbd, nHead: c.nHead, dropout: c.dropout, bias: c.bias, generator });
    this.ln_2 = new LayerNorm(c.nEmbd, { bias: c.bias });
    this.mlp = new MLP(c, generator);
  }

  forward(x: Tensor, cache?: KVCache): Tensor {
    const h = x.add(this.attn.forward(this.ln_1.forward(x), { cache }));
    return h.add(this.mlp.forward(this.ln_2.forward(h)));
  }
}

/** The `transformer` submodule of GPT2LMHeadModel: embeddings, blocks, final LayerNorm. */
export class Transformer extends Module {
  wte: Embedding;
  wpe: Embedding;
  drop: Dropout;
  h: ModuleList<Block>;
  ln_f: LayerNorm;

  constructor(c: GPTConfig, generator?: Generator) {
    super();
    this.wte = new Embedding(c.vocabSize, c.nEmbd, { generator });
    this.wpe = new Embedding(c.blockSize, c.nEmbd, { generator });
    this.drop = new Dropout(c.dropout, { generator });
    this.h = new ModuleList(Array.from({ length: c.nLayer }, () => new Block(c, generator)));
    this.ln_f = new LayerNorm(c.nEmbd, { bias: c.bias });
  }

  forward(): never {
    throw new ArgumentError('Transformer has no forward of its own; call GPT.forward');
  }
}

export interface GPTOptions {
  /** Generator for the initial weights and for dropout masks (default: the global generator). */
  generator?: Generator;
}

export interface ForwardOptions {
  /** Next-token targets [B, T] int32; positions equal to `ignoreIndex` (default −100) carry no loss. */
  targets?: Tensor;
  ignoreIndex?: number;
  /** One KVCache per layer (`model.newCache()`): idx holds only the new positions. */
  cache?: KVCache[];
  /** Only the last position's logits [B, 1, V] (generation); ignored when targets are given. */
  lastOnly?: boolean;
}

export interface GPTOutput {
  /** [B, T, V] (or [B, 1, V] with lastOnly). */
  logits: Tensor;
  /** Mean cross-entropy in nats over the non-ignored targets, when targets were given. */
  loss?: Tensor;
}

/**
 * GPT-2 (Radford et al. 2019) as in nanoGPT's model.py: token + learned position embeddings,
 * nLayer pre-LN blocks, a final LayerNorm and a language-model head whose weight IS the token
 * embedding (tied). Parameter names are Hugging Face's GPT2LMHeadModel state-dict keys; the
 * four Conv1D weights per block are stored as torch.nn.Linear's [out, in], so `toHuggingFace`
 * / `fromHuggingFace` transpose them (see huggingface.ts).
 */
export class GPT extends Module {
  readonly config: GPTConfig;
  transformer: Transformer;
  lm_head: Linear;

  constructor(config: Partial<GPTConfig>, opts: GPTOptions = {}) {
    super();
    const c = gptConfig(config);
    this.config = Object.freeze(c);
    const g = opts.generator;
    this.transformer = new Transformer(c, g);
    this.lm_head = new Linear(c.nEmbd, c.vocabSize, { bias: false, generator: g });
    this.lm_head.weight = this.transformer.wte.weight; // weight tying
    this.initWeights(g);
  }

  /** GPT-2's init: N(0, 0.02) weights and embeddings, zero biases, residual projections N(0, 0.02/√(2·nLayer)). */
  private initWeights(g?: Generator): void {
    noGrad(() => {
      for (const [name, m] of this.namedModules()) {
        if (m instanceof Linear) {
          const std = name.endsWith('c_proj') ? 0.02 / Math.sqrt(2 * this.config.nLayer) : 0.02;
          if (m !== this.lm_head) init.normal_(m.weight, 0, std, g);
          if (m.bias) init.constant_(m.bias, 0);
        } else if (m instanceof Embedding) init.normal_(m.weight, 0, 0.02, g);
      }
    });
  }

  /** Empty KV caches, one per block, for incremental decoding. */
  newCache(): KVCache[] {
    return Array.from({ length: this.config.nLayer }, () => new KVCache());
  }

  /** idx [B, T] int32 token ids → logits [B, T, V] and, with targets, the mean cross-entropy. */
  forward(idx: Tensor, opts: ForwardOptions = {}): GPTOutput {
    if (idx?.dtype !== 'int32') throw new DTypeError(`GPT.forward: idx must be int32 token ids, found ${idx?.dtype ?? typeof idx}`);
    if (idx.ndim !== 2) throw new ShapeError(`GPT.forward: idx must be [B, T], found [${idx.shape.join(', ')}]`);
    const [B, T] = idx.shape as [number, number];
    const { cache, targets } = opts;
    if (cache && cache.length !== this.config.nLayer) {
      throw new ArgumentError(`GPT.forward: cache must hold one KVCache per layer (${this.config.nLayer}), found ${cache.length}`);
    }
    const past = cache?.[0]?.length ?? 0;
    if (past + T > this.config.blockSize) {
      throw new ShapeError(
        `GPT.forward: ${past > 0 ? `${past} cached + ` : ''}${T} positions exceed blockSize ${this.config.blockSize}; crop the context (generate() keeps the last blockSize tokens)`,
      );
    }
    const tr = this.transformer;
    const pos = arange(past, past + T, 1, { dtype: 'int32' }); // [T]
    let x = tr.drop.forward(tr.wte.forward(idx).add(tr.wpe.forward(pos))); // [B, T, C]
    let i = 0;
    for (const block of tr.h) x = block.forward(x, cache?.[i++]);
    x = tr.ln_f.forward(x);
    if (targets) {
      if (targets.dtype !== 'int32' || targets.ndim !== 2 || targets.shape[0] !== B || targets.shape[1] !== T) {
        throw new ShapeError(`GPT.forward: targets must be int32 [${B}, ${T}] like idx, found ${targets.dtype} [${targets.shape.join(', ')}]`);
      }
      const logits = this.lm_head.forward(x); // [B, T, V]
      const V = this.config.vocabSize;
      const loss = crossEntropy(logits.reshape([B * T, V]), targets.reshape([B * T]), { ignoreIndex: opts.ignoreIndex ?? -100 });
      return { logits, loss };
    }
    if (opts.lastOnly) return { logits: this.lm_head.forward(x.narrow(1, T - 1, 1)) }; // [B, 1, V]
    return { logits: this.lm_head.forward(x) };
  }

  override extraRepr(): string {
    const c = this.config;
    return `nLayer=${c.nLayer}, nHead=${c.nHead}, nEmbd=${c.nEmbd}, blockSize=${c.blockSize}, vocabSize=${c.vocabSize}`;
  }
}
