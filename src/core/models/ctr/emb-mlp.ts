/** Embedding+MLP (SparrowRecSys' EmbeddingMLP): every field's factors and the numeric features through the MLP. */
import { mlpPart, type CtrStructure } from './network.ts';

export const embMlp: CtrStructure = { row: 'factors', parts: [mlpPart] };
