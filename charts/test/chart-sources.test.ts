// The chart's copies agree with their sources of truth: the CRDs in crds/ and the package version.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const repoFile = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const yamlFiles = (dir: string): string[] => readdirSync(repoFile(dir)).filter((file) => file.endsWith('.yaml')).sort();

describe('the chart sources', () => {
  it('ships an exact copy of every CRD in crds/ (npm run gen:crd writes both; charts/sync-crds.sh copies)', () => {
    const sources = yamlFiles('crds');
    expect(sources.length).toBeGreaterThan(0);
    expect(yamlFiles('charts/xray-operator/files/crds')).toEqual(sources);
    for (const file of sources) {
      const copy = readFileSync(repoFile(`charts/xray-operator/files/crds/${file}`), 'utf8');
      expect(copy === readFileSync(repoFile(`crds/${file}`), 'utf8'), `charts/xray-operator/files/crds/${file} differs from crds/${file}: run charts/sync-crds.sh`).toBe(true);
    }
  });

  it('gives the chart the npm package version as appVersion, so the default image tag is the release', () => {
    const chart = yaml.load(readFileSync(repoFile('charts/xray-operator/Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
  });

  it('documents every value of values.yaml in the docs/install.md values table', () => {
    const values = yaml.load(readFileSync(repoFile('charts/xray-operator/values.yaml'), 'utf8')) as Record<string, unknown>;
    const documented = new Set([...readFileSync(repoFile('docs/install.md'), 'utf8').matchAll(/^\| `([\w.]+)` \|/gm)].map((match) => match[1]));
    const leafPaths = (value: unknown, path: string): string[] =>
      typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
        ? Object.entries(value).flatMap(([key, child]) => leafPaths(child, path ? `${path}.${key}` : key))
        : [path];
    // A row may document a whole map (`resources`, `webhook.namespaceSelector`).
    const undocumented = leafPaths(values, '').filter((path) => !path.split('.').some((_, index, parts) => documented.has(parts.slice(0, index + 1).join('.'))));
    expect(undocumented).toEqual([]);
  });
});
