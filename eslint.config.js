import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (docs/architecture.md): dependencies point down. Each rule below fails the build when a file imports
// from a room above it; test files of a room may use test helpers, never the production code of a room above.
const NODE_IO_MODULES = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process', 'cluster', 'worker_threads', 'os', 'readline', 'inspector', 'process'];
const nodeIo = (message) => NODE_IO_MODULES.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message }));
const CORE_MESSAGE = 'core/ is pure: no webhook/, operator/ or Node I/O (lookups happen before, into a context object).';
const layer = {
  core: { regex: '(^|/)(webhook|operator|instrumentation-image|e2e|bench)/', message: CORE_MESSAGE },
  webhook: { regex: '(^|/)(operator|e2e|bench)/', message: 'webhook/ may import core/, never operator/ (wire them together in operator/src/cli/).' },
  adapters: { regex: '(^|/)(controller|cli)/', message: 'Adapters (k8s/, xray/, certs/) never import controller/ or the entry points; shared helpers live in runtime/.' },
  controller: { regex: '(^|/)cli/', message: 'controller/ never imports the entry points (cli/).' },
  operator: { regex: '(^|/)(e2e|bench)/', message: 'Nothing imports e2e/ or bench/.' },
  preload: { regex: '(^|/)(webhook|operator)/|(^|/)core/src/(?!constants\\.js$)', message: 'The preload shares only core/src/constants.ts with the rest.' },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'instrumentation-image/lines/**', 'instrumentation-image/build/**', 'bench/results/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.mts', '**/*.cts', '.e2e-work/**', '.ci-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    // instrumentation-image/src is checked against its own tsconfig (nearest to each file).
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['core/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'core/src/**/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeIo(CORE_MESSAGE), patterns: [layer.core] }],
      'no-restricted-globals': ['error', ...['process', 'setTimeout', 'setInterval', 'fetch'].map((name) => ({ name, message: CORE_MESSAGE }))],
    },
  },
  {
    files: ['core/src/**/*.test.ts', 'core/src/**/testing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.core] }] },
  },
  {
    files: ['webhook/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.webhook] }] },
  },
  {
    // The HTTPS server's tests need certificates: they may use the operator's PKI, and nothing else above.
    files: ['webhook/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ ...layer.webhook, regex: '(^|/)(operator/src/(?!certs/pki\\.js$)|e2e/|bench/)' }] }] },
  },
  {
    files: ['operator/src/k8s/**/*.ts', 'operator/src/xray/**/*.ts', 'operator/src/certs/**/*.ts', 'operator/src/runtime/**/*.ts', 'operator/src/metrics/**/*.ts', 'operator/src/config/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.adapters, layer.operator] }] },
  },
  {
    files: ['operator/src/controller/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.controller, layer.operator] }] },
  },
  {
    files: ['operator/src/cli/**/*.ts', 'operator/src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.operator] }] },
  },
  {
    files: ['instrumentation-image/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer.preload] }] },
  },
  {
    files: ['**/*.test.ts', 'e2e/**', 'bench/**', 'test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
