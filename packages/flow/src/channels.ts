// Per-feature parameters shared by vector ([N, D]) and image ([N, C, H, W]) bijectors.
import { ArgumentError, ShapeError, type Tensor } from '@likelihood/core';

export type EventDim = 1 | 3;

export function checkEventDim(op: string, eventDim: number): EventDim {
  if (eventDim !== 1 && eventDim !== 3) throw new ArgumentError(`${op}: eventDim must be 1 (vectors [N, D]) or 3 (images [N, C, H, W]), found ${eventDim}`);
  return eventDim;
}

/** Reshapes a per-feature [C] tensor to broadcast over dim 1 of an [N, C] or [N, C, H, W] input. */
export function perChannel(p: Tensor, eventDim: EventDim): Tensor {
  return eventDim === 1 ? p : p.reshape([p.shape[0]!, 1, 1]);
}

/** Number of positions sharing one channel's parameters (H·W for images, 1 for vectors). */
export function positionsPerChannel(x: Tensor, eventDim: EventDim): number {
  return eventDim === 1 ? 1 : x.shape[2]! * x.shape[3]!;
}

/** Throws unless x is [N, features] (eventDim 1) or [N, features, H, W] (eventDim 3). */
export function checkChannels(op: string, x: Tensor, features: number, eventDim: EventDim): void {
  const ok = x.ndim === eventDim + 1 && x.shape[1] === features;
  if (!ok) {
    const want = eventDim === 1 ? `[N, ${features}]` : `[N, ${features}, H, W]`;
    throw new ShapeError(`${op}: input must have shape ${want}, found [${x.shape.join(', ')}]`);
  }
}

/** Dims reduced to get per-channel statistics: [0] or [0, 2, 3]. */
export function statDims(eventDim: EventDim): number[] {
  return eventDim === 1 ? [0] : [0, 2, 3];
}
