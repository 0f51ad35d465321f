// Table-driven fixtures: every directory under testdata/ is a case (see testdata/README.md for the file layout).
// UPDATE_FIXTURES=1 rewrites expected.yaml / expected-outcome.yaml from the engine's output; read every diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { V1EnvVar } from '@kubernetes/client-node';
import { renderCollectorConfigYaml } from '../collector/render.js';
import type { StaticClusterView } from '../cluster-view/static-view.js';
import { COLLECTOR_CONFIG_ENV, InjectedNames } from '../constants.js';
import { referencedNames } from './env-order.js';
import { restrictedProfileViolations } from './restricted-profile.js';
import { caseNames, inject, loadCase, podSpecOf, resolve } from './testing/fixture-cases.js';
import type { InjectionOutcome, V1PodLike } from './types.js';

const UPDATE = process.env.UPDATE_FIXTURES === '1';
const RENDERED_CONFIG_PLACEHOLDER = '<renderCollectorConfigYaml(spec)>';

/** Checks the sidecar carries the renderer's config for the case's spec and swaps it for a placeholder. */
function withConfigPlaceholder(object: unknown, outcome: InjectionOutcome, view: StaticClusterView, namespace: string): unknown {
  const copy = structuredClone(object);
  const spec = podSpecOf(copy);
  const sidecar = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].find((c) => c.name === InjectedNames.sidecarContainer);
  const entry = sidecar?.env?.find((e) => e.name === COLLECTOR_CONFIG_ENV);
  // Inputs of already-injected cases carry the placeholder themselves.
  if (entry && entry.value !== RENDERED_CONFIG_PLACEHOLDER && outcome.action === 'injected') {
    const tracing = view.listXRayTracings(namespace).find((t) => t.metadata.name === outcome.tracingName);
    expect(tracing, 'the XRayTracing named in the outcome').toBeDefined();
    expect(entry.value).toBe(renderCollectorConfigYaml(resolve(tracing!)));
    entry.value = RENDERED_CONFIG_PLACEHOLDER;
  }
  return copy;
}

/** `$(VAR)` references to variables of the same container must point at earlier entries, or kubelet leaves them raw. */
function forwardReferences(env: readonly V1EnvVar[]): string[] {
  const defined = new Set(env.map((e) => e.name));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const entry of env) {
    for (const name of referencedNames(entry.value)) {
      if (defined.has(name) && !seen.has(name)) problems.push(`${entry.name} refers to ${name} defined later`);
    }
    seen.add(entry.name);
  }
  return problems;
}

function expectedOutcomeOf(outcome: InjectionOutcome): Record<string, unknown> {
  if (outcome.action === 'injected') return { action: outcome.action, tracingName: outcome.tracingName, configHash: outcome.configHash, warnings: outcome.warnings };
  return { action: outcome.action, reason: outcome.reason, warnings: outcome.warnings, ...(outcome.missingTracing ? { missingTracing: true } : {}) };
}

function compareOrUpdate(dir: string, file: string, actual: unknown): void {
  const path = join(dir, file);
  if (UPDATE) writeFileSync(path, yaml.dump(actual, { lineWidth: -1, noRefs: true }));
  expect(actual).toEqual(yaml.load(readFileSync(path, 'utf8')));
}

const cases = caseNames();

describe('injection fixtures', () => {
  it.each(cases)('%s: injects exactly the expected object', (name) => {
    const { dir, input, view, namespace } = loadCase(name);
    const { object, outcome } = inject(input, namespace, view);
    compareOrUpdate(dir, 'expected-outcome.yaml', expectedOutcomeOf(outcome));
    compareOrUpdate(dir, 'expected.yaml', withConfigPlaceholder(object, outcome, view, namespace));
  });

  it.each(cases)('%s: never mutates its input', (name) => {
    const { input, view, namespace } = loadCase(name);
    const before = structuredClone(input);
    inject(input, namespace, view);
    expect(input).toEqual(before);
  });

  it.each(cases)('%s: injecting the result again changes nothing', (name) => {
    const { input, view, namespace } = loadCase(name);
    const once = inject(input, namespace, view).object;
    const twice = inject(once as V1PodLike, namespace, view);
    expect(twice.outcome.action).toBe('unchanged');
    expect(twice.object).toEqual(once);
  });

  it.each(cases)('%s: keeps a restricted-compliant pod compliant', (name) => {
    const { input, view, namespace } = loadCase(name);
    const spec = podSpecOf(input);
    if (!spec || restrictedProfileViolations(spec).length) return;
    expect(restrictedProfileViolations(podSpecOf(inject(input, namespace, view).object)!)).toEqual([]);
  });

  it('has restricted-compliant inputs, so the compliance check above is exercised', () => {
    const compliant = cases.filter((name) => {
      const spec = podSpecOf(loadCase(name).input);
      return spec !== undefined && restrictedProfileViolations(spec).length === 0;
    });
    expect(compliant).toContain('restricted-pod');
  });

  it.each(cases)('%s: every $(VAR) reference in container env points at an earlier entry', (name) => {
    const { input, view, namespace } = loadCase(name);
    const spec = podSpecOf(inject(input, namespace, view).object);
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    expect(containers.flatMap((c) => forwardReferences(c.env ?? []))).toEqual([]);
  });

  it.each(cases)('%s: container names stay unique', (name) => {
    const { input, view, namespace } = loadCase(name);
    const spec = podSpecOf(inject(input, namespace, view).object);
    const names = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
