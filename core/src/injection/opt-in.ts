// The opt-in decision: the pod's `inject-nodejs` annotation beats its workload's, which beats its namespace's.
// "true" → the namespace's XRayTracing (`default` if there are several), "false" → opt out, else an XRayTracing's name.
import { API_GROUP_VERSION, Annotations, DEFAULT_TRACING_NAME, XRAY_TRACING_KIND } from '../constants.js';
import type { XRayTracing } from '../api/types.js';

export type TracingSelection =
  | { kind: 'selected'; tracing: XRayTracing }
  | { kind: 'notOptedIn'; reason: string }
  | { kind: 'optedOut'; reason: string }
  | { kind: 'missing'; name: string; reason: string; warning: string }
  | { kind: 'ambiguous'; reason: string; warning: string };

type Annotated = Record<string, string> | undefined;

/** The first non-empty opt-in value, most specific first, with where it came from. */
function optInValue(levels: [string, Annotated][]): { value: string; from: string } | undefined {
  for (const [from, annotations] of levels) {
    const value = annotations?.[Annotations.injectNodejs]?.trim();
    if (value) return { value, from };
  }
  return undefined;
}

/** What to apply when an XRayTracing is missing: a copy-pasteable command. */
export function missingTracingWarning(name: string, namespace: string): string {
  const manifest = JSON.stringify({ apiVersion: API_GROUP_VERSION, kind: XRAY_TRACING_KIND, metadata: { name, namespace }, spec: {} });
  return (
    `Node.js tracing was not injected: no ${XRAY_TRACING_KIND} "${name}" in namespace "${namespace}". ` +
    `Create one, e.g. echo '${manifest}' | kubectl apply -f -`
  );
}

export function selectTracing(
  podAnnotations: Annotated,
  namespaceAnnotations: Annotated,
  tracings: readonly XRayTracing[],
  namespace: string,
  workloadAnnotations?: Annotated,
): TracingSelection {
  const optIn = optInValue([
    [workloadAnnotations === undefined ? 'pod' : 'pod template', podAnnotations],
    ['workload', workloadAnnotations],
    ['namespace', namespaceAnnotations],
  ]);
  if (!optIn) return { kind: 'notOptedIn', reason: `No ${Annotations.injectNodejs} annotation on the pod or its namespace` };
  const value = optIn.value.toLowerCase() === 'true' || optIn.value.toLowerCase() === 'false' ? optIn.value.toLowerCase() : optIn.value;
  if (value === 'false') return { kind: 'optedOut', reason: `Opted out by ${Annotations.injectNodejs}="false" on the ${optIn.from}` };
  const wanted = value === 'true' ? pickForTrue(tracings, namespace) : value;
  if (typeof wanted !== 'string') return wanted;
  const tracing = tracings.find((t) => t.metadata.name === wanted);
  if (tracing) return { kind: 'selected', tracing };
  return { kind: 'missing', name: wanted, reason: `No ${XRAY_TRACING_KIND} "${wanted}" in namespace "${namespace}"`, warning: missingTracingWarning(wanted, namespace) };
}

/** The XRayTracing "true" means: the only one, else `default`; its name, or why there is none to pick. */
function pickForTrue(tracings: readonly XRayTracing[], namespace: string): string | TracingSelection {
  const only = tracings.length === 1 ? tracings[0]?.metadata.name : undefined;
  if (only) return only;
  if (tracings.length === 0 || tracings.some((t) => t.metadata.name === DEFAULT_TRACING_NAME)) return DEFAULT_TRACING_NAME;
  const names = tracings.map((t) => t.metadata.name).join(', ');
  const reason = `Several ${XRAY_TRACING_KIND}s in namespace "${namespace}" (${names}) and none is named "${DEFAULT_TRACING_NAME}"`;
  return {
    kind: 'ambiguous',
    reason,
    warning: `Node.js tracing was not injected: several ${XRAY_TRACING_KIND}s in namespace "${namespace}" (${names}) and none is named "${DEFAULT_TRACING_NAME}"; set ${Annotations.injectNodejs} to the name of one of them`,
  };
}
