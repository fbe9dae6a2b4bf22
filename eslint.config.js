// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The core stays pure: no Node I/O built-ins, no database or SSH libraries, no adapters. */
const coreForbidden = {
  paths: [
    'child_process',
    'fs',
    'fs/promises',
    'net',
    'http',
    'https',
    'dgram',
    'tls',
    'worker_threads',
  ].flatMap((m) => [
    { name: m, message: 'src/core is pure: do I/O in src/adapters and pass data in.' },
    { name: `node:${m}`, message: 'src/core is pure: do I/O in src/adapters and pass data in.' },
  ]),
  patterns: [
    { group: ['**/adapters/**', '**/app/**', '**/cli/**'], message: 'src/core never imports outer layers.' },
    { group: ['better-sqlite3', 'pg', 'kysely', 'pg-boss'], message: 'src/core never touches a database.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'lab/.state/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', coreForbidden] } },
);
