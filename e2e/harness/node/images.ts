// The image archives e2e/images/build.sh made for this checkout (NAME=ARCHIVE lines in the cache's index).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../binaries.js';
import { repoRoot } from '../paths.js';

export const E2E_IMAGES = {
  operator: 'ghcr.io/xray-operator/xray-operator:e2e',
  instrumentation: 'ghcr.io/xray-operator/nodejs-instrumentation:e2e',
  checkoutNode20: 'docker.io/xray-operator-e2e/checkout:node20',
  checkoutNode22: 'docker.io/xray-operator-e2e/checkout:node22',
} as const;

/** The collector image's name for a collector version (scripts/e2e/versions.env). */
export const collectorImage = (otelcolVersion: string): string => `docker.io/xray-operator-e2e/otelcol:${otelcolVersion}`;

export function imageArchives(): Map<string, string> {
  const checkout = repoRoot.replace(/\/$/, '');
  const index = join(cacheDir(), 'images', `index-${createHash('sha256').update(checkout).digest('hex').slice(0, 16)}.env`);
  if (!existsSync(index)) throw new Error(`No image index ${index} (run e2e/images/build.sh, part of scripts/e2e/prepare.sh)`);
  const archives = new Map<string, string>();
  for (const line of readFileSync(index, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) archives.set(line.slice(0, at), line.slice(at + 1));
  }
  for (const [name, archive] of archives) {
    if (!existsSync(archive)) throw new Error(`Image archive of ${name} is missing: ${archive} (run e2e/images/build.sh)`);
  }
  return archives;
}
