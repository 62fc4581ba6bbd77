/** Logistic regression: one weight per id and per numeric feature, summed into a logit. */
import { linearPart, type CtrStructure } from './network.ts';

export const lr: CtrStructure = { row: 'weight', parts: [linearPart] };
