import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  {
    ignores: [
      'dist/',
      'dev-dist/',
      'node_modules/',
      'bench/.cache/',
      'public/datasets/',
      '.exp/',
      // AssemblyScript, compiled by scripts/build-wasm.mjs (not TypeScript).
      'src/core/embeddings/wasm/',
      'src/core/models/wasm/',
      'src/core/train/wasm/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The layers: core knows nothing of storage, pages or workers (tsconfig.worker.json
    // also type-checks it without the DOM library).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'dexie', message: 'src/core does not touch storage: that is src/store.' },
            { name: 'comlink', message: 'src/core does not talk to workers: that is workers/.' },
            { name: 'svelte', message: 'src/core has no UI: that is src/ui.' },
          ],
          patterns: [
            {
              group: ['**/store/**', '**/store/*', '**/ui/**', '**/workers/**', 'svelte/*'],
              message: 'src/core imports nothing from src/store, src/ui, workers/ or Svelte.',
            },
          ],
        },
      ],
    },
  },
);
