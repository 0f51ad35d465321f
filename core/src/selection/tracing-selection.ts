// The one answer to "which XRayTracing, if any, does this pod (or pod template) get?", used by the webhook, the
// controller (counting, rolling, the per-workload record) and the CLI. In order (docs/selection.md):
//   1. the pod's (template's) own inject-nodejs annotation, then its workload's: "false" opts out, "true" opts in
//      (to the XRayTracing that selects it, else the namespace's), a name opts in to that XRayTracing;
//   2. the namespace's inject-nodejs "false": opted out;
//   3. the XRayTracings whose selector or selectAll picks it, less their exclude: a selector match beats a
//      selectAll match; two matches of the same kind are ambiguous (never a silent pick);
//   4. the namespace's inject-nodejs "true" or a name, unless that XRayTracing's exclude leaves the pod out.
import { API_GROUP_VERSION, Annotations, DEFAULT_TRACING_NAME, XRAY_TRACING_KIND } from '../constants.js';
import type { XRayTracing } from '../api/types.js';
import type { PodMetadataLike } from '../injection/types.js';
import { workloadOf } from '../injection/workload.js';
import { matchesLabelSelector } from './label-selector.js';

export type TracingSelection =
  | { kind: 'selected'; tracing: XRayTracing }
  | { kind: 'notOptedIn'; reason: string }
  | { kind: 'optedOut'; reason: string }
  | { kind: 'missing'; name: string; reason: string; warning: string }
  | { kind: 'ambiguous'; reason: string; warning: string };

type StringMap = Readonly<Record<string, string>> | undefined;

/** What the decision reads about a pod or a pod template; nothing else (no API calls, no clock). */
export interface SelectionSubject {
  namespace: string;
  /** "pod" or "pod template": how messages name it. */
  what: 'pod' | 'pod template';
  labels: StringMap;
  annotations: StringMap;
  /** Its workload (a pod's through its ownerReferences); `annotations` only where the workload object is at hand. */
  workload?: { kind: string; name: string; annotations?: StringMap };
  namespaceAnnotations: StringMap;
}

/** A pod as admitted or cached: its workload is told from its ownerReferences. */
export function podSubject(metadata: PodMetadataLike | undefined, namespace: string, namespaceAnnotations: StringMap): SelectionSubject {
  const workload = metadata ? workloadOf(metadata) : undefined;
  return {
    namespace,
    what: 'pod',
    labels: metadata?.labels,
    annotations: metadata?.annotations,
    ...(workload ? { workload: { kind: workload.kind, name: workload.name } } : {}),
    namespaceAnnotations,
  };
}

/** A workload's pod template, with the workload's own annotations. */
export function templateSubject(
  metadata: PodMetadataLike | undefined,
  workload: { kind: string; name: string; annotations?: StringMap },
  namespace: string,
  namespaceAnnotations: StringMap,
): SelectionSubject {
  return { namespace, what: 'pod template', labels: metadata?.labels, annotations: metadata?.annotations, workload, namespaceAnnotations };
}

/** What to apply when an XRayTracing is missing: a copy-pasteable command. */
export function missingTracingWarning(name: string, namespace: string): string {
  const manifest = JSON.stringify({ apiVersion: API_GROUP_VERSION, kind: XRAY_TRACING_KIND, metadata: { name, namespace }, spec: {} });
  return (
    `Node.js tracing was not injected: no ${XRAY_TRACING_KIND} "${name}" in namespace "${namespace}". ` +
    `Create one, e.g. echo '${manifest}' | kubectl apply -f -`
  );
}

/** The annotation's value, "true"/"false" case-insensitively; undefined when absent or blank. */
function optInValue(annotations: StringMap): string | undefined {
  const value = annotations?.[Annotations.injectNodejs]?.trim();
  if (!value) return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' || lower === 'false' ? lower : value;
}

function isExcluded(tracing: XRayTracing, subject: SelectionSubject): boolean {
  const exclude = tracing.spec.exclude;
  if (!exclude) return false;
  if (exclude.selector && matchesLabelSelector(exclude.selector, subject.labels)) return true;
  const { workload } = subject;
  return workload !== undefined && (exclude.workloads ?? []).some((w) => w.name === workload.name && (w.kind === undefined || w.kind === workload.kind));
}

/** How the XRayTracing's spec picks the subject, its exclude aside (selector and selectAll are exclusive). */
function specMatch(tracing: XRayTracing, subject: SelectionSubject): 'selector' | 'selectAll' | undefined {
  if (tracing.spec.selector !== undefined) return matchesLabelSelector(tracing.spec.selector, subject.labels) ? 'selector' : undefined;
  return tracing.spec.selectAll === true ? 'selectAll' : undefined;
}

/** The XRayTracings that select the subject by their spec: selector matches if any, else selectAll ones. */
function selectingTracings(tracings: readonly XRayTracing[], subject: SelectionSubject): XRayTracing[] {
  const candidates = tracings.filter((t) => specMatch(t, subject) !== undefined && !isExcluded(t, subject));
  const bySelector = candidates.filter((t) => specMatch(t, subject) === 'selector');
  return bySelector.length > 0 ? bySelector : candidates;
}

const names = (tracings: readonly XRayTracing[]): string => tracings.map((t) => t.metadata.name).join(', ');

function ambiguous(reason: string, advice: string): TracingSelection {
  return { kind: 'ambiguous', reason, warning: `Node.js tracing was not injected: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}; ${advice}` };
}

/** The XRayTracing "true" means: the only one, else `default`; or why there is none to pick. */
function pickForTrue(tracings: readonly XRayTracing[], namespace: string): string | TracingSelection {
  const only = tracings.length === 1 ? tracings[0]?.metadata.name : undefined;
  if (only) return only;
  if (tracings.length === 0 || tracings.some((t) => t.metadata.name === DEFAULT_TRACING_NAME)) return DEFAULT_TRACING_NAME;
  return ambiguous(
    `Several ${XRAY_TRACING_KIND}s in namespace "${namespace}" (${names(tracings)}) and none is named "${DEFAULT_TRACING_NAME}"`,
    `set ${Annotations.injectNodejs} to the name of one of them`,
  );
}

function byName(name: string, tracings: readonly XRayTracing[], namespace: string): TracingSelection {
  const tracing = tracings.find((t) => t.metadata.name === name);
  if (tracing) return { kind: 'selected', tracing };
  return { kind: 'missing', name, reason: `No ${XRAY_TRACING_KIND} "${name}" in namespace "${namespace}"`, warning: missingTracingWarning(name, namespace) };
}

/** An annotation's opt-in: "true" goes to the one XRayTracing that selects the subject, if any, else the namespace's. */
function optIn(value: string, selecting: readonly XRayTracing[], tracings: readonly XRayTracing[], namespace: string): TracingSelection {
  if (value !== 'true') return byName(value, tracings, namespace);
  if (selecting.length === 1 && selecting[0]) return { kind: 'selected', tracing: selecting[0] };
  const wanted = pickForTrue(tracings, namespace);
  return typeof wanted === 'string' ? byName(wanted, tracings, namespace) : wanted;
}

/** Why nothing selects the subject: an exclude that kept it out, else no annotation and no match. */
function notSelected(tracings: readonly XRayTracing[], subject: SelectionSubject): TracingSelection {
  const excludedBy = tracings.find((t) => specMatch(t, subject) !== undefined && isExcluded(t, subject));
  if (excludedBy) return { kind: 'notOptedIn', reason: `Excluded by ${XRAY_TRACING_KIND} "${excludedBy.metadata.name}" (spec.exclude)` };
  return { kind: 'notOptedIn', reason: `No ${Annotations.injectNodejs} annotation on the ${subject.what}, its workload or its namespace, and no ${XRAY_TRACING_KIND} selects it` };
}

export function selectTracing(subject: SelectionSubject, tracings: readonly XRayTracing[]): TracingSelection {
  const { namespace } = subject;
  const selecting = selectingTracings(tracings, subject);
  const own: [string, string | undefined][] = [
    [subject.what, optInValue(subject.annotations)],
    ['workload', optInValue(subject.workload?.annotations)],
  ];
  for (const [from, value] of own) {
    if (value === 'false') return { kind: 'optedOut', reason: `Opted out by ${Annotations.injectNodejs}="false" on the ${from}` };
    if (value !== undefined) return optIn(value, selecting, tracings, namespace);
  }
  const namespaceValue = optInValue(subject.namespaceAnnotations);
  if (namespaceValue === 'false') return { kind: 'optedOut', reason: `Opted out by ${Annotations.injectNodejs}="false" on the namespace` };
  if (selecting.length === 1 && selecting[0]) return { kind: 'selected', tracing: selecting[0] };
  if (selecting.length > 1) {
    return ambiguous(
      `Several ${XRAY_TRACING_KIND}s in namespace "${namespace}" select the ${subject.what} (${names(selecting)})`,
      `exclude it from all but one, or set ${Annotations.injectNodejs} to the name of one of them`,
    );
  }
  if (namespaceValue === undefined) return notSelected(tracings, subject);
  const selection = optIn(namespaceValue, [], tracings, namespace);
  if (selection.kind === 'selected' && isExcluded(selection.tracing, subject)) {
    return { kind: 'notOptedIn', reason: `Excluded by ${XRAY_TRACING_KIND} "${selection.tracing.metadata.name}" (spec.exclude) from the namespace's opt-in` };
  }
  return selection;
}
