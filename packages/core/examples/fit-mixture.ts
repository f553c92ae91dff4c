/**
 * The core demo: fit a two-component Gaussian mixture to Old Faithful eruption times by
 * maximum likelihood (gradient descent on the mean negative log-likelihood with Adam written
 * out in tensor ops), and compare its held-in NLL with the best single Gaussian.
 *
 *   npx tsx packages/core/examples/fit-mixture.ts
 */
import { type Tensor, exp, log, maximum, sub, tensor, valueAndGrad } from '@likelihood/core';
import { eruptions } from './faithful.js';

const x = tensor([...eruptions], { dtype: 'float64' }).reshape([-1, 1]); // (N, 1)
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(x | mu, sigma) for every point and component: (N, K). */
function normalLogProb(x: Tensor, mu: Tensor, logSigma: Tensor): Tensor {
  const z = x.sub(mu).div(exp(logSigma)); // (N, K)
  return z.mul(z).mul(-0.5).sub(logSigma).sub(HALF_LOG_2PI);
}

/** Numerically stable log(e^a + e^b). */
function logAddExp(a: Tensor, b: Tensor): Tensor {
  const m = maximum(a, b).detach();
  return m.add(log(exp(sub(a, m)).add(exp(sub(b, m)))));
}

/** Mean NLL (nats per observation) of the mixture with logits w, means mu, log-scales s. */
function nll(w: Tensor, mu: Tensor, s: Tensor): Tensor {
  // log softmax over 2 components: w - log(e^w0 + e^w1)
  const w0 = w.reshape([2]).mul(tensor([1, 0], { dtype: 'float64' })).sum();
  const w1 = w.reshape([2]).mul(tensor([0, 1], { dtype: 'float64' })).sum();
  const logMix = w.sub(logAddExp(w0, w1)); // (K)
  const joint = normalLogProb(x, mu, s).add(logMix); // (N, K)
  const j0 = joint.mul(tensor([1, 0], { dtype: 'float64' })).sum(1);
  const j1 = joint.mul(tensor([0, 1], { dtype: 'float64' })).sum(1);
  return logAddExp(j0, j1).mean().neg();
}

// Single Gaussian MLE, closed form: NLL = 0.5 log(2πσ²) + 0.5.
const n = eruptions.length;
const m = eruptions.reduce((a, b) => a + b, 0) / n;
const v = eruptions.reduce((a, b) => a + (b - m) ** 2, 0) / n;
const singleNll = 0.5 * Math.log(2 * Math.PI * v) + 0.5;

let params = [
  tensor([0, 0], { dtype: 'float64' }),
  tensor([2.5, 4.0], { dtype: 'float64' }),
  tensor([0, 0], { dtype: 'float64' }),
];
const step = valueAndGrad((w: Tensor, mu: Tensor, s: Tensor) => nll(w, mu, s), { argnums: [0, 1, 2] });

// Adam (Kingma & Ba), lr 0.05.
const lr = 0.05;
const [b1, b2, eps] = [0.9, 0.999, 1e-8];
let m1 = params.map((p) => p.mul(0));
let m2 = params.map((p) => p.mul(0));
console.log(`Old Faithful eruptions: ${n} observations`);
console.log(`single Gaussian (closed-form MLE): NLL = ${singleNll.toFixed(4)} nats/obs`);
for (let t = 1; t <= 400; t++) {
  const { value, grad } = step(params[0]!, params[1]!, params[2]!);
  m1 = m1.map((mi, i) => mi.mul(b1).add(grad[i]!.mul(1 - b1)));
  m2 = m2.map((vi, i) => vi.mul(b2).add(grad[i]!.mul(grad[i]!).mul(1 - b2)));
  params = params.map((p, i) =>
    p.sub(m1[i]!.div(1 - b1 ** t).mul(lr).div(m2[i]!.div(1 - b2 ** t).sqrt().add(eps))),
  );
  if (t === 1 || t % 50 === 0) console.log(`step ${String(t).padStart(3)}  NLL = ${value.item().toFixed(4)} nats/obs`);
}
const final = nll(params[0]!, params[1]!, params[2]!).item();
const mus = params[1]!.toArray() as number[];
const sigmas = (exp(params[2]!).toArray() as number[]);
console.log(`two-component mixture: NLL = ${final.toFixed(4)} nats/obs (means ${mus.map((u) => u.toFixed(2)).join(', ')}; std ${sigmas.map((u) => u.toFixed(2)).join(', ')})`);
console.log(`the mixture is ${(singleNll - final).toFixed(4)} nats/obs more likely than one Gaussian`);
