#!/usr/bin/env node
// Builds what the instrumentation image serves under /autoinstrumentation into build/autoinstrumentation:
//   autoinstrumentation.js   the CommonJS loader NODE_OPTIONS --require's (any Node.js version)
//   package.json             {"type":"commonjs"} so an app's own package.json cannot turn our .js files into ESM
//   <line>/sdk.js            the OpenTelemetry SDK + instrumentations, one bundle per OpenTelemetry line
//   <line>/hook.mjs          import-in-the-middle's ESM loader hook
//   <line>/lib/register.js   the hook registry both of the above load (must be one real file; see esm-hook.mjs)
//   aws-signing.js           SigV4 + the AWS SDK's credential chain, loaded only by pods without a collector
// Usage: node scripts/build.mjs [--skip-test-fixtures] [--force]
// PRELOAD_UNMINIFIED=1 builds the bundles unminified, for CPU profiles with readable function names.
// Skipped when build/.inputs-sha256 matches a hash of everything the bundles are made from, so `npm test` can call it
// every time: a fresh clone builds, an unchanged tree costs a hash of the sources.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const srcDir = join(root, 'src');
const outDir = join(root, 'build', 'autoinstrumentation');
const LINES = { current: 'node22.15', legacy: 'node18.19' };
const skipTestFixtures = process.argv.includes('--skip-test-fixtures');
const force = process.argv.includes('--force');
const stampFile = join(root, 'build', '.inputs-sha256');
const minify = process.env.PRELOAD_UNMINIFIED !== '1';
// Majors for the compatibility tests, plus 22.15.0: the first release of the current line, where ESM hooks are
// still the off-thread kind.
const NODE_TEST_VERSIONS = ['18', '22.15.0', '22', '24'];

/** `npm ci` unless node_modules already matches the lockfile (npm rewrites its hidden lockfile on every install). */
function npmCi(dir, extraArgs = []) {
  const lock = join(dir, 'package-lock.json');
  const hidden = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(hidden) && statSync(hidden).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log(`npm ci in ${relative(root, dir) || '.'}`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', ...extraArgs], { cwd: dir, stdio: 'inherit' });
}

npmCi(root, ['--ignore-scripts']);
// The current line's packages declare node >=22.15 (the runtimes its bundle is loaded on); any Node.js builds it, so
// npm's engine warnings for it say nothing about the runtime that installs it.
for (const line of Object.keys(LINES)) npmCi(join(root, 'lines', line), ['--ignore-scripts', '--loglevel=error']);
if (!skipTestFixtures) {
  npmCi(join(root, 'test', 'apps'), ['--ignore-scripts']);
  installNodeRuntimes();
}

/**
 * Extra Node.js versions for the compatibility tests, from npm (node-<platform>-<arch> ships the binary), cached in
 * .node-versions/<version>. A failed download only skips that version's tests.
 */
function installNodeRuntimes() {
  const pkg = `node-${process.platform}-${process.arch}`;
  for (const version of NODE_TEST_VERSIONS) {
    const dir = join(root, '.node-versions', version);
    if (existsSync(join(dir, 'node_modules', pkg, 'bin', 'node'))) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    console.log(`npm install ${pkg}@${version} in ${relative(root, dir)}`);
    try {
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `${pkg}@${version}`], { cwd: dir, stdio: 'inherit' });
    } catch (error) {
      console.warn(`Node.js ${version} not installed (${error.message}); its compatibility tests will be skipped`);
    }
  }
}

/** The bundles' inputs: sources, this script, the lockfiles of every tree bundled from, and the shared constants. */
function inputsHash() {
  const hash = createHash('sha256');
  const files = [
    ...listFiles(srcDir).sort(),
    fileURLToPath(import.meta.url),
    join(root, 'package-lock.json'),
    ...Object.keys(LINES).map((line) => join(root, 'lines', line, 'package-lock.json')),
    join(root, '..', 'core', 'src', 'constants.ts'),
  ];
  for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.update(`${process.platform}-${process.arch}${minify ? '' : '-unminified'}`).digest('hex');
}

const inputs = inputsHash();
if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === inputs && existsSync(join(outDir, 'autoinstrumentation.js'))) {
  console.log(`Preload build up to date (${inputs.slice(0, 12)}) in ${relative(process.cwd(), outDir)}`);
  process.exit(0);
}
// Removed first: an interrupted build must not leave a stamp that vouches for half the files.
rmSync(stampFile, { force: true });

const esbuild = await import('esbuild');
const isBuiltin = (name) => name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);

/**
 * Our sources import OpenTelemetry packages by name; resolve them from the line being built. For the CommonJS SDK
 * bundle, resolve as `require` does: dual packages' ESM builds use import.meta, which a CommonJS bundle lacks.
 */
function otelLinePlugin(lineDir, { asRequire }) {
  const iitmIndex = join(lineDir, 'node_modules', 'import-in-the-middle', 'index.js');
  return {
    name: 'otel-line',
    setup(build) {
      // Our lazy instrumentations read the same registry as import-in-the-middle (before the rule for bare names).
      build.onResolve({ filter: /^import-in-the-middle\/lib\/register\.js$/ }, (args) =>
        args.importer.startsWith(srcDir) ? { path: './lib/register.js', external: true } : undefined,
      );
      // The line's instrumentation catalogue (see instrumentationCatalogue): its require() calls resolve from the line.
      build.onResolve({ filter: new RegExp(`^${CATALOGUE_MODULE}$`) }, () => ({ path: CATALOGUE_MODULE, namespace: 'catalogue' }));
      build.onLoad({ filter: /.*/, namespace: 'catalogue' }, () => ({ contents: catalogueSources.get(lineDir), resolveDir: lineDir, loader: 'js' }));
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'otel-line' || !args.importer.startsWith(srcDir) || isBuiltin(args.path)) return undefined;
        const result = await build.resolve(args.path, { kind: asRequire ? 'require-call' : args.kind, resolveDir: lineDir, pluginData: 'otel-line' });
        if (result.errors.length > 0) return { errors: result.errors };
        return { path: result.path, external: result.external, sideEffects: result.sideEffects };
      });
      // import-in-the-middle's registry must be the very file the hook's wrappers import (lib/register.js).
      build.onResolve({ filter: /^\.\/lib\/register(\.js)?$/ }, (args) =>
        args.importer === iitmIndex ? { path: './lib/register.js', external: true } : undefined,
      );
    },
  };
}

const CATALOGUE_MODULE = 'xray-operator:instrumentation-catalogue';

/** otlp-transformer's metric serializers are never called by a traces-only preload (see src/stubs/no-metrics.ts). */
const noMetricsPlugin = {
  name: 'no-metrics',
  setup(build) {
    build.onResolve({ filter: /^@opentelemetry\/sdk-metrics$/ }, (args) =>
      /[\\/]@opentelemetry[\\/]otlp-transformer[\\/]/.test(args.importer) ? { path: join(srcDir, 'stubs', 'no-metrics.ts') } : undefined,
    );
  },
};

/**
 * Every instrumentation the line's auto-instrumentations-node ships (but the metric-only ones) plus @fastify/otel: its
 * name for OTEL_NODE_*_INSTRUMENTATIONS, the modules it patches and its class. Read by constructing each one in a
 * child process at build time, so the preload knows which module loads which instrumentation without constructing
 * any of them (src/preload/lazy-instrumentations.ts).
 */
function instrumentationCatalogue(lineDir) {
  const script = `
    const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
    const { FastifyOtelInstrumentation } = require('@fastify/otel');
    const all = getNodeAutoInstrumentations({
      '@opentelemetry/instrumentation-fs': { enabled: true },
      '@opentelemetry/instrumentation-host-metrics': { enabled: false },
      '@opentelemetry/instrumentation-runtime-node': { enabled: false },
    });
    all.push(new FastifyOtelInstrumentation());
    const entries = all.map((instrumentation) => {
      const pkg = instrumentation.instrumentationName;
      const exports = require(pkg);
      const className = Object.keys(exports).find((key) => exports[key] === instrumentation.constructor);
      if (!className) throw new Error(pkg + ' does not export the class of its instrumentation');
      const modules = [...new Set(instrumentation.getModuleDefinitions().map((definition) => definition.name))];
      return { pkg, className, modules };
    });
    process.stdout.write(JSON.stringify(entries));
  `;
  const env = { PATH: process.env.PATH };
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: lineDir, env, encoding: 'utf8' }));
}

/**
 * Packages the instrumentations share with sdk.js, so a chunk carries none of their code: one @opentelemetry/api and
 * one @opentelemetry/instrumentation (its require hook is a singleton) for all. A chunk whose package resolves one of
 * them to another copy (a nested version) bundles that copy, as before. The exporter and SDK packages are for the
 * optional chunks.
 */
const SHARED_PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/instrumentation',
  '@opentelemetry/semantic-conventions',
  'import-in-the-middle',
  'require-in-the-middle',
  '@opentelemetry/resources',
  '@opentelemetry/otlp-exporter-base',
  '@opentelemetry/otlp-exporter-base/node-http',
];
/**
 * Packages only some settings use, as chunks too (module.exports is the package): the B3 propagator (OTEL_PROPAGATORS
 * b3/b3multi), the OTLP JSON exporter (http/json) and the AWS resource detectors (OTEL_NODE_RESOURCE_DETECTORS aws or
 * all; their EKS detector alone loads Node.js's https and tls, ~4 MiB of RSS in every app otherwise).
 * src/preload/optional-modules.ts names them.
 */
const OPTIONAL_PACKAGES = ['@opentelemetry/propagator-b3', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resource-detector-aws'];
const SHARED_PREFIX = 'xray-operator-shared:';
const CHUNKS_FILE = 'instrumentations.chunks';

/**
 * One CommonJS chunk per source (an instrumentation's class, or an optional package, as module.exports), for the
 * preload to compile when it constructs that instrumentation or setting: V8 keeps memory for all the source it
 * compiles at start (~9 MiB per MiB, measured), and the instrumentations are about half of the line's code. Requires of the shared packages are left as
 * `require("xray-operator-shared:<name>")`, answered by sdk.js (src/preload/chunks.ts).
 */
async function buildChunks(lineDir, target, sources) {
  const sharedPaths = new Map();
  const sharedPlugin = {
    name: 'shared',
    setup(build) {
      const filter = new RegExp(`^(?:${SHARED_PACKAGES.map((name) => name.replace(/[/.-]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'shared') return undefined;
        const resolve = (resolveDir) => build.resolve(args.path, { kind: 'require-call', resolveDir, pluginData: 'shared' }).then((result) => result.path);
        if (!sharedPaths.has(args.path)) sharedPaths.set(args.path, await resolve(lineDir));
        return (await resolve(args.resolveDir)) === sharedPaths.get(args.path) ? { path: `${SHARED_PREFIX}${args.path}`, external: true } : undefined;
      });
    },
  };
  const chunks = [];
  for (const { pkg, contents } of sources) {
    const result = await esbuild.build({
      ...common,
      stdin: { contents, resolveDir: lineDir, sourcefile: pkg },
      format: 'cjs',
      target,
      write: false,
      plugins: [sharedPlugin, noMetricsPlugin],
    });
    chunks.push(Buffer.from(result.outputFiles[0].contents));
  }
  return chunks;
}

/** The catalogue module sdk.js imports: each entry's chunk as [offset, length] in CHUNKS_FILE, and the shared packages. */
function catalogueSource(catalogue, offsets, optionalOffsets) {
  const entries = catalogue.map(({ pkg, modules }, index) =>
    `  { pkg: ${JSON.stringify(pkg)}, modules: ${JSON.stringify(modules)}, chunk: ${JSON.stringify(offsets[index])} },`);
  const shared = SHARED_PACKAGES.map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`);
  return [
    `exports.chunksFile = ${JSON.stringify(`../${CHUNKS_FILE}`)};`,
    `exports.sharedPrefix = ${JSON.stringify(SHARED_PREFIX)};`,
    `exports.shared = {\n${shared.join('\n')}\n};`,
    `exports.entries = [\n${entries.join('\n')}\n];`,
    `exports.optional = ${JSON.stringify(Object.fromEntries(OPTIONAL_PACKAGES.map((pkg, index) => [pkg, optionalOffsets[index]])))};`,
    '',
  ].join('\n');
}

// tsconfigRaw: tsconfig.json maps @opentelemetry/* to one line for type checking; the bundles must not follow it.
// conditions: [] drops esbuild's implicit `module` export condition, so packages resolve to the CommonJS builds
// upstream runs: with their ESM builds (@opentelemetry/api, core, sdk-trace…) every `api.context`/`api.trace`
// access from CommonJS code went through two getter calls (esbuild's ESM namespace + its CommonJS interop).
// No keepNames: it wraps every named function expression in a `__name()` defineProperty call, also the closures
// the context manager creates for each listener on each request. Minified class names only show in diag messages.
const common = { tsconfigRaw: {}, conditions: [], bundle: true, platform: 'node', minify, logLevel: 'warning', legalComments: 'eof' };

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

await esbuild.build({
  ...common,
  entryPoints: [join(srcDir, 'loader.ts')],
  outfile: join(outDir, 'autoinstrumentation.js'),
  format: 'cjs',
  // Parsed by whatever Node.js the app runs, supported or not: it must only say "not supported" there.
  target: 'node8',
  minify: false,
});

// One signing chunk for both lines (it uses no OpenTelemetry), for the oldest runtime either line supports. Its name
// is SIGNING_CHUNK in src/aws-signing/types.ts.
await esbuild.build({
  ...common,
  entryPoints: [join(srcDir, 'aws-signing', 'index.ts')],
  outfile: join(outDir, 'aws-signing.js'),
  format: 'cjs',
  target: LINES.legacy,
  // The SDK's nested STS client (IRSA) warns on Node.js < 22 about its own future versions: versions of ours that the
  // app did not choose, in the app's log. Switched off in this bundle only; the app's own SDK still reads the variable.
  define: { 'process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED': '"true"' },
});

const SEMCONV = '@opentelemetry/semantic-conventions';

/**
 * sdk.js serves @opentelemetry/semantic-conventions to itself and to every chunk, and the package is 83 kB of
 * minified code building ~660 exports at start (a fifth of sdk.js), of which the bundled code names few. `mode`
 * `external` leaves it out (to find the names sdk.js uses); `slim` replaces the line's copy with a module of only
 * `names`, with the values the package gives them (strings, numbers, enum objects, and the `(key) => ...` attribute
 * name builders, which close over nothing). Packages that resolve another copy keep it.
 */
function semconvPlugin(lineDir, mode, names = []) {
  const lineRequire = createRequire(join(lineDir, 'package.json'));
  const linePath = lineRequire.resolve(SEMCONV);
  return {
    name: 'semconv',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${SEMCONV.replace(/[/.-]/g, '\\$&')}$`) }, async (args) => {
        if (args.pluginData === 'semconv') return undefined;
        const kind = 'require-call';
        const resolved = await build.resolve(args.path, { kind, resolveDir: args.resolveDir, pluginData: 'semconv' });
        if (resolved.path !== linePath && !args.importer.startsWith(srcDir)) return undefined;
        return mode === 'external' ? { path: SEMCONV, external: true } : { path: SEMCONV, namespace: 'semconv-slim' };
      });
      build.onLoad({ filter: /.*/, namespace: 'semconv-slim' }, () => {
        const full = lineRequire(SEMCONV);
        const exports = names.map((name) => {
          const value = full[name];
          const text = typeof value === 'function' ? String(value) : JSON.stringify(value);
          if (text === undefined || (typeof value === 'function' && !/^\(\w+\) => `[^`]*`$/.test(text))) throw new Error(`${SEMCONV}: cannot copy ${name}`);
          return `exports.${name} = ${text};`;
        });
        return { contents: exports.join('\n'), loader: 'js' };
      });
    },
  };
}

/** The semantic-conventions exports that appear as names in `texts` (property names survive minification). */
function semconvNamesIn(lineDir, texts) {
  const tokens = new Set();
  for (const text of texts) for (const [token] of text.matchAll(/[A-Za-z_$][\w$]*/g)) tokens.add(token);
  return Object.keys(createRequire(join(lineDir, 'package.json'))(SEMCONV)).filter((name) => tokens.has(name)).sort();
}

// Both lines' instrumentation chunks in one file (the image stays within 10 files); each line's catalogue has offsets.
const catalogueSources = new Map();
const chunkTexts = new Map();
const chunkParts = [];
let chunkBytes = 0;
for (const [line, target] of Object.entries(LINES)) {
  const lineDir = join(root, 'lines', line);
  const catalogue = instrumentationCatalogue(lineDir);
  const sources = [
    ...catalogue.map(({ pkg, className }) => ({ pkg, contents: `module.exports = require(${JSON.stringify(pkg)}).${className};` })),
    ...OPTIONAL_PACKAGES.map((pkg) => ({ pkg, contents: `module.exports = require(${JSON.stringify(pkg)});` })),
  ];
  const offsets = [];
  const chunks = await buildChunks(lineDir, target, sources);
  chunkTexts.set(lineDir, chunks.map((chunk) => chunk.toString('utf8')));
  for (const chunk of chunks) {
    offsets.push([chunkBytes, chunk.length]);
    chunkParts.push(chunk);
    chunkBytes += chunk.length;
  }
  catalogueSources.set(lineDir, catalogueSource(catalogue, offsets.slice(0, catalogue.length), offsets.slice(catalogue.length)));
}
writeFileSync(join(outDir, CHUNKS_FILE), Buffer.concat(chunkParts));

for (const [line, target] of Object.entries(LINES)) {
  const lineDir = join(root, 'lines', line);
  const lineOut = join(outDir, line);
  const sdk = { ...common, entryPoints: [join(srcDir, 'preload', 'index.ts')], outfile: join(lineOut, 'sdk.js'), format: 'cjs', target };
  // Built twice: without semantic-conventions, to see which of its names sdk.js and the chunks use; then with those.
  const probe = await esbuild.build({ ...sdk, write: false, plugins: [semconvPlugin(lineDir, 'external'), noMetricsPlugin, otelLinePlugin(lineDir, { asRequire: true })] });
  const semconvNames = semconvNamesIn(lineDir, [probe.outputFiles[0].text, ...chunkTexts.get(lineDir)]);
  await esbuild.build({ ...sdk, plugins: [semconvPlugin(lineDir, 'slim', semconvNames), noMetricsPlugin, otelLinePlugin(lineDir, { asRequire: true })] });
  await esbuild.build({
    ...common,
    entryPoints: [join(srcDir, 'esm-hook.mjs')],
    outfile: join(lineOut, 'hook.mjs'),
    format: 'esm',
    target,
    plugins: [noMetricsPlugin, otelLinePlugin(lineDir, { asRequire: false })],
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __xoCreateRequire } from 'node:module'; const require = __xoCreateRequire(import.meta.url);" },
  });
  mkdirSync(join(lineOut, 'lib'), { recursive: true });
  copyFileSync(join(lineDir, 'node_modules', 'import-in-the-middle', 'lib', 'register.js'), join(lineOut, 'lib', 'register.js'));
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
const files = listFiles(outDir);
const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
for (const file of files) console.log(`${String(statSync(file).size).padStart(10)}  ${relative(outDir, file)}`);
console.log(`Built ${files.length} files, ${(bytes / 1024 / 1024).toFixed(2)} MiB in ${relative(process.cwd(), outDir)}`);
writeFileSync(stampFile, `${inputs}\n`);
