import { UNet, type UNetOptions } from '@likelihood/nn';
import { PatchDenoiser } from './patchDenoiser.js';

export interface UNetDenoiserOptions extends Partial<UNetOptions> {
  /** Double the output channels for a learned variance (the second half parameterises σ²). */
  learnedVariance?: boolean;
  /** Fold p×p patches into channels before the U-Net (default 1: none); see `PatchDenoiser`. */
  patchSize?: number;
}

/**
 * The nn U-Net set up as an image denoiser: forward(x [B, C, H, W], t [B]) → [B, C or 2C, H, W].
 * Defaults suit 28×28 MNIST: 1 channel, 32 base channels, levels ×1, ×2, ×2 (28 → 14 → 7),
 * attention at the lowest resolution. With `patchSize` p > 1 the U-Net sees C·p² channels at
 * H/p × W/p, wrapped in a `PatchDenoiser`.
 */
export function unetDenoiser(opts: UNetDenoiserOptions = {}): UNet | PatchDenoiser {
  const { learnedVariance = false, patchSize = 1, ...rest } = opts;
  const inChannels = rest.inChannels ?? 1;
  const outChannels = rest.outChannels ?? (learnedVariance ? 2 * inChannels : inChannels);
  const p2 = patchSize * patchSize;
  const unet = new UNet({
    baseChannels: 32,
    channelMults: [1, 2, 2],
    attentionLevels: [2],
    ...rest,
    inChannels: inChannels * p2,
    outChannels: outChannels * p2,
  });
  return patchSize === 1 ? unet : new PatchDenoiser(unet, patchSize);
}
