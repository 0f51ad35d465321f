// Test support: loads the YAML fixture cases under testdata/ (see testdata/README.md) and runs them through the engine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { V1PodSpec } from '@kubernetes/client-node';
import { resolveSpec } from '../../api/defaults.js';
import type { XRayTracing } from '../../api/types.js';
import { StaticClusterView } from '../../cluster-view/static-view.js';
import type { ConfigMapLike, NamespaceLike } from '../../ports.js';
import { injectPodTemplate, injectWithView } from '../inject-with-view.js';
import type { InjectionOutcome, V1PodLike, V1PodTemplateLike } from '../types.js';

export const TESTDATA = join(import.meta.dirname, '..', 'testdata');

export const caseNames = (): string[] =>
  readdirSync(TESTDATA, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

interface CaseOptions {
  namespace?: string;
  builtInDefaults?: boolean;
  nativeSidecarsSupported?: boolean;
  clusterName?: string;
}

/** A workload object (Deployment…) whose pod template is injected instead of a pod. */
export interface WorkloadObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { template?: V1PodTemplateLike; jobTemplate?: { spec: { template: V1PodTemplateLike } } };
}

const readYaml = (dir: string, file: string): unknown => (existsSync(join(dir, file)) ? yaml.load(readFileSync(join(dir, file), 'utf8')) : undefined);
const readAll = <T>(dir: string, file: string): T[] =>
  existsSync(join(dir, file)) ? (yaml.loadAll(readFileSync(join(dir, file), 'utf8')) as T[]).filter(Boolean) : [];

export function loadCase(name: string) {
  const dir = join(TESTDATA, name);
  const options = (readYaml(dir, 'case.yaml') ?? {}) as CaseOptions;
  const tracings = readAll<XRayTracing>(dir, 'tracing.yaml');
  const view = new StaticClusterView({
    xrayTracings: tracings,
    configMaps: readAll<ConfigMapLike>(dir, 'configmaps.yaml'),
    namespaces: readAll<NamespaceLike>(dir, 'namespace.yaml'),
    builtInDefaults: options.builtInDefaults ?? tracings.length === 0,
    nativeSidecarsSupported: options.nativeSidecarsSupported ?? true,
    clusterName: options.clusterName,
  });
  return { dir, input: readYaml(dir, 'input.yaml') as V1PodLike | WorkloadObject, view, namespace: options.namespace ?? 'shop' };
}

export const resolve = (t: XRayTracing) => resolveSpec(t.spec);

function templateHolder(workload: WorkloadObject): { template: V1PodTemplateLike; put: (t: V1PodTemplateLike) => void } {
  const spec = workload.spec;
  if (spec.jobTemplate) return { template: spec.jobTemplate.spec.template, put: (t) => (spec.jobTemplate!.spec.template = t) };
  return { template: spec.template ?? {}, put: (t) => (spec.template = t) };
}

/** Injects a Pod, or a workload's pod template; returns the whole object and the outcome. */
export function inject(input: V1PodLike | WorkloadObject, namespace: string, view: StaticClusterView): { object: unknown; outcome: InjectionOutcome } {
  if (input.kind === 'Pod' || input.kind === undefined) {
    const outcome = injectWithView(input as V1PodLike, namespace, view, resolve);
    return { object: outcome.pod, outcome };
  }
  const workload = structuredClone(input as WorkloadObject);
  const holder = templateHolder(workload);
  const ref = { kind: workload.kind, name: workload.metadata.name, annotations: workload.metadata.annotations };
  const outcome = injectPodTemplate(holder.template, ref, namespace, view, resolve);
  holder.put(outcome.pod);
  return { object: workload, outcome };
}

export function podSpecOf(object: unknown): V1PodSpec | undefined {
  const o = object as V1PodLike & WorkloadObject;
  if (o.kind === 'Pod' || o.kind === undefined) return o.spec;
  return templateHolder(o).template.spec;
}
