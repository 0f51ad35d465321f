// ESM support: instrumentations patch ES modules through import-in-the-middle's loader hook, which must be
// registered before the app's main module loads. Registering it costs a loader round-trip per import (and, for the
// off-thread hook, a worker thread), so it is only done when the main module is or may be an ES module.
import { existsSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';
import type { EsmHookMode } from './config.js';

export type EsmHookState = 'sync' | 'async' | 'off' | 'unavailable';

interface PackageScope {
  readonly type: string | undefined;
}

function nearestPackageScope(file: string): PackageScope | undefined {
  let dir = dirname(file);
  for (let depth = 0; depth < 64; depth++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { type?: unknown };
        return { type: typeof parsed.type === 'string' ? parsed.type : undefined };
      } catch {
        return { type: undefined };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s+(?:\{|\*|default|const|let|var|function|class|async))/m;

/**
 * `.mjs`/`.mts` → ESM; `.cjs`/`.cts` → CommonJS; otherwise the nearest package.json `type` decides, and without one
 * Node (22.7+ by default) runs a `.js` with import/export syntax as ESM, which we detect the same way.
 */
export function mainMayBeEsm(mainPath: string | undefined): boolean {
  if (!mainPath) return false;
  const ext = extname(mainPath);
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext === '.cjs' || ext === '.cts') return false;
  const scope = nearestPackageScope(mainPath);
  if (scope?.type === 'module') return true;
  if (scope?.type === 'commonjs') return false;
  try {
    return ESM_SYNTAX.test(readFileSync(mainPath, 'utf8'));
  } catch {
    return false;
  }
}

/** `http` is imported as `http` or `node:http`; the hook matches specifiers literally. */
export function hookedSpecifiers(moduleNames: readonly string[]): string[] {
  const specifiers = new Set<string>();
  for (const name of moduleNames) {
    specifiers.add(name);
    if (!name.startsWith('node:') && nodeModule.isBuiltin(name)) specifiers.add(`node:${name}`);
  }
  return [...specifiers];
}

interface HookModule {
  registerSync(options: { include: string[] }): void;
}

/**
 * In-thread `module.registerHooks` where import-in-the-middle supports it (Node >= 22.22.3 / 24.11.1), else the
 * off-thread `module.register` (Node 18.19+ / 20.6+). Both hooks only wrap the modules instrumentations asked for.
 */
export function registerEsmHook(
  mode: EsmHookMode,
  mainPath: string | undefined,
  lineDir: string,
  moduleNames: readonly string[],
): EsmHookState {
  if (mode === 'never' || (mode === 'auto' && !mainMayBeEsm(mainPath))) return 'off';
  if (typeof nodeModule.register !== 'function') return 'unavailable';
  const hookFile = join(lineDir, 'hook.mjs');
  const include = hookedSpecifiers(moduleNames);
  if (supportsSyncHooks()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- require(esm) works wherever sync hooks do
    const hook = require(hookFile) as HookModule;
    hook.registerSync({ include });
    return 'sync';
  }
  nodeModule.register(pathToFileURL(hookFile).href, { data: { include } });
  return 'async';
}
