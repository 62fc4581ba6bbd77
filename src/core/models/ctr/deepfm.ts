/** DeepFM (Guo et al. 2017): the factorization machine and the MLP over the same factors. */
import { pairwisePart } from './fm.ts';
import { linearPart, mlpPart, type CtrStructure } from './network.ts';

export const deepFm: CtrStructure = {
  row: 'weight+factors',
  parts: [linearPart, pairwisePart, mlpPart],
};
