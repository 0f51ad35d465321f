import { describe, expect, it } from 'vitest';
import { applyPatch } from 'rfc6902';
import { create } from 'jsondiffpatch';
import { format } from 'jsondiffpatch/formatters/jsonpatch';
import { injectWithView, type V1PodLike } from '../../core/src/injection/index.js';
import { caseNames, loadCase, resolve } from '../../core/src/injection/testing/fixture-cases.js';
import { encodePatch, podPatch } from './patch.js';
import { cachedResolver, fixture, FIXTURE_NAMES, fixtureView } from './testing/fixtures.js';

/** The library's diff of the whole pod, which podPatch must equal operation for operation. */
const wholePodPatch = (original: object, mutated: object) => format(create({ arrays: { detectMove: false } }).diff(original, mutated) ?? {});

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

describe('podPatch walks the pod, metadata, spec and containers itself', () => {
  const base = () => structuredClone(original) as Record<string, any>;
  const withContainers = (pod: Record<string, any>, change: (containers: any[]) => unknown[]) => ({
    ...pod,
    spec: { ...pod.spec, containers: change(pod.spec.containers) },
  });
  it.each<[string, (pod: Record<string, any>) => Record<string, any>]>([
    ['a field added to the spec', (pod) => ({ ...pod, spec: { ...pod.spec, volumes: [{ name: 'v', emptyDir: {} }] } })],
    ['a field removed from the metadata', (pod) => ({ ...pod, metadata: { ...pod.metadata, annotations: undefined } })],
    ['a field deleted from the metadata', ({ metadata: { annotations: _dropped, ...metadata }, ...pod }) => ({ ...pod, metadata })],
    ['the spec replaced by an array', (pod) => ({ ...pod, spec: [] })],
    ['the metadata replaced by null', (pod) => ({ ...pod, metadata: null })],
    ['a field added to the pod', (pod) => ({ ...pod, extra: { a: 1 } })],
    ['deep copies of every object', (pod) => structuredClone(pod)],
    ['a deep copy with a new env entry', (pod) => {
      const copy = structuredClone(pod);
      copy.spec.containers[0].env.push({ name: 'B', value: '2' });
      return copy;
    }],
    ['a container changed in place', (pod) => withContainers(pod, ([web]) => [{ ...web, env: [...web.env, { name: 'B', value: '2' }], image: 'x' }])],
    ['a container added', (pod) => withContainers(pod, (containers) => [...containers, { name: 'sidecar' }])],
    ['a container removed', (pod) => withContainers(pod, () => [])],
    ['containers swapped', (pod) => withContainers(pod, ([web]) => [{ name: 'other' }, web])],
    ['one container kept, the other moved', (pod) => withContainers(pod, ([web]) => [web, web])],
    ['a container replaced by null', (pod) => withContainers(pod, () => [null])],
    ['a container replaced by a string', (pod) => withContainers(pod, () => ['web'])],
    ['the containers replaced by an object', (pod) => ({ ...pod, spec: { ...pod.spec, containers: { web: {} } } })],
    ['init containers added', (pod) => ({ ...pod, spec: { ...pod.spec, initContainers: [{ name: 'init' }] } })],
  ])('%s: the same operations as the library\'s diff of the whole pod', (_name, change) => {
    const pod = base();
    const mutated = change(pod);
    expect(podPatch(pod, mutated)).toEqual(wholePodPatch(pod, mutated));
  });
});

describe('podPatch walks two containers pair by pair only while they stay in place', () => {
  const twoContainers = () => ({ ...structuredClone(original), spec: { containers: [{ name: 'a', env: [] as object[] }, { name: 'b' }] } });
  it.each<[string, (containers: any[]) => unknown[]]>([
    ['both changed', ([a, b]) => [{ ...a, env: [{ name: 'X', value: '1' }] }, { ...b, image: 'i' }]],
    ['the second changed', ([a, b]) => [a, { ...b, image: 'i' }]],
    ['swapped', ([a, b]) => [b, a]],
    ['the first moved over a changed second', ([a, b]) => [{ ...b, image: 'i' }, a]],
    ['the first kept twice', ([a]) => [a, a]],
  ])('%s: the same operations as the library\'s diff of the whole pod', (_name, change) => {
    const pod = twoContainers();
    const mutated = { ...pod, spec: { containers: change(pod.spec.containers) } };
    expect(podPatch(pod, mutated)).toEqual(wholePodPatch(pod, mutated));
  });
});

describe('podPatch over every webhook fixture of a pod', () => {
  const podFixtures = FIXTURE_NAMES.filter((name) => fixture(name).request.kind.kind === 'Pod' && fixture(name).request.object);

  it.each(podFixtures)('%s: the patch, applied by another RFC 6902 implementation, gives the engine output', (name) => {
    const { request } = fixture(name);
    const pod = request.object as V1PodLike;
    const outcome = injectWithView(pod, request.namespace, fixtureView(), cachedResolver());
    const operations = podPatch(pod, outcome.pod);
    expect(operations).toEqual(wholePodPatch(pod, outcome.pod));
    const patched = structuredClone(pod);
    const decoded = JSON.parse(Buffer.from(encodePatch(operations), 'base64').toString()) as Parameters<typeof applyPatch>[1];
    expect(applyPatch(patched, decoded).every((error) => error === null)).toBe(true);
    expect(patched).toEqual(JSON.parse(JSON.stringify(outcome.pod)));
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

  it.each(podCases)('%s: the same operations as the library\'s diff of the whole pod', (name) => {
    const { input, view, namespace } = loadCase(name);
    const pod = input as V1PodLike;
    const outcome = injectWithView(pod, namespace, view, resolve);
    expect(podPatch(pod, outcome.pod)).toEqual(wholePodPatch(pod, outcome.pod));
  });
});

describe('encodePatch', () => {
  const decode = (patch: string) => Buffer.from(patch, 'base64').toString();
  const podCases = caseNames().filter((name) => [undefined, 'Pod'].includes((loadCase(name).input as { kind?: string }).kind));

  it.each(podCases)('%s: the text JSON.stringify gives, the first time and again for a second pod from the same spec', (name) => {
    const { input, view, namespace } = loadCase(name);
    for (const pod of [structuredClone(input), structuredClone(input)] as V1PodLike[]) {
      const operations = podPatch(pod, injectWithView(pod, namespace, view, resolve).pod);
      expect(decode(encodePatch(operations))).toBe(JSON.stringify(operations));
    }
  });

  it('reuses the text of frozen objects and encodes the rest afresh', () => {
    const shared = Object.freeze({ name: 'x', value: 'line 1\nline 2 "quoted"' });
    // Long enough to be kept as bytes, with characters of two and three bytes in UTF-8.
    const large = Object.freeze({ name: 'config', value: `${'é'.repeat(700)}\n${'€'.repeat(700)}` });
    const own = { name: 'y', list: [1, 'a'], nested: { b: null } };
    const operations = [
      { op: 'add', path: '/a/b~1c', value: [shared, own] },
      { op: 'add', path: '/big', value: [shared, large, own, large] },
      { op: 'add', path: '/big2', value: large },
      { op: 'replace', path: '/d', value: 'é\u2028' },
      { op: 'remove', path: '/e' },
      { op: 'add', path: '/f', value: shared },
      { op: 'add', path: '/g', value: [own, shared, shared, own] },
      { op: 'add', path: '/h/0', value: own },
    ] as Parameters<typeof encodePatch>[0];
    expect(decode(encodePatch(operations))).toBe(JSON.stringify(operations));
    own.name = 'changed';
    expect(decode(encodePatch(operations))).toBe(JSON.stringify(operations));
  });
});
