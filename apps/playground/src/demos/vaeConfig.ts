/** The playground VAE's architecture: shared by the exporter (Node) and the page (browser). */
export const VAE_CONFIG = { latentDim: 16, hidden: [256] } as const;
