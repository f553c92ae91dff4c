// The README example. Run: npx tsx --conditions=source packages/ebm/examples/quickstart.ts
import { Generator, rand, tensor } from '@likelihood/core';
import { BernoulliRBM, ais, mala, trainRBM } from '@likelihood/ebm';

// Binary data: 300 noisy copies of two 12-pixel patterns.
const gen = new Generator(0);
const patterns = [[1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]];
const flips = rand([300, 12], { generator: gen, dtype: 'float64' }).lt(0.1);
const rows = Array.from({ length: 300 }, (_, i) => patterns[i % 2]!);
const data = flips.to('float64').sub(tensor(rows, { dtype: 'float64' })).abs(); // flip 10% of the bits: |flip − bit|

const rbm = new BernoulliRBM(12, 6, { generator: gen }).initVisibleBiasFromData(data);
trainRBM(rbm, data, { method: 'pcd', k: 1, epochs: 20, lr: 0.1, momentum: 0.5, weightDecay: 1e-4, batchSize: 20, generator: gen });

const exact = rbm.exactLogZ().item();                 // enumerates the 2^6 hidden states
const est = ais(rbm, { numRuns: 100, generator: gen }); // 1,450 temperatures by default
console.log(`log Z exact ${exact.toFixed(4)}, AIS ${est.logZ.toFixed(4)} ± ${est.logZStdErr.toFixed(4)}`);
console.log(`train log-likelihood ${rbm.averageLogLikelihood(data, exact).toFixed(3)} nats`);

// Fantasy samples by block Gibbs, and MALA on the (continuous) free energy of a Gaussian energy.
const { v } = rbm.gibbs(data.narrow(0, 0, 4), { k: 100, generator: gen });
console.log(v.toArray());
const { acceptanceRate } = mala((x) => x.square().sum(1).mul(0.5), rand([100, 2], { generator: gen }), { stepSize: 0.5, numSteps: 50, generator: gen });
console.log(`MALA acceptance on N(0, I): ${acceptanceRate.toFixed(2)}`);
