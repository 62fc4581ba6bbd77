/** Every NeuralCF variant by its name: a new variant is a module describing its structure, and one line here. */
import { gmf } from './gmf.ts';
import { mlp } from './mlp.ts';
import { neumf } from './neumf.ts';
import type { NcfStructure } from './structure.ts';
import { twoTower } from './two-tower.ts';

export const NCF_STRUCTURES = {
  gmf,
  mlp,
  neumf,
  'two-tower': twoTower,
} as const satisfies Record<string, NcfStructure>;

export type NcfVariant = keyof typeof NCF_STRUCTURES;
