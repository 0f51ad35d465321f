// What the process in each instrumented container really sees, before and after injection: kubelet's env rules are
// replayed on both, and the resulting NODE_OPTIONS is given to a real `node`, which must load the preload and start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { V1Container } from '@kubernetes/client-node';
import { Env, InjectedNames, NODE_OPTIONS_PRELOAD, PRELOAD_PATH } from '../constants.js';
import { caseNames, inject, loadCase, podSpecOf } from './testing/fixture-cases.js';
import { referencedNames } from './env-order.js';
import { effectiveEnv, expand, type ValueSources } from './testing/kubelet-env.js';

/** What the fixtures' Secrets hold, as far as these tests imagine them. */
const SECRETS: Record<string, Record<string, string>> = {
  'runtime-secrets': { 'node-options': '--enable-source-maps' },
  'app-secrets': { API_KEY: 'k' },
  'db-credentials': { PASSWORD: 'p' },
};

const workDir = mkdtempSync(join(tmpdir(), 'xo-preload-'));
const preloadStandIn = join(workDir, 'preload.cjs');
writeFileSync(preloadStandIn, "process.stdout.write('preloaded;');\n");
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function instrumentedPairs(name: string) {
  const { input, view, namespace } = loadCase(name);
  const { object, outcome } = inject(input, namespace, view);
  const sources: ValueSources = {
    configMap: (cm) => view.getConfigMap(namespace, cm),
    secret: (secret) => SECRETS[secret],
    field: (path) => `field-${path.replace(/\W/g, '-')}`,
  };
  const all = (spec: ReturnType<typeof podSpecOf>): V1Container[] => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const before = new Map(all(podSpecOf(input)).map((c) => [c.name, c]));
  const pairs = all(podSpecOf(object))
    .filter((c) => (c.volumeMounts ?? []).some((m) => m.name === InjectedNames.volume && m.readOnly))
    .map((after) => ({ name: after.name, before: effectiveEnv(before.get(after.name) ?? after, sources), after: effectiveEnv(after, sources) }));
  return { outcome, pairs: outcome.action === 'injected' && !outcome.warnings.some((w) => w.includes('may set')) ? pairs : [] };
}

/** The SDK's OTEL_RESOURCE_ATTRIBUTES rules: one bad entry and it drops them all. */
function parseAttributes(value: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const entry of value.split(',').filter((e) => e.trim() !== '')) {
    const parts = entry.split('=');
    expect(parts, `entry "${entry}"`).toHaveLength(2);
    attributes.set(decodeURIComponent(parts[0]!.trim()), decodeURIComponent(parts[1]!.trim()));
  }
  return attributes;
}

const cases = caseNames();

describe('environment the instrumented process sees', () => {
  it.each(cases)('%s: every variable the user set keeps its value; NODE_OPTIONS and attributes are extended', (name) => {
    for (const { before, after } of instrumentedPairs(name).pairs) {
      for (const [key, value] of before) {
        if (key === Env.nodeOptions || key === Env.resourceAttributes) continue;
        // A user value that referred to a variable only the engine defines now resolves: that is the point of ordering.
        const resolvesNow = [...referencedNames(value)].some((ref) => !before.has(ref) && after.has(ref));
        if (resolvesNow) expect(after.get(key), key).toBe(expand(value, after));
        else expect(after.get(key), key).toBe(value);
      }
      const userOptions = before.get(Env.nodeOptions);
      const expectedOptions = !userOptions ? NODE_OPTIONS_PRELOAD : userOptions.includes(NODE_OPTIONS_PRELOAD) ? userOptions : `${userOptions} ${NODE_OPTIONS_PRELOAD}`;
      expect(after.get(Env.nodeOptions)).toBe(expectedOptions);
      const userAttributes = parseAttributes(before.get(Env.resourceAttributes) ?? '');
      const attributes = parseAttributes(after.get(Env.resourceAttributes) ?? '');
      for (const [key, value] of userAttributes) expect(attributes.get(key), key).toBe(value);
    }
  });

  it.each(cases)('%s: no reference to a variable the engine adds is left unexpanded', (name) => {
    for (const { after } of instrumentedPairs(name).pairs) {
      for (const [key, value] of after) expect(value, key).not.toMatch(/\$\((OTEL_|XRAY_OPERATOR_)/);
    }
  });

  it.each(cases)('%s: a real node accepts NODE_OPTIONS and loads the preload first', (name) => {
    for (const { name: container, after } of instrumentedPairs(name).pairs) {
      const nodeOptions = (after.get(Env.nodeOptions) ?? '').replace(PRELOAD_PATH, preloadStandIn);
      const run = spawnSync(process.execPath, ['-e', "process.stdout.write('app')"], {
        env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect({ container, status: run.status, stderr: run.stderr }).toEqual({ container, status: 0, stderr: '' });
      expect(run.stdout).toBe('preloaded;app');
    }
  });

  it('instruments at least one container in most cases, so the checks above bite', () => {
    const checked = cases.filter((name) => instrumentedPairs(name).pairs.length > 0);
    expect(checked.length).toBeGreaterThan(cases.length / 2);
    expect(checked).toEqual(expect.arrayContaining(['node-options-valuefrom-secret', 'node-options-envfrom-configmap', 'env-reference-order']));
  });
});

describe('kubelet expansion stand-in', () => {
  it('expands defined references, keeps undefined ones and unescapes $$', () => {
    const defined = new Map([['A', 'x']]);
    expect(expand('$(A)-$(B)-$$(A)-$x-$', defined)).toBe('x-$(B)-$(A)-$x-$');
  });
});
