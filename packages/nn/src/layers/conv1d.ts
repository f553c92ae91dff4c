import { ConvNd, type ConvLayerOptions, type IntOrTuple } from './_conv.js';

/**
 * 1-D convolution over (N, C, L) or (C, L) input (torch.nn.Conv1d). `weight` is
 * (outChannels, inChannels / groups, kernelSize), `bias` (outChannels); torch's default init.
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvLayerOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, opts);
  }
}
