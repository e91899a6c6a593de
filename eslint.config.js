import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-output/', '.bench/', '.exp/', 'dist-electron/', 'release/', 'renderer/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', ReadableStream: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // Imports go one way: renderer -> shared; hosts -> engine's face (engine/index.ts) -> shared.
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      { group: ['**/engine/**', '**/hosts/**', '**/electron/**', 'electron'], message: 'The renderer talks only to window.api and imports only shared/.' },
      { group: ['node:*'], message: 'The renderer runs in a browser: no Node modules.' },
    ] }] },
  },
  {
    files: ['hosts/**/*.ts', 'electron/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      { group: ['**/engine/**', '!**/engine/index.js'], message: 'Hosts import the engine only through its face, engine/index.ts.' },
      { group: ['**/renderer/**'], message: 'Hosts never import the renderer.' },
    ] }] },
  },
  {
    files: ['engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      { group: ['**/hosts/**', '**/electron/**', '**/renderer/**', 'electron'], message: 'The engine is plain Node: it never imports a host, Electron or the renderer.' },
    ] }] },
  },
  {
    files: ['engine/normalize/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      { group: ['**/jobs/**', '**/hosts/**', '**/electron/**', '**/renderer/**'], message: 'The normaliser writes through its own RowSink port; it never imports the build orchestration.' },
    ] }] },
  },
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [
      { group: ['**/engine/**', '**/hosts/**', '**/electron/**', '**/renderer/**', 'electron'], message: 'shared/ is the contract: it imports nothing but shared/ and zod.' },
      { group: ['node:*'], message: 'shared/ runs in the renderer too: no Node modules.' },
    ] }] },
  },
);
