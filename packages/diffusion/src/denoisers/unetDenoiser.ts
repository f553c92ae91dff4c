import { UNet, type UNetOptions } from '@likelihood/nn';

export interface UNetDenoiserOptions extends Partial<UNetOptions> {
  /** Double the output channels for a learned variance (the second half parameterises σ²). */
  learnedVariance?: boolean;
}

/**
 * The nn U-Net set up as an image denoiser: forward(x [B, C, H, W], t [B]) → [B, C or 2C, H, W].
 * Defaults suit 28×28 MNIST: 1 channel, 32 base channels, levels ×1, ×2, ×2 (28 → 14 → 7),
 * attention at the lowest resolution.
 */
export function unetDenoiser(opts: UNetDenoiserOptions = {}): UNet {
  const { learnedVariance = false, ...rest } = opts;
  const inChannels = rest.inChannels ?? 1;
  return new UNet({
    baseChannels: 32,
    channelMults: [1, 2, 2],
    attentionLevels: [2],
    ...rest,
    inChannels,
    outChannels: rest.outChannels ?? (learnedVariance ? 2 * inChannels : inChannels),
  });
}
