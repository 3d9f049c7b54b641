import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Reading a GPU tensor synchronously returns zeros in headless Chromium: always `await tensor.data()`. */
const noSyncReadback = {
  selector: 'CallExpression[callee.property.name=/^(dataSync|arraySync)$/]',
  message:
    'dataSync()/arraySync() return zeros on WebGPU in headless Chromium and stall the GPU; use `await tensor.data()`.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.gpu/',
      'test-results/',
      'playwright-report/',
      '.bench-out/',
      '.scratch/',
      '.cache/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noSyncReadback],
    },
  },
  {
    files: ['src/ui/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The core is pure: no React, no DOM, nothing from the layers above it.
    files: ['src/core/**/*.ts'],
    // Tests, and the test side of the fuzz campaigns (it spawns the child process), run in Node only.
    ignores: ['src/core/**/*.test.ts', 'src/core/**/*.test-support.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['react', 'react-dom', 'react-dom/*', 'recharts', 'zustand', 'zustand/*'],
              message: 'src/core stays free of UI libraries.',
            },
            {
              group: [
                '**/ui/**',
                '**/ui',
                '**/state/**',
                '**/state',
                '**/workers/**',
                '**/workers',
                '**/gpu/**',
                '**/gpu',
                '**/cli/**',
              ],
              message: 'src/core may only import from src/core (arrows point down: see docs/architecture.md).',
            },
            {
              group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'],
              message: 'src/core runs in browsers and workers too: no Node modules.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'HTMLElement'],
    },
  },
  {
    // The services run in a worker or in this process (CLI, tests): core and gpu below them, nothing above.
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['react', 'react-dom', 'react-dom/*', 'recharts', 'zustand', 'zustand/*'],
              message: 'src/services runs in workers and in Node: no UI libraries.',
            },
            {
              group: [
                '**/workers/**',
                '**/workers',
                '**/state/**',
                '**/state',
                '**/ui/**',
                '**/ui',
                '**/cli/**',
                '**/cli',
              ],
              message:
                'src/services may only import from src/core, src/gpu and itself (arrows point down: see ' +
                'docs/architecture.md).',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'HTMLElement'],
    },
  },
  {
    // The CLI shares the services with the workers but not the workers themselves (nor the page's state and UI).
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workers/**', '**/workers', '**/state/**', '**/state', '**/ui/**', '**/ui'],
              message:
                'src/cli may import src/core, src/gpu and src/services, not src/workers, src/state or src/ui ' +
                '(see docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
);
