import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../api/types.js';
import { Annotations } from '../constants.js';
import { selectTracing } from './opt-in.js';

const tracing = (name: string): XRayTracing => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name, namespace: 'shop' },
  spec: {},
});
const optIn = (value: string) => ({ [Annotations.injectNodejs]: value });

describe('selectTracing', () => {
  const cases: { name: string; pod?: string; workload?: string; ns?: string; tracings: string[]; expected: string }[] = [
    { name: 'nothing annotated → not opted in', tracings: ['default'], expected: 'notOptedIn' },
    { name: 'pod true, one tracing → that one', pod: 'true', tracings: ['main'], expected: 'selected:main' },
    { name: 'pod TRUE is case-insensitive', pod: 'TRUE', tracings: ['main'], expected: 'selected:main' },
    { name: 'namespace true only → selected', ns: 'true', tracings: ['default'], expected: 'selected:default' },
    { name: 'pod false beats namespace true', pod: 'false', ns: 'true', tracings: ['default'], expected: 'optedOut' },
    { name: 'pod true beats namespace false', pod: 'true', ns: 'false', tracings: ['default'], expected: 'selected:default' },
    { name: 'pod name beats namespace true', pod: 'canary', ns: 'true', tracings: ['default', 'canary'], expected: 'selected:canary' },
    { name: 'workload false beats namespace true', workload: 'false', ns: 'true', tracings: ['default'], expected: 'optedOut' },
    { name: 'pod true beats workload false', pod: 'true', workload: 'false', tracings: ['default'], expected: 'selected:default' },
    { name: 'empty pod value falls through to the namespace', pod: ' ', ns: 'canary', tracings: ['canary'], expected: 'selected:canary' },
    { name: 'several with default → default', pod: 'true', tracings: ['a', 'default', 'b'], expected: 'selected:default' },
    { name: 'several without default → ambiguous', pod: 'true', tracings: ['a', 'b'], expected: 'ambiguous' },
    { name: 'true with none → missing default', pod: 'true', tracings: [], expected: 'missing:default' },
    { name: 'unknown name → missing that name', pod: 'payments', tracings: ['default'], expected: 'missing:payments' },
  ];

  it.each(cases)('$name', ({ pod, workload, ns, tracings, expected }) => {
    const result = selectTracing(
      pod === undefined ? undefined : optIn(pod),
      ns === undefined ? undefined : optIn(ns),
      tracings.map(tracing),
      'shop',
      workload === undefined ? undefined : optIn(workload),
    );
    const summary = result.kind === 'selected' ? `selected:${result.tracing.metadata.name}` : result.kind === 'missing' ? `missing:${result.name}` : result.kind;
    expect(summary).toBe(expected);
  });

  it('tells exactly what to apply when the XRayTracing is missing', () => {
    const result = selectTracing(optIn('payments'), undefined, [], 'shop');
    expect(result.kind === 'missing' && result.warning).toContain('no XRayTracing "payments" in namespace "shop"');
    expect(result.kind === 'missing' && result.warning).toContain('"metadata":{"name":"payments","namespace":"shop"}');
    expect(result.kind === 'missing' && result.warning).toContain('kubectl apply -f -');
  });
});
