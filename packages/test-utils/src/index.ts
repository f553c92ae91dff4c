export { expectClose, maxAbsDiff } from './close.js';
export { gradcheck, numericGrad } from './gradcheck.js';
export { loadFixture } from './fixtures.js';
