import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { gptDemo } from './demo.js';
import { SAMPLE_DEFAULTS, type GptSampleOptions, sampleFromCheckpoint } from './sample.js';
import { TRAIN_DEFAULTS, type GptTrainOptions, trainGptAsync } from './train.js';
import { int, num } from '../cli/parse.js';

const list = (v: string, prev: string[] = []) => [...prev, v.replace(/\\n/g, '\n')];

/** `samples gpt train | sample | demo`. */
export function gptCommand(): Command {
  const gpt = new Command('gpt').description('a GPT-2-style causal transformer: train on text, sample, or run the names demo');
  const d = TRAIN_DEFAULTS;
  gpt
    .command('train')
    .description('train on a text file (default: English first names from @stdlib) with checkpoints and a progress bar')
    .argument('[text]', 'UTF-8 text file (default: the embedded English first-name list)')
    .addOption(new Option('--tokenizer <kind>', 'char or bpe').choices(['char', 'bpe']).default(d.tokenizer))
    .option('--bpe-vocab-size <n>', 'BPE vocabulary size', int('--bpe-vocab-size'), d.bpeVocabSize)
    .option('--n-layer <n>', 'transformer blocks', int('--n-layer'), d.nLayer)
    .option('--n-head <n>', 'attention heads', int('--n-head'), d.nHead)
    .option('--n-embd <n>', 'embedding width', int('--n-embd'), d.nEmbd)
    .option('--block-size <n>', 'context length', int('--block-size'), d.blockSize)
    .option('--dropout <p>', 'dropout probability', num('--dropout'), d.dropout)
    .option('--no-bias', "no biases in Linear and LayerNorm layers (nanoGPT's train.py default)")
    .option('--batch-size <n>', 'sequences per micro-batch', int('--batch-size'), d.batchSize)
    .option('--max-iters <n>', 'optimizer steps', int('--max-iters'), d.maxIters)
    .option('--lr <x>', 'peak learning rate', num('--lr'), d.lr)
    .option('--min-lr <x>', 'final learning rate of the cosine decay (default lr/10)', num('--min-lr'))
    .option('--warmup-iters <n>', 'linear warmup steps (default min(100, maxIters/10))', int('--warmup-iters'))
    .option('--weight-decay <x>', 'AdamW weight decay on Linear weights', num('--weight-decay'), d.weightDecay)
    .option('--grad-clip <x>', 'global gradient-norm clip (0 = off)', num('--grad-clip'), d.gradClip)
    .option('--grad-accum <n>', 'micro-batches per step', int('--grad-accum'), d.gradAccum)
    .option('--eval-interval <n>', 'evaluate every n steps', int('--eval-interval'), d.evalInterval)
    .option('--eval-iters <n>', 'batches per evaluation', int('--eval-iters'), d.evalIters)
    .option('--seed <n>', 'random seed', int('--seed'), d.seed)
    .option('--out <path>', 'checkpoint file', d.out)
    .option('--checkpoint-interval <n>', 'save every n steps (and at the end)', int('--checkpoint-interval'), d.checkpointInterval)
    .option('--resume', 'continue from --out if it exists')
    .option('--curve <path>', 'write the loss curve (step,loss,val) as CSV')
    .addOption(new Option('--backend <name>', 'eager, or onnxruntime: each step is one compiled ONNX Runtime graph').choices(['eager', 'onnxruntime']).default(d.backend))
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default one per core)', int('--threads'))
    .option('--resident-mb <n>', 'eager: MiB of wasm memory where kernel outputs stay between ops (0 = off; ~20 % faster steps, more RSS)', int('--resident-mb'), d.residentMb)
    .action(async (text: string | undefined, o: Omit<GptTrainOptions, 'text'>) => {
      await trainGptAsync({ ...o, text });
    });
  gpt
    .command('sample')
    .description('stream text from a checkpoint written by `gpt train`')
    .option('--checkpoint <path>', 'checkpoint file', d.out)
    .option('--prompt <text>', 'text to continue (\\n for newline)', SAMPLE_DEFAULTS.prompt)
    .option('--max-new-tokens <n>', 'tokens per sample', int('--max-new-tokens'), SAMPLE_DEFAULTS.maxNewTokens)
    .option('--num-samples <n>', 'number of samples', int('--num-samples'), SAMPLE_DEFAULTS.numSamples)
    .option('--temperature <t>', 'softmax temperature (0 = greedy)', num('--temperature'), SAMPLE_DEFAULTS.temperature)
    .option('--top-k <k>', 'keep the k most likely tokens', int('--top-k'))
    .option('--top-p <p>', 'nucleus sampling mass', num('--top-p'))
    .option('--stop <text>', 'stop sequence (repeatable; \\n for newline)', list)
    .option('--seed <n>', 'random seed', int('--seed'), SAMPLE_DEFAULTS.seed)
    .option('--no-cache', 'decode without the KV cache (same tokens, slower)')
    .addOption(new Option('--backend <name>', 'eager, or onnxruntime: each step is one ONNX Runtime graph with the KV cache as inputs and outputs').choices(['eager', 'onnxruntime']).default(SAMPLE_DEFAULTS.backend))
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default one per core)', int('--threads'))
    .action(async (o: GptSampleOptions) => {
      await sampleFromCheckpoint({ ...o, prompt: o.prompt.replace(/\\n/g, '\n') });
    });
  gpt
    .command('demo', { isDefault: true })
    .description('the default run: train on English first names for about --seconds, then print invented names')
    .option('--seconds <s>', 'training time budget', num('--seconds'), 90)
    .option('--samples <n>', 'names to print', int('--samples'), 20)
    .option('--out-dir <dir>', 'directory for the checkpoint', resolve(import.meta.dirname, '../../out'))
    .action((o: { seconds: number; samples: number; outDir: string }) => void gptDemo(o));
  return gpt;
}
