// `xray-operator inject`: the same engine the webhook runs, applied to Pods and to the pod templates of workloads.
import { resolveSpec } from '../../../core/src/api/defaults.js';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import { StaticClusterView } from '../../../core/src/cluster-view/static-view.js';
import { injectPodTemplate, injectWithView, type InjectionOutcome, type V1PodTemplateLike } from '../../../core/src/injection/index.js';
import type { ConfigMapLike, NamespaceLike } from '../../../core/src/ports.js';
import { ManifestError, describeObject, type ManifestDocument, type ManifestObject } from './manifest.js';

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Kinds printed back unchanged: they carry no pod, but often share a manifest with workloads. */
const PASSTHROUGH_KINDS = new Set([
  'Service', 'ConfigMap', 'Secret', 'Namespace', 'ServiceAccount', 'Ingress', 'IngressClass', 'HorizontalPodAutoscaler',
  'PodDisruptionBudget', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'NetworkPolicy',
  'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'LimitRange', 'ResourceQuota', 'PriorityClass',
  'Endpoints', 'EndpointSlice', 'XRayTracing', 'CustomResourceDefinition', 'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration', 'PodTemplate', 'Gateway', 'HTTPRoute', 'VerticalPodAutoscaler',
]);

export interface InjectManifestsOptions {
  /** Validated XRayTracings from `--tracing`; none means the built-in defaults. */
  tracings: readonly { tracing: XRayTracing; spec: ResolvedSpec }[];
  /** Namespace of objects that name none. */
  defaultNamespace: string;
  clusterName?: string;
  nativeSidecarsSupported: boolean;
  allowUnknownKinds: boolean;
}

export interface InjectedManifest {
  object: ManifestObject;
  /** `injected`, `unchanged: <reason>` or `passed through`. */
  summary: string;
  warnings: string[];
}

function getPath(object: ManifestObject, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), object);
}

function setPath(object: ManifestObject, path: readonly string[], value: unknown): void {
  const parent = getPath(object, path.slice(0, -1)) as Record<string, unknown>;
  parent[path[path.length - 1] ?? ''] = value;
}

function summarise(outcome: InjectionOutcome): string {
  return outcome.action === 'injected' ? `injected (XRayTracing ${outcome.tracingName})` : `unchanged: ${outcome.reason}`;
}

/** Injects every Pod and workload template; ConfigMaps and Namespaces in the input serve as lookups for `envFrom` and opt-in. */
export function injectManifests(documents: readonly ManifestDocument[], options: InjectManifestsOptions): InjectedManifest[] {
  const objects = documents.map((d) => d.object);
  const view = new StaticClusterView({
    xrayTracings: options.tracings.map((t) => t.tracing),
    configMaps: objects.filter((o) => o.kind === 'ConfigMap') as unknown as ConfigMapLike[],
    namespaces: objects.filter((o) => o.kind === 'Namespace') as unknown as NamespaceLike[],
    builtInDefaults: options.tracings.length === 0,
    nativeSidecarsSupported: options.nativeSidecarsSupported,
    clusterName: options.clusterName,
  });
  const specs = new Map<XRayTracing, ResolvedSpec>(options.tracings.map((t) => [t.tracing, t.spec]));
  // The built-in default XRayTracing (`spec: {}`) is the only one not read from --tracing.
  const resolve = (tracing: XRayTracing): ResolvedSpec => specs.get(tracing) ?? resolveSpec(tracing.spec);

  return documents.map(({ object, source, index }) => {
    const namespace = object.metadata?.namespace ?? options.defaultNamespace;
    if (object.kind === 'Pod') {
      const outcome = injectWithView(object, namespace, view, resolve);
      return { object: outcome.pod as ManifestObject, summary: summarise(outcome), warnings: outcome.warnings };
    }
    const templatePath = TEMPLATE_PATHS[object.kind];
    if (templatePath) {
      const template = getPath(object, templatePath) as V1PodTemplateLike | undefined;
      if (!template || typeof template !== 'object') {
        throw new ManifestError(`${source} document ${index + 1}: ${describeObject(object)} has no ${templatePath.join('.')}`);
      }
      const workload = { kind: object.kind, name: object.metadata?.name ?? '', annotations: annotationsOf(object) };
      const outcome = injectPodTemplate(template, workload, namespace, view, resolve);
      const result = structuredClone(object);
      setPath(result, templatePath, outcome.pod);
      return { object: result, summary: summarise(outcome), warnings: outcome.warnings };
    }
    if (PASSTHROUGH_KINDS.has(object.kind) || options.allowUnknownKinds) {
      return { object, summary: 'passed through', warnings: [] };
    }
    throw new ManifestError(
      `${source} document ${index + 1}: unknown kind ${object.kind} (apiVersion ${object.apiVersion}). ` +
        `inject handles Pod, ${Object.keys(TEMPLATE_PATHS).join(', ')} and passes common kinds through; ` +
        'use --allow-unknown-kinds to pass other kinds through unchanged',
    );
  });
}

function annotationsOf(object: ManifestObject): Record<string, string> | undefined {
  const annotations = object.metadata?.annotations;
  return annotations && typeof annotations === 'object' ? (annotations as Record<string, string>) : undefined;
}
