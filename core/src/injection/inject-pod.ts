// The pure core: (pod, resolved spec, context) → injected pod. Never mutates its input and never throws for user data.
// The result shares every part it does not change with the input (copy on write from the pod down to the containers
// it touches): the webhook's diff skips shared subtrees by reference, and nothing is cloned that stays the same.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { Annotations, InjectedNames } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import { appContainerEnv } from './app-env.js';
import { injectionConfigHash } from './config-hash.js';
import { selectContainers } from './containers.js';
import { addMissingCredentials, credentialsOf } from './credentials.js';
import { decideExport, type ExportPlan } from './export-plan.js';
import { preloadCopier, preloadMount, preloadVolume } from './preload.js';
import { collectorSidecar } from './sidecar.js';
import type { InjectionContext, InjectionOutcome, SkipReason, V1PodLike } from './types.js';
import { serviceNameFor, workloadOf } from './workload.js';

const OS_LABEL = 'kubernetes.io/os';

const unchanged = (pod: V1PodLike, reason: string, warnings: string[] = []): InjectionOutcome => ({ action: 'unchanged', pod, reason, warnings });
/** An opted-in pod the engine could not inject, with the code the webhook records on it. */
const skipped = (pod: V1PodLike, code: SkipReason, reason: string, warnings: string[] = []): InjectionOutcome => ({ action: 'unchanged', pod, reason, warnings, skipped: code });

/** Whether the engine already injected this pod (its annotation or its init container). */
export function isInjected(pod: V1PodLike): boolean {
  if (pod.metadata?.annotations?.[Annotations.injected] !== undefined) return true;
  return (pod.spec?.initContainers ?? []).some((c) => c.name === InjectedNames.initContainer);
}

/**
 * The outcome for a pod the engine already injected, whatever its opt-in says now: unchanged, except for the
 * credential top-up. Undefined when the pod is not injected.
 */
export function alreadyInjectedOutcome(pod: V1PodLike): InjectionOutcome | undefined {
  if (!isInjected(pod)) return undefined;
  const result = podSpine(pod);
  return result.spec?.containers?.length ? topUpCredentials(pod, result, result.spec) : unchanged(pod, 'Already injected');
}

export function injectPod(pod: V1PodLike, spec: ResolvedSpec, ctx: InjectionContext): InjectionOutcome {
  const injectedBefore = alreadyInjectedOutcome(pod);
  if (injectedBefore) return injectedBefore;
  const rolledBack = rolledBackFrom(pod, spec, ctx);
  if (rolledBack) return skipped(pod, 'RolledBack', `The controller rolled the workload back to uninstrumented pods after injected ones crashed (${Annotations.rolledBack}: ${rolledBack})`);
  const result = podSpine(pod);
  const podSpec = result.spec;
  if (!podSpec?.containers?.length) return skipped(pod, 'NoContainers', 'The pod has no containers');
  if (runsOnWindows(podSpec)) {
    return skipped(pod, 'WindowsPod', 'The pod runs on Windows', ['Node.js tracing was not injected: the pod runs on Windows; the preload and the collector are Linux images']);
  }
  const conflict = nameConflict(podSpec);
  if (conflict) return skipped(pod, 'NameConflict', `Name conflict: ${conflict}`, [`Node.js tracing was not injected: ${conflict}`]);
  const exportDecision = decideExport(result, spec, spec.collector.nativeSidecar && ctx.nativeSidecarsSupported);
  if (!exportDecision.ok) return skipped(pod, 'NoExportPath', exportDecision.reason, [exportDecision.warning]);
  const instrumented = instrumentContainers(result, podSpec, spec, ctx, exportDecision.plan);
  // Containers share some warnings (an attribute of the XRayTracing left out, local sampling): say each once.
  const warnings = [...new Set([...exportDecision.warnings, ...instrumented.warnings])];
  if (!instrumented.containers.length) return skipped(pod, 'NoInstrumentableContainer', 'No container could be instrumented', warnings);
  addPodLevelParts(podSpec, spec, ctx, exportDecision.plan, instrumented.containers);
  const configHash = injectionConfigHash(spec, ctx);
  const metadata = (result.metadata ??= {});
  // The preload image (tag or digest) the pod got: `kubectl get pods -L` answers which version runs where.
  metadata.annotations = { ...metadata.annotations, [Annotations.injected]: `${ctx.tracingName}/${configHash}`, [Annotations.preloadImage]: spec.instrumentation.image };
  return { action: 'injected', pod: result, tracingName: ctx.tracingName, configHash, warnings };
}

/**
 * The rolled-back annotation, when it names this XRayTracing's current config: the controller rolled the workload back
 * from exactly this injection. A new config hash may work, so it is injected again.
 */
function rolledBackFrom(pod: V1PodLike, spec: ResolvedSpec, ctx: InjectionContext): string | undefined {
  const value = pod.metadata?.annotations?.[Annotations.rolledBack];
  return value !== undefined && value === `${ctx.tracingName}/${injectionConfigHash(spec, ctx)}` ? value : undefined;
}

/** The pod with its own `metadata` and `spec` objects, to change; everything below them is the input's. */
function podSpine(pod: V1PodLike): V1PodLike {
  const result = { ...pod };
  if (pod.metadata) result.metadata = { ...pod.metadata };
  if (pod.spec) result.spec = { ...pod.spec };
  return result;
}

/** Puts the replacements (new objects for containers of the input) in place, in new arrays. Mutates `podSpec` (the spine). */
function replaceContainers(podSpec: V1PodSpec, replacements: ReadonlyMap<V1Container, V1Container>): void {
  const replaced = (c: V1Container): V1Container => replacements.get(c) ?? c;
  podSpec.containers = podSpec.containers.map(replaced);
  if (podSpec.initContainers) podSpec.initContainers = podSpec.initContainers.map(replaced);
}

function runsOnWindows(podSpec: V1PodSpec): boolean {
  return podSpec.os?.name === 'windows' || podSpec.nodeSelector?.[OS_LABEL] === 'windows';
}

/** A name the engine would add that the pod already uses: adding ours would make the API server reject the pod. */
function nameConflict(podSpec: V1PodSpec): string | undefined {
  const containers = [...(podSpec.initContainers ?? []), ...podSpec.containers];
  const taken = containers.find((c) => c.name === InjectedNames.sidecarContainer);
  if (taken) return `the pod already has a container named "${taken.name}"`;
  if ((podSpec.volumes ?? []).some((v) => v.name === InjectedNames.volume)) return `the pod already has a volume named "${InjectedNames.volume}"`;
  const mounted = containers.find((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === InjectedNames.mountPath));
  if (mounted) return `container "${mounted.name}" already mounts something at ${InjectedNames.mountPath}`;
  return undefined;
}

/** Replaces the selected containers of `podSpec` (the spine) with instrumented copies; returns those and the warnings. */
function instrumentContainers(pod: V1PodLike, podSpec: V1PodSpec, spec: ResolvedSpec, ctx: InjectionContext, plan: ExportPlan) {
  const metadata = pod.metadata ?? {};
  const selection = selectContainers(metadata, podSpec);
  const workload = ctx.workload ?? workloadOf(metadata);
  const serviceName = serviceNameFor(metadata, workload, ctx.namespace, spec);
  const selected = [
    ...(podSpec.initContainers ?? []).filter((c) => selection.initContainers.includes(c.name)),
    ...podSpec.containers.filter((c) => selection.containers.includes(c.name)),
  ];
  const warnings = [...selection.warnings];
  const replacements = new Map<V1Container, V1Container>();
  for (const container of selected) {
    const attributes = { namespace: ctx.namespace, containerName: container.name, workload, clusterName: ctx.clusterName };
    const env = appContainerEnv({ container, spec, plan, serviceName, attributes, getConfigMap: ctx.getConfigMap });
    if (!env.ok) {
      warnings.push(env.warning);
      continue;
    }
    warnings.push(...env.warnings);
    replacements.set(container, { ...container, env: env.env, volumeMounts: [...(container.volumeMounts ?? []), preloadMount()] });
  }
  replaceContainers(podSpec, replacements);
  return { containers: [...replacements.values()], warnings };
}

/** Volume, copier init container and sidecar, once per pod. Mutates `podSpec` (the spine). */
function addPodLevelParts(podSpec: V1PodSpec, spec: ResolvedSpec, ctx: InjectionContext, plan: ExportPlan, instrumented: V1Container[]): void {
  podSpec.volumes = [...(podSpec.volumes ?? []), preloadVolume(spec)];
  const initContainers = podSpec.initContainers ?? [];
  // Before the first instrumented init container, so the preload (and a native sidecar) are there when it starts.
  const firstInstrumented = initContainers.findIndex((c) => instrumented.includes(c));
  const at = firstInstrumented >= 0 ? firstInstrumented : initContainers.length;
  const added: V1Container[] = [preloadCopier(spec)];
  if (plan.sidecar) {
    const native = spec.collector.nativeSidecar && ctx.nativeSidecarsSupported;
    const sidecar = collectorSidecar(spec, credentialsOf(instrumented), native);
    if (native) added.push(sidecar);
    else podSpec.containers = [...podSpec.containers, sidecar];
  }
  podSpec.initContainers = [...initContainers.slice(0, at), ...added, ...initContainers.slice(at)];
}

/**
 * The one change an injected pod can get: when EKS's webhook runs after ours (reinvocation) and gives app containers
 * AWS credentials, the sidecar gets them too.
 */
function topUpCredentials(original: V1PodLike, pod: V1PodLike, podSpec: V1PodSpec): InjectionOutcome {
  const all = [...(podSpec.initContainers ?? []), ...podSpec.containers];
  const sidecar = all.find((c) => c.name === InjectedNames.sidecarContainer);
  const apps = all.filter((c) => c !== sidecar && (c.volumeMounts ?? []).some((m) => m.name === InjectedNames.volume && m.readOnly));
  if (!sidecar) return unchanged(original, 'Already injected');
  const toppedUp = { ...sidecar };
  if (!addMissingCredentials(toppedUp, credentialsOf(apps))) return unchanged(original, 'Already injected');
  replaceContainers(podSpec, new Map([[sidecar, toppedUp]]));
  const [tracingName = '', configHash = ''] = (pod.metadata?.annotations?.[Annotations.injected] ?? '').split('/');
  return { action: 'injected', pod, tracingName, configHash, warnings: [] };
}
