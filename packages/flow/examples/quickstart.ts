// README example: a spline flow on 8 gaussians, by hand.
import { Generator, noGrad } from '@likelihood/core';
import { eightGaussians } from '@likelihood/datasets';
import { Flow, RQSCoupling, alternatingMask, standardNormal } from '@likelihood/flow';
import { Adam } from '@likelihood/nn';

const g = new Generator(0);
const flow = new Flow(
  standardNormal([2]),
  [0, 1, 0, 1].map((p) => new RQSCoupling(alternatingMask(2, p as 0 | 1), { hidden: [32, 32], numBins: 8, tailBound: 4, generator: g })),
);
const opt = new Adam(flow.parameters(), { lr: 5e-3 });
for (let step = 0; step < 150; step++) {
  const loss = flow.logProb(eightGaussians.sample(128, g)).mean().neg(); // NLL in nats
  opt.zeroGrad();
  loss.backward();
  opt.step();
}
const test = eightGaussians.sample(2000, new Generator(1));
const nll = noGrad(() => flow.logProb(test).mean().neg().item());
const entropy = eightGaussians.logProb(test).mean().neg().item();
console.log(`held-out NLL ${nll.toFixed(3)} nats; true entropy ${entropy.toFixed(3)} nats`);
const { samples, logProb } = flow.sampleAndLogProb([5], { generator: new Generator(2) });
console.log(samples.shape, logProb.shape); // [5, 2] [5]
