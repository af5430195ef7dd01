import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const HOST_DOOR = ['node:fs', 'node:fs/promises', 'node:child_process', 'execa'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-shadow': 'off',
      'prefer-const': 'error',
      // Prettier keeps code within 120 columns; it cannot break a string, a URL or a regular expression.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // Checks, facts and models learn about the machine only through the injected Host: never by themselves.
    files: [
      'checks/**/*.ts',
      'src/core/**/*.ts',
      'src/facts/**/*.ts',
      'src/netfilter/**/*.ts',
      'src/pair/**/*.ts',
      'src/check-support/**/*.ts',
      'src/render/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: HOST_DOOR.map((name) => ({
            name,
            message: 'read the host through ctx.host (src/core/host.ts), never directly',
          })),
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'the environment comes through host.context' }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
