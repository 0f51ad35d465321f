// Where the tests find the built preload, the test apps and the extra Node.js runtimes.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InstrumentationImagePaths } from '../../../core/src/constants.js';

export const IMAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD_DIR = join(IMAGE_ROOT, 'build', 'autoinstrumentation');
export const LOADER_PATH = join(BUILD_DIR, InstrumentationImagePaths.loaderFile);
export const APPS_DIR = join(IMAGE_ROOT, 'test', 'apps');
export const NODE_VERSIONS_DIR = join(IMAGE_ROOT, '.node-versions');

/** Fails with what to run instead of a confusing error deep inside a child process. */
export function requireBuild(): string {
  const missing = [LOADER_PATH, join(APPS_DIR, 'node_modules')].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`The preload build is missing (${missing.join(', ')}): run \`npm run build:instrumentation\` first`);
  }
  return LOADER_PATH;
}

/** Node.js binaries the build installed from npm (node-<platform>-<arch>@<version>), keyed by version spec. */
export function extraNodeBinary(version: string): string | undefined {
  const binary = join(NODE_VERSIONS_DIR, version, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  return existsSync(binary) ? binary : undefined;
}
