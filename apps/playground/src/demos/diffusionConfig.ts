/** The playground diffusion model: shared by the exporter (Node) and the page (browser). */
export const DIFFUSION_CONFIG = {
  /** a small U-Net on 2×2 patches of 28×28 digits (4 channels at 14×14) */
  unet: { inChannels: 1, baseChannels: 16, channelMults: [1, 2], attentionLevels: [] as number[], patchSize: 2 },
  /** DDPM's linear schedule */
  numTimesteps: 1000,
  /** DDIM steps when sampling in the page */
  sampleSteps: 20,
} as const;
