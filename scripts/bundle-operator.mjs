#!/usr/bin/env node
// Bundles the compiled operator CLI (dist/operator/src/cli/main.js, from `tsc`) into dist/xray-operator.mjs, which
// bin/xray-operator.js runs, plus the chunks it loads on demand (dist/xray-operator-chunks/: `run` loads the
// controller and webhook, the other commands do not). Why: @kubernetes/client-node's entry point loads every generated
// API and model (about 1,000 modules, 25 MB of JavaScript) and V8 keeps the source of each loaded module in the heap.
// The operator calls the API through its own REST layer (operator/src/k8s/rest/) and uses client-node for the
// kubeconfig, watches and ListWatch; the bundle keeps only that, with whitespace and syntax minified (4.0 MB instead of
// 6.5 MB with the generated APIs; bench:controller compares the launchers). Identifiers are not minified: stack traces
// keep their function names.
// `--entry=FILE --outdir=DIR` bundles another entry point the same way into DIR/<its name>.mjs (bench:webhook runs its
// server as shipped).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CLIENT_NODE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;

/**
 * client-node's package does not declare its modules free of side effects, so a bundler keeps every module its index
 * re-exports, the 759 generated models among them (each assigns its attribute map at load). They have none: marked so,
 * only what the operator imports stays. And ListWatch imports client-node's ObjectSerializer, whose type map refers
 * to every model, only to pass label and field selectors through (they are strings, and serialize returns a string
 * as it is); it gets that pass-through instead.
 */
const onlyWhatIsUsedOfClientNode = {
  name: 'only-what-is-used-of-client-node',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\/serializer\.js$/ }, ({ importer }) =>
      CLIENT_NODE.test(importer) && importer.endsWith('cache.js') ? { path: 'list-watch-serializer', namespace: 'client-node-stub' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'client-node-stub' }, () => ({ contents: 'export const ObjectSerializer = { serialize: (value) => value };', loader: 'js' }));
    bundle.onResolve({ filter: /.*/ }, async ({ path, importer, kind, resolveDir, pluginData }) => {
      if (pluginData?.resolving || !CLIENT_NODE.test(importer)) return undefined;
      const resolved = await bundle.resolve(path, { importer, kind, resolveDir, pluginData: { resolving: true } });
      if (resolved.errors.length > 0 || !CLIENT_NODE.test(resolved.path)) return resolved;
      return { path: resolved.path, sideEffects: false };
    });
  },
};

const option = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const entry = option('entry');
const outdir = option('outdir') ?? join(root, 'dist');
const chunkDir = join(outdir, 'xray-operator-chunks');
const { metafile } = await build({
  entryPoints: entry ? { [basename(entry, extname(entry))]: entry } : { 'xray-operator': join(root, 'dist/operator/src/cli/main.js') },
  outdir,
  // Real ES module chunks for the dynamic imports: code in a chunk is tree-shaken like the rest (in one file, esbuild
  // wraps lazily loaded modules whole and keeps all they re-export).
  splitting: true,
  chunkNames: 'xray-operator-chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [onlyWhatIsUsedOfClientNode],
  // CommonJS dependencies bundled into an ES module still call require() for Node.js built-ins.
  banner: { js: "import { createRequire as __xrayOperatorCreateRequire } from 'node:module';\nconst require = __xrayOperatorCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// Chunks of earlier builds go after the build, not before: an operator started meanwhile finds every chunk it imports.
const written = new Set(Object.keys(metafile.outputs).map((file) => basename(file)));
for (const file of existsSync(chunkDir) ? readdirSync(chunkDir) : []) if (!written.has(file)) rmSync(join(chunkDir, file));
