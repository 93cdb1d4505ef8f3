import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Process boundaries are lint rules, not conventions: the renderer reaches the app only through the
 * API contract in preload/api, and the core (everything outside main/electron) never imports
 * `electron`, so all of it runs and is tested in plain Node.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'renderer/tsconfig.json'], noWarnOnMultipleProjects: true })] },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    // The build configuration runs in Node at build time and is no part of the renderer's bundle.
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './renderer',
              from: './',
              // devices/scan is the one exception: plain parsing functions without I/O (the rule on
              // devices/scan below keeps it so), bundled so the renderer reads keyboard-wedge scans.
              except: ['./renderer', './preload/api', './devices/scan', './node_modules'],
              message: 'The renderer talks to the app only through the API contract in preload/api (and may use the pure scan parser in devices/scan).',
            },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'node:*', 'better-sqlite3', 'rxdb', 'rxdb/*', 'pg', 'fastify', 'ws'], message: 'The renderer is untrusted web content: no Node, Electron or storage modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/api/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './preload/api',
              from: './',
              // The scan event carries devices/scan's result type; that folder is pure and bundled everywhere.
              except: ['./preload/api', './devices/scan', './node_modules'],
              message: 'The API contract is imported by every side, so it imports nothing of theirs but the pure scan parser in devices/scan.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/browser-host/**/*.ts', 'sync/**/*.ts', 'devices/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The core runs in plain Node under both hosts; only main/electron may import electron.' }] },
      ],
    },
  },
  {
    // The renderer and the API contract bundle the scan parser, so it must stay free of Node and I/O.
    files: ['devices/scan/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'electron', 'fs', 'path', 'serialport', 'node-hid'], message: 'devices/scan is bundled into the renderer: no Node, Electron or device modules.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'build/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // electron-builder loads its hooks with require().
    files: ['build/**/*.cjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
