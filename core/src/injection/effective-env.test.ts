// What the process in each instrumented container really sees, before and after injection: kubelet's env rules are
// replayed on both, and the resulting NODE_OPTIONS is given to a real `node`, which must load the preload and start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { V1Container } from '@kubernetes/client-node';
import { Env, InjectedNames, NODE_OPTIONS_PRELOAD, PRELOAD_PATH, SAMPLING_NAMESPACE_ATTRIBUTE } from '../constants.js';
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

/**
 * One entry as the OTel JS SDK reads OTEL_RESOURCE_ATTRIBUTES (@opentelemetry/resources env detector): split on `=`,
 * trimmed, percent-decoded; an entry with other than one `=`, an empty key, a bad escape or a key or value over 255
 * UTF-16 code units after decoding is an error, and one error makes the SDK drop every attribute.
 */
function sdkEntry(entry: string): [string, string] | string {
  const parts = entry.split('=');
  if (parts.length !== 2) return `entry "${entry}" has ${parts.length - 1} "="`;
  try {
    const [key, value] = parts.map((part) => decodeURIComponent(part.trim())) as [string, string];
    if (key === '' || key.length > 255 || value.length > 255) return `entry "${entry.slice(0, 40)}…" breaks the length limits`;
    return [key, value];
  } catch {
    return `entry "${entry}" has a bad escape`;
  }
}

const entriesOf = (value: string): string[] => value.split(',').filter((e) => e.trim() !== '');

/** The attributes the SDK takes from the value; every entry must be one it accepts. */
function parseAttributes(value: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const entry of entriesOf(value)) {
    const parsed = sdkEntry(entry);
    expect(parsed, `entry "${entry}"`).toBeInstanceOf(Array);
    if (Array.isArray(parsed)) attributes.set(...parsed);
  }
  return attributes;
}

/** The entries of a user's value the SDK would accept on their own (it drops them all if one is bad). */
function acceptableAttributes(value: string): Map<string, string> {
  return new Map(entriesOf(value).map(sdkEntry).filter((parsed) => Array.isArray(parsed)));
}

const cases = caseNames();

describe('environment the instrumented process sees', () => {
  it.each(cases)('%s: every variable the user set keeps its value, but the namespace the sampler scopes by is the pod\'s; NODE_OPTIONS and attributes are extended', (name) => {
    // Attributes: every entry of the user's the SDK accepts is kept, and the SDK accepts every entry of the result.
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
      const userAttributes = acceptableAttributes(before.get(Env.resourceAttributes) ?? '');
      const attributes = parseAttributes(after.get(Env.resourceAttributes) ?? '');
      for (const [key, value] of userAttributes) if (key !== SAMPLING_NAMESPACE_ATTRIBUTE) expect(attributes.get(key), key).toBe(value);
      if (attributes.has(SAMPLING_NAMESPACE_ATTRIBUTE)) expect(attributes.get(SAMPLING_NAMESPACE_ATTRIBUTE)).toBe(loadCase(name).namespace);
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
    expect(checked).toEqual(
      expect.arrayContaining(['node-options-valuefrom-secret', 'node-options-envfrom-configmap', 'env-reference-order', 'resource-attributes-over-limit']),
    );
  });
});

describe('kubelet expansion stand-in', () => {
  it('expands defined references, keeps undefined ones and unescapes $$', () => {
    const defined = new Map([['A', 'x']]);
    expect(expand('$(A)-$(B)-$$(A)-$x-$', defined)).toBe('x-$(B)-$(A)-$x-$');
  });
});
