#!/usr/bin/env node
// Bundles the compiled operator CLI (dist/operator/src/cli/main.js, from `tsc`) into dist/xray-operator.mjs, which
// bin/xray-operator.js runs. Why: @kubernetes/client-node's entry point loads every generated API and model (about
// 1,000 modules, 25 MB of JavaScript) and V8 keeps the source of each loaded module in the heap; the bundle keeps
// what the operator imports, with whitespace and syntax minified: the source V8 holds for the bundle is half as large
// (loaded heap 43 MiB unbundled, 33 bundled, 15 minified; bench:controller compares the launchers). Identifiers are
// not minified: stack traces keep their function names.
// `--entry=FILE --outfile=FILE` bundles another entry point the same way (bench:webhook runs its server as shipped).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const option = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

await build({
  entryPoints: [option('entry') ?? join(root, 'dist/operator/src/cli/main.js')],
  outfile: option('outfile') ?? join(root, 'dist/xray-operator.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies bundled into an ES module still call require() for Node.js built-ins.
  banner: { js: "import { createRequire as __xrayOperatorCreateRequire } from 'node:module';\nconst require = __xrayOperatorCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
