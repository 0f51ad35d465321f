// /autoinstrumentation/autoinstrumentation.js: the CommonJS file every app `--require`s through NODE_OPTIONS.
// It must parse and run on any Node.js version and never throw into the app: it picks the bundle built for
// this runtime, starts it, and on anything unexpected prints one line to stderr and leaves the app alone.
import { Env } from '../../core/src/constants.js';
import { writeLine as warn } from './log.js';
import { parseNodeVersion, selectOtelLine, SUPPORTED_RANGE } from './runtime.js';
import type { PreloadStart } from './preload/index.js';

const LOADED = Symbol.for('xray-operator.preload.loaded');
/**
 * `npm start` & co. run the package manager itself under the same NODE_OPTIONS; it then starts the app as a child
 * process, which is the one to trace.
 */
const PACKAGE_MANAGER_MAIN = /[\\/](?:npm|npx|npm-cli|npx-cli|yarn|pnpm|corepack)(?:\.c?js)?$/;

function load(): void {
  const registry = globalThis as Record<symbol, unknown>;
  if (registry[LOADED]) return;
  registry[LOADED] = true;
  if ((process.env[Env.sdkDisabled] ?? '').trim().toLowerCase() === 'true') return;
  // NODE_OPTIONS also reaches worker threads, including the one Node runs off-thread ESM loader hooks in: trace the
  // main thread only.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- worker_threads exists on every Node.js we start on
  if (!(require('worker_threads') as { isMainThread: boolean }).isMainThread) return;

  if (PACKAGE_MANAGER_MAIN.test(process.argv[1] ?? '')) return;

  const version = parseNodeVersion(process.versions.node);
  const line = version && selectOtelLine(version);
  if (!line) {
    warn(`Tracing is off: Node.js v${process.versions.node} is not supported (needs ${SUPPORTED_RANGE})`);
    return;
  }
  const lineDir = `${__dirname}/${line}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is chosen at run time
  const sdk = require(`${lineDir}/sdk.js`) as { start: PreloadStart };
  sdk.start({ line, lineDir, env: process.env, mainPath: process.argv[1] });
}

try {
  load();
} catch (error) {
  warn(`Tracing is off: the preload failed to start: ${error instanceof Error ? error.message : String(error)}`);
}
