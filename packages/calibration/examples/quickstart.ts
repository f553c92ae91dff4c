// Measure and fix the calibration of an over-confident classifier.
//   npx tsx --conditions=source packages/calibration/examples/quickstart.ts
import { Generator, multinomial, randn } from '@likelihood/core';
import { TemperatureScaling, calibrationReport, loadCalibrator, reliabilityDiagram } from '@likelihood/calibration';
import { saveReliabilityDiagram } from '@likelihood/calibration/node';

// A synthetic 10-class problem: labels drawn from softmax(z), logits reported as 2.5·z (over-confident).
const g = new Generator(0);
const z = randn([6000, 10], { generator: g, dtype: 'float64' });
const labels = multinomial(z.softmax(1), 1, { generator: g }).reshape([6000]).to('int32');
const logits = z.mul(2.5);
const [fitLogits, testLogits] = [logits.narrow(0, 0, 3000), logits.narrow(0, 3000, 3000)];
const [fitLabels, testLabels] = [labels.narrow(0, 0, 3000), labels.narrow(0, 3000, 3000)];

const before = calibrationReport(testLogits.softmax(1), testLabels);
const ts = new TemperatureScaling().fit(fitLogits, fitLabels); // LBFGS on the held-out NLL
const after = calibrationReport(ts.transform(testLogits), testLabels);
console.log(`T = ${ts.temperature!.toFixed(3)}`);
console.log(`ECE ${(100 * before.ece).toFixed(2)}% → ${(100 * after.ece).toFixed(2)}%, NLL ${before.nll.toFixed(3)} → ${after.nll.toFixed(3)}, accuracy ${before.accuracy} → ${after.accuracy}`);

const restored = loadCalibrator(JSON.stringify(ts)); // fitted calibrators are JSON
console.log(`restored: ${restored.constructor.name}`);
saveReliabilityDiagram('reliability.svg', reliabilityDiagram(ts.transform(testLogits), testLabels, { title: 'Temperature scaled' }));
