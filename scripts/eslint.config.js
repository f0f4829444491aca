// One lint setup for web/, functions/ and test/ (typescript-eslint, flat
// config). Besides the recommended checks it guards the layers of
// ../docs and DESIGN: elements → flows → features → engine; the engine,
// the features and the flows know no Firebase; the web client imports nothing of the
// functions but the protocol module (`@parley/functions/protocol`).
import js from '@eslint/js';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Imports that reach into functions/ by path instead of through the protocol module. */
const FUNCTIONS_BY_PATH = {
  regex: '(^|/)functions/(src|lib)/|^@parley/functions(?!/protocol$)',
  message: 'The web client imports only the protocol module of the functions: @parley/functions/protocol.',
};
const FIREBASE = {
  group: ['firebase', 'firebase/*', '@firebase/*'],
  message: 'Only web/src/backend/ knows Firebase; the engine and the flows declare interfaces it implements.',
};
const NO_DOM_LAYERS = {
  group: ['**/elements/**', 'lit', 'lit/*'],
  message: 'Layers point one way: elements use flows and the engine, never the reverse.',
};
const NO_FLOWS = {
  group: ['**/flows/**', '**/backend/**'],
  message: 'The engine knows WebRTC and nothing else: no flows, no backend.',
};

// This file lives in scripts/ (the top level of the repository is kept to
// the project's own folders); `basePath` makes every pattern below relative
// to the repository root.
export default tseslint
  .config(
    {
      ignores: [
        '**/node_modules/**',
        'functions/lib/**',
        'web/build/**',
        'web/dist/**',
        'web/generated/**',
        'build/**',
        '.cache/**',
        'bench-results/**',
      ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      files: ['**/*.ts'],
      rules: {
        // Unused names are already errors of tsc (noUnusedLocals/Parameters).
        '@typescript-eslint/no-unused-vars': 'off',
        // Non-null assertions are used where an index or a DOM query is known to hit (tests, fixed lists).
        '@typescript-eslint/no-non-null-assertion': 'off',
      },
    },
    {
      files: ['**/*.mjs', '**/*.js'],
      languageOptions: {
        globals: {
          process: 'readonly',
          console: 'readonly',
          URL: 'readonly',
          fetch: 'readonly',
          setTimeout: 'readonly',
          clearTimeout: 'readonly',
          setInterval: 'readonly',
          clearInterval: 'readonly',
          Response: 'readonly',
          AbortSignal: 'readonly',
        },
      },
    },
    {
      files: ['web/src/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [FUNCTIONS_BY_PATH] }] },
    },
    {
      files: ['web/src/engine/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [FUNCTIONS_BY_PATH, FIREBASE, NO_DOM_LAYERS, NO_FLOWS] }] },
    },
    {
      // Features attach to a call (chat, media state): they know the engine, never the flows or the page.
      files: ['web/src/features/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [FUNCTIONS_BY_PATH, FIREBASE, NO_DOM_LAYERS, NO_FLOWS] }] },
    },
    {
      files: ['web/src/flows/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [FUNCTIONS_BY_PATH, FIREBASE, NO_DOM_LAYERS] }] },
    },
    {
      files: ['web/src/elements/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [FUNCTIONS_BY_PATH, FIREBASE] }] },
    },
    {
      // The functions' pure modules: no Firestore, no firebase-functions (tested without the emulator).
      files: ['functions/src/domain/**/*.ts', 'functions/src/protocol/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['firebase-admin', 'firebase-admin/*', 'firebase-functions', 'firebase-functions/*'],
                message: 'domain/ and protocol/ are pure: no Firebase.',
              },
            ],
          },
        ],
      },
    },
  )
  .map((config) => ({ basePath: ROOT, ...config }));
