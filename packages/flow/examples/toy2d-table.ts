// Held-out NLL (nats) of RealNVP and spline flows on toy densities, against the true entropy
// where the density has a closed form. Run: npx tsx --conditions=source packages/flow/examples/toy2d-table.ts [steps]
import { type ToyFlowKind, trainToyFlow } from '@likelihood/flow';

const steps = Number(process.argv[2] ?? 600);
for (const density of ['moons', '8gaussians', 'checkerboard']) {
  for (const kind of ['realnvp', 'spline'] as ToyFlowKind[]) {
    const c0 = process.cpuUsage();
    const r = trainToyFlow(density, { kind, steps, batchSize: 256, lr: 2e-3, seed: 0, hidden: [64, 64] });
    const c = process.cpuUsage(c0);
    const gap = r.trueEntropy === null ? '' : ` | entropy ${r.trueEntropy.toFixed(3)} | gap ${(r.testNll - r.trueEntropy).toFixed(3)}`;
    console.log(`${density} | ${kind} | ${steps} steps | test NLL ${r.testNll.toFixed(3)}${gap} | cpu ${((c.user + c.system) / 1e6).toFixed(0)} s`);
  }
}
