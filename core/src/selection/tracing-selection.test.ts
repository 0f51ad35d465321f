import { describe, expect, it } from 'vitest';
import type { XRayTracing, XRayTracingSpec } from '../api/types.js';
import { Annotations } from '../constants.js';
import { podSubject, selectTracing, templateSubject, type TracingSelection } from './tracing-selection.js';

const tracing = (name: string, spec: XRayTracingSpec = {}): XRayTracing => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name, namespace: 'shop' },
  spec,
});
const optIn = (value: string | undefined) => (value === undefined ? undefined : { [Annotations.injectNodejs]: value });
const summary = (result: TracingSelection): string =>
  result.kind === 'selected' ? `selected:${result.tracing.metadata.name}` : result.kind === 'missing' ? `missing:${result.name}` : result.kind;

// Tracings used below: web selects app=web; all selects everything; both exclude what their names say.
const web = tracing('web', { selector: { matchLabels: { app: 'web' } } });
const webByExpression = tracing('web-expr', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } });
const all = tracing('all', { selectAll: true });
const allButBatch = tracing('all', { selectAll: true, exclude: { selector: { matchLabels: { tier: 'batch' } } } });
const allButLegacy = tracing('default', { selectAll: true, exclude: { workloads: [{ name: 'legacy', kind: 'Deployment' }] } });
const defaultButLegacyAnyKind = tracing('default', { exclude: { workloads: [{ name: 'legacy' }] } });
const webButCanary = tracing('web', { selector: { matchLabels: { app: 'web' } }, exclude: { selector: { matchExpressions: [{ key: 'track', operator: 'In', values: ['canary'] }] } } });
const plain = (name: string) => tracing(name);

interface Case {
  name: string;
  /** inject-nodejs on the pod (or template), its workload, its namespace. */
  pod?: string;
  workload?: string;
  ns?: string;
  labels?: Record<string, string>;
  /** The pod's workload, `Kind/name`; default Deployment/web. */
  owner?: string;
  tracings: XRayTracing[];
  expected: string;
}

const cases: Case[] = [
  // The annotation alone, as before selectors.
  { name: 'nothing annotated, nothing selecting → not opted in', tracings: [plain('default')], expected: 'notOptedIn' },
  { name: 'pod true, one tracing → that one', pod: 'true', tracings: [plain('main')], expected: 'selected:main' },
  { name: 'pod TRUE is case-insensitive', pod: 'TRUE', tracings: [plain('main')], expected: 'selected:main' },
  { name: 'namespace true only → selected', ns: 'true', tracings: [plain('default')], expected: 'selected:default' },
  { name: 'pod false beats namespace true', pod: 'false', ns: 'true', tracings: [plain('default')], expected: 'optedOut' },
  { name: 'pod true beats namespace false', pod: 'true', ns: 'false', tracings: [plain('default')], expected: 'selected:default' },
  { name: 'pod name beats namespace true', pod: 'canary', ns: 'true', tracings: [plain('default'), plain('canary')], expected: 'selected:canary' },
  { name: 'workload false beats namespace true', workload: 'false', ns: 'true', tracings: [plain('default')], expected: 'optedOut' },
  { name: 'pod true beats workload false', pod: 'true', workload: 'false', tracings: [plain('default')], expected: 'selected:default' },
  { name: 'empty pod value falls through to the namespace', pod: ' ', ns: 'canary', tracings: [plain('canary')], expected: 'selected:canary' },
  { name: 'several with default → default', pod: 'true', tracings: [plain('a'), plain('default'), plain('b')], expected: 'selected:default' },
  { name: 'several without default → ambiguous', pod: 'true', tracings: [plain('a'), plain('b')], expected: 'ambiguous' },
  { name: 'true with none → missing default', pod: 'true', tracings: [], expected: 'missing:default' },
  { name: 'unknown name → missing that name', pod: 'payments', tracings: [plain('default')], expected: 'missing:payments' },

  // spec.selector.
  { name: 'selector match, no annotation → selected', labels: { app: 'web' }, tracings: [web], expected: 'selected:web' },
  { name: 'selector miss, no annotation → not opted in', labels: { app: 'api' }, tracings: [web], expected: 'notOptedIn' },
  { name: 'selector by expression', labels: { app: 'api' }, tracings: [webByExpression], expected: 'selected:web-expr' },
  { name: 'selector match, pod false → opted out', pod: 'false', labels: { app: 'web' }, tracings: [web], expected: 'optedOut' },
  { name: 'selector match, workload false → opted out', workload: 'false', labels: { app: 'web' }, tracings: [web], expected: 'optedOut' },
  { name: 'selector match, namespace false → opted out', ns: 'false', labels: { app: 'web' }, tracings: [web], expected: 'optedOut' },
  { name: 'selector match, pod false, namespace true → opted out', pod: 'false', ns: 'true', labels: { app: 'web' }, tracings: [web], expected: 'optedOut' },
  { name: 'selector miss, pod true → opted in anyway', pod: 'true', labels: { app: 'api' }, tracings: [web], expected: 'selected:web' },
  { name: 'pod true goes to the one tracing selecting it, not default', pod: 'true', labels: { app: 'web' }, tracings: [plain('default'), web], expected: 'selected:web' },
  { name: 'pod true, nothing selecting it → default', pod: 'true', labels: { app: 'api' }, tracings: [plain('default'), web], expected: 'selected:default' },
  { name: 'pod name beats the selecting tracing', pod: 'default', labels: { app: 'web' }, tracings: [plain('default'), web], expected: 'selected:default' },
  { name: 'selector beats the namespace\'s true', ns: 'true', labels: { app: 'web' }, tracings: [plain('default'), web], expected: 'selected:web' },
  { name: 'selector miss falls back to the namespace\'s true', ns: 'true', labels: { app: 'api' }, tracings: [plain('default'), web], expected: 'selected:default' },

  // spec.exclude.
  { name: 'excluded by label → not opted in', labels: { app: 'web', track: 'canary' }, tracings: [webButCanary], expected: 'notOptedIn' },
  { name: 'exclude by label leaves others selected', labels: { app: 'web', track: 'stable' }, tracings: [webButCanary], expected: 'selected:web' },
  { name: 'excluded, pod true → opted in anyway', pod: 'true', labels: { app: 'web', track: 'canary' }, tracings: [webButCanary], expected: 'selected:web' },
  { name: 'excluded workload by kind and name', owner: 'Deployment/legacy', tracings: [allButLegacy], expected: 'notOptedIn' },
  { name: 'exclude kind must match', owner: 'StatefulSet/legacy', tracings: [allButLegacy], expected: 'selected:default' },
  { name: 'exclude without kind matches any kind', owner: 'CronJob/legacy', ns: 'true', tracings: [defaultButLegacyAnyKind], expected: 'notOptedIn' },
  { name: 'exclude applies to the namespace\'s opt-in', owner: 'Deployment/legacy', ns: 'true', tracings: [allButLegacy], expected: 'notOptedIn' },
  { name: 'exclude does not apply to the workload\'s own true', owner: 'Deployment/legacy', workload: 'true', tracings: [allButLegacy], expected: 'selected:default' },
  { name: 'a bare pod is never excluded by workload name', owner: '', tracings: [allButLegacy], expected: 'selected:default' },

  // selectAll.
  { name: 'selectAll, no annotation → selected', tracings: [all], expected: 'selected:all' },
  { name: 'selectAll, pod false → opted out', pod: 'false', tracings: [all], expected: 'optedOut' },
  { name: 'selectAll, namespace false → opted out', ns: 'false', tracings: [all], expected: 'optedOut' },
  { name: 'selectAll less its exclude', labels: { tier: 'batch' }, tracings: [allButBatch], expected: 'notOptedIn' },
  { name: 'selectAll keeps the others', labels: { tier: 'web' }, tracings: [allButBatch], expected: 'selected:all' },
  { name: 'selectAll, pod names another tracing → that one', pod: 'web', tracings: [all, web], expected: 'selected:web' },

  // Several XRayTracings selecting the same pod.
  { name: 'a selector match beats a selectAll match', labels: { app: 'web' }, tracings: [all, web], expected: 'selected:web' },
  { name: 'selectAll takes what no selector matches', labels: { app: 'api' }, tracings: [all, web], expected: 'selected:all' },
  { name: 'two selector matches → ambiguous', labels: { app: 'web' }, tracings: [web, webByExpression], expected: 'ambiguous' },
  { name: 'two selectAll → ambiguous', tracings: [all, tracing('default', { selectAll: true })], expected: 'ambiguous' },
  { name: 'two selector matches, one excludes → the other', labels: { app: 'web', track: 'canary' }, tracings: [webButCanary, webByExpression], expected: 'selected:web-expr' },
  { name: 'a selector match excluded falls back to selectAll', labels: { app: 'web', track: 'canary' }, tracings: [webButCanary, all], expected: 'selected:all' },
  { name: 'ambiguous selection, pod names one → that one', pod: 'web', labels: { app: 'web' }, tracings: [web, webByExpression], expected: 'selected:web' },
  { name: 'ambiguous selection, pod true, a default exists → still default', pod: 'true', labels: { app: 'web' }, tracings: [web, webByExpression, plain('default')], expected: 'selected:default' },
  { name: 'ambiguous selection, namespace false → opted out', ns: 'false', labels: { app: 'web' }, tracings: [web, webByExpression], expected: 'optedOut' },
];

describe('selectTracing', () => {
  it.each(cases)('$name', ({ pod, workload, ns, labels, owner = 'Deployment/web', tracings, expected }) => {
    const [kind = '', name = ''] = owner.split('/');
    const subject = templateSubject({ labels, annotations: optIn(pod) }, { kind, name, annotations: optIn(workload) }, 'shop', optIn(ns));
    const result = selectTracing(owner === '' ? { ...subject, workload: undefined } : subject, tracings);
    expect(summary(result)).toBe(expected);
  });

  it('tells exactly what to apply when the XRayTracing is missing', () => {
    const result = selectTracing(podSubject({ annotations: optIn('payments') }, 'shop', undefined), []);
    expect(result.kind === 'missing' && result.warning).toContain('no XRayTracing "payments" in namespace "shop"');
    expect(result.kind === 'missing' && result.warning).toContain('"metadata":{"name":"payments","namespace":"shop"}');
    expect(result.kind === 'missing' && result.warning).toContain('kubectl apply -f -');
  });

  it('names the XRayTracings that select a pod ambiguously and what to do', () => {
    const result = selectTracing(podSubject({ labels: { app: 'web' } }, 'shop', undefined), [web, webByExpression]);
    expect(result.kind === 'ambiguous' && result.warning).toBe(
      'Node.js tracing was not injected: several XRayTracings in namespace "shop" select the pod (web, web-expr); exclude it from all but one, or set xray-operator.dev/inject-nodejs to the name of one of them',
    );
  });

  it('says which XRayTracing excluded a pod it would otherwise select', () => {
    const result = selectTracing(podSubject({ labels: { tier: 'batch' } }, 'shop', undefined), [allButBatch]);
    expect(result).toEqual({ kind: 'notOptedIn', reason: 'Excluded by XRayTracing "all" (spec.exclude)' });
  });

  it('tells a pod\'s workload from its ownerReferences, so exclude by name works at admission', () => {
    const metadata = {
      labels: { 'pod-template-hash': '5d8f9c' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'legacy-5d8f9c', uid: 'u', controller: true }],
    };
    expect(summary(selectTracing(podSubject(metadata, 'shop', undefined), [allButLegacy]))).toBe('notOptedIn');
    const other = { ...metadata, ownerReferences: [{ ...metadata.ownerReferences[0]!, name: 'web-5d8f9c' }] };
    expect(summary(selectTracing(podSubject(other, 'shop', undefined), [allButLegacy]))).toBe('selected:default');
  });
});
