import { ConvNd, type ConvLayerOptions, type IntOrTuple } from './_conv.js';

/**
 * 2-D convolution over (N, C, H, W) or (C, H, W) input (torch.nn.Conv2d). `weight` is
 * (outChannels, inChannels / groups, kH, kW), `bias` (outChannels); torch's default init
 * (kaimingUniform_ with a = √5, so U(±1/√fanIn) with fanIn = inChannels / groups · kH · kW).
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, opts);
  }
}
