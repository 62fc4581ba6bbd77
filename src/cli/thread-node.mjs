// A node pool thread's entry: loads the TypeScript thread (thread-node.ts) through tsx, as bin/wren.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./thread-node.ts');
