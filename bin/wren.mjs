#!/usr/bin/env node
// The Wren command line: runs src/cli/main.ts (the same core code the browser uses) through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
