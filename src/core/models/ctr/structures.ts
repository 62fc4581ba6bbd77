/**
 * Every CTR structure by its name: a new structure is a module that builds
 * its network over network.ts' shared layer, and one line here (the compiler
 * asks for one per name of ctr-info.ts' CtrKind).
 */
import type { CtrKind } from '../ctr-info.ts';
import { deepFm } from './deepfm.ts';
import { dien } from './dien.ts';
import { din } from './din.ts';
import { embMlp } from './emb-mlp.ts';
import { fm } from './fm.ts';
import { lr } from './lr.ts';
import type { CtrStructure } from './network.ts';
import { wideDeep } from './wide-deep.ts';

export const CTR_STRUCTURES: Readonly<Record<CtrKind, CtrStructure>> = {
  lr,
  fm,
  'emb-mlp': embMlp,
  'wide-deep': wideDeep,
  deepfm: deepFm,
  din,
  dien,
};
