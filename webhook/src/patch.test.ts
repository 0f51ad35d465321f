import { describe, expect, it } from 'vitest';
import { applyPatch } from 'rfc6902';
import { injectWithView, type V1PodLike } from '../../core/src/injection/index.js';
import { caseNames, loadCase, resolve } from '../../core/src/injection/testing/fixture-cases.js';
import { encodePatch, podPatch } from './patch.js';

const original = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'web-', namespace: 'shop', annotations: { 'a/b': 'x' } as Record<string, string> },
  spec: { containers: [{ name: 'web', env: [{ name: 'A', value: '1' }] }] },
  status: {},
};

describe('podPatch', () => {
  it('escapes annotation keys with a slash and round-trips through another RFC 6902 implementation', () => {
    const mutated = structuredClone(original);
    mutated.metadata.annotations['xray-operator.dev/injected'] = 'default/abc';
    mutated.spec.containers[0]!.env.push({ name: 'B', value: '2' });
    const operations = podPatch(original, mutated);
    expect(operations.map((op) => op.path)).toContain('/metadata/annotations/xray-operator.dev~1injected');
    const patched = structuredClone(original);
    expect(applyPatch(patched, JSON.parse(Buffer.from(encodePatch(operations), 'base64').toString()))).toEqual([null, null]);
    expect(patched).toEqual(mutated);
  });

  it('is empty when nothing changed', () => {
    expect(podPatch(original, structuredClone(original))).toEqual([]);
  });

  it.each([
    ['status', (pod: typeof original) => Object.assign(pod, { status: { phase: 'Running' } })],
    ['metadata.uid', (pod: typeof original) => Object.assign(pod.metadata, { uid: 'x' })],
    ['metadata.namespace', (pod: typeof original) => Object.assign(pod.metadata, { namespace: 'other' })],
    ['kind', (pod: typeof original) => Object.assign(pod, { kind: 'Deployment' })],
  ])('refuses a change to %s, which admission must not make', (_field, change) => {
    const mutated = structuredClone(original);
    change(mutated);
    expect(() => podPatch(original, mutated)).toThrow(/which admission must not change/);
  });
});

describe('podPatch over every injection fixture', () => {
  const podCases = caseNames().filter((name) => {
    const { input } = loadCase(name);
    return (input as { kind?: string }).kind === undefined || (input as { kind?: string }).kind === 'Pod';
  });

  it.each(podCases)('%s: the patch, applied by another RFC 6902 implementation, gives the engine output', (name) => {
    const { input, view, namespace } = loadCase(name);
    const pod = input as V1PodLike;
    const outcome = injectWithView(pod, namespace, view, resolve);
    const patched = structuredClone(pod);
    const operations = JSON.parse(Buffer.from(encodePatch(podPatch(pod, outcome.pod)), 'base64').toString()) as Parameters<typeof applyPatch>[1];
    expect(applyPatch(patched, operations).every((error) => error === null)).toBe(true);
    expect(patched).toEqual(JSON.parse(JSON.stringify(outcome.pod)));
  });
});
