// @ts-check
import Module from 'node:module';
import js from '@eslint/js';

// typescript-eslint needs TypeScript's JavaScript API, which TypeScript 7 no
// longer has: point its `require('typescript')` at the 5.9 installed as
// typescript-for-lint. tsc itself stays TypeScript 7.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const redirected = request === 'typescript' || request.startsWith('typescript/') ? request.replace(/^typescript/, 'typescript-for-lint') : request;
  return resolve.call(this, redirected, ...rest);
};
const { default: tseslint } = await import('typescript-eslint');

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-output/', 'test/types/invalid-*.ts', 'test-pack/consumer/', 'test-pack/nest/', 'test-pack/frameworks/', 'test/snippets/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.lint.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // `(…) => done(null, user)` and `return fail(…)` in a void function are how callback code reads.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `import X = require('x')` is how a CommonJS build imports `export =` modules.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true, allow: ['^\\.{1,2}/'] }],
    },
  },
  {
    files: ['test/**', 'test-e2e/**', 'test-pack/**', 'bench/**'],
    rules: {
      // Tests index into fixtures they just built; a wrong guess fails the test anyway.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // A reader's app and its test, word for word in docs/testing-your-app.md: written as Express's
    // and Passport's own docs write them (passport.authenticate is typed any; an error handler takes next).
    files: ['test/guide/**'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
