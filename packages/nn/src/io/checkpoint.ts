import { type CheckpointInfo, type LoadCheckpointOptions, type SaveCheckpointOptions, applyCheckpoint, encodeCheckpointParts } from './checkpoint-format.js';
import { readFileBytes, writeFileAtomic } from './files.js';

export { restoreGenerator } from './checkpoint-format.js';
export type { CheckpointInfo, LoadCheckpointOptions, SaveCheckpointOptions, StatefulOptimizer } from './checkpoint-format.js';

/**
 * Saves model, optimizer state, step, generator state, config and extra as one safetensors
 * file (layout in `checkpoint-format.ts`), atomically: a crash or a failed write leaves the
 * previous checkpoint intact.
 */
export function saveCheckpoint(path: string, opts: SaveCheckpointOptions): void {
  const { header, data } = encodeCheckpointParts(opts);
  writeFileAtomic(path, [header, data], 'saveCheckpoint');
}

/**
 * Loads a checkpoint written by `saveCheckpoint` into `model` (and `optimizer`, `generator`).
 * Everything — truncation, header, checksum, dtypes, shapes against the model — is checked
 * before anything is written, so a bad file throws `CheckpointError` and changes nothing.
 * Returns the step, generator state, config and extra.
 */
export function loadCheckpoint(path: string, opts: LoadCheckpointOptions): CheckpointInfo {
  return applyCheckpoint(readFileBytes(path, 'loadCheckpoint'), opts, `loadCheckpoint '${path}'`);
}
