import type { PrimitiveAttrs, PrimitiveName } from '../../primitives.js';
import type { Tensor } from '../../tensor.js';

export interface GradContext<K extends PrimitiveName> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: PrimitiveAttrs[K];
}

/** Maps the output's gradient to one gradient per input (null where none flows). */
export type GradRule<K extends PrimitiveName> = (g: Tensor, ctx: GradContext<K>) => (Tensor | null)[];

export type GradRuleTable = { [K in PrimitiveName]?: GradRule<K> };
