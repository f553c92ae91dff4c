import { elementwiseRules } from './elementwise.js';
import { linalgRules } from './linalg.js';
import { movementRules } from './movement.js';
import { neuralRules } from './neural.js';
import { reduceRules } from './reduce.js';
import type { GradRuleTable } from './types.js';

/** The one table of backward rules, keyed by primitive op, assembled from one section per family. */
export const GRAD_RULES: GradRuleTable = {
  ...elementwiseRules,
  ...reduceRules,
  ...movementRules,
  ...linalgRules,
  ...neuralRules,
};
