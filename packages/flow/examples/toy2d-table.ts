// Held-out NLL (nats) of RealNVP and spline flows on toy densities, against the true entropy
// (exact log p; moons by quadrature), with the paired gap and its standard error.
// Run: npx tsx --conditions=source packages/flow/examples/toy2d-table.ts [steps] [batch] [densities] [kinds] [layers] [bins] [hidden]
//   e.g. ... toy2d-table.ts 4000 512 8gaussians realnvp 8
//        ... toy2d-table.ts 6000 256 checkerboard realnvp 16 8 128,128
// The recipe is the one of apps/bench's `flow` suite: Adam lr 3e-3 with 50 warm-up steps and a
// cosine decay to 0, MLP 2×64 conditioners (or `hidden`), spline K = 8 on [−4, 4], 20 000 held-out points.
import { type ToyFlowKind, trainToyFlow } from '@likelihood/flow';

const steps = Number(process.argv[2] ?? 2000);
const batchSize = Number(process.argv[3] ?? 256);
const densities = (process.argv[4] ?? 'moons,8gaussians,checkerboard').split(',');
const kinds = (process.argv[5] ?? 'realnvp,spline').split(',') as ToyFlowKind[];
const layers = process.argv[6] ? Number(process.argv[6]) : undefined;
const numBins = process.argv[7] ? Number(process.argv[7]) : 8;
const hidden = (process.argv[8] ?? '64,64').split(',').map(Number);
for (const density of densities) {
  for (const kind of kinds) {
    const c0 = process.cpuUsage();
    const r = trainToyFlow(density, {
      kind,
      steps,
      batchSize,
      layers,
      lr: 3e-3,
      schedule: 'cosine',
      warmupSteps: 50,
      hidden,
      numBins,
      tailBound: 4,
      seed: 0,
      testSize: 20_000,
      evalEvery: Math.floor(steps / 4),
      onEval: (s, nll) => console.log(`  ${density} ${kind} step ${s}: held-out NLL ${nll.toFixed(4)}`),
    });
    const c = process.cpuUsage(c0);
    const gap = r.gap === null ? '' : ` | entropy ${r.trueEntropy!.toFixed(3)} | gap ${r.gap.toFixed(3)} ± ${r.gapStderr!.toFixed(3)}`;
    console.log(`${density} | ${kind} | ${layers ?? 'default'} layers, MLP ${hidden.join('×')} | ${steps} × ${batchSize} | test NLL ${r.testNll.toFixed(3)} ± ${r.testNllStderr.toFixed(3)}${gap} | cpu ${((c.user + c.system) / 1e6).toFixed(0)} s`);
  }
}
