// The ConfigMap `xray-collector-<name>` holding the collector config an XRayTracing renders to: for people to read
// (`kubectl get cm xray-collector-default -o yaml`); pods get the same text env-embedded by the webhook.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { API_GROUP_VERSION, CollectorConfigMap, Labels, MANAGED_BY_VALUE, XRAY_TRACING_KIND } from '../../../../core/src/constants.js';
import type { XRayTracing } from '../../../../core/src/api/types.js';

export const COLLECTOR_CONFIG_KEY = 'collector.yaml';
export const CONFIG_HASH_KEY = 'config-hash';
/** Label naming the XRayTracing a ConfigMap belongs to. */
export const TRACING_LABEL = 'tracing.xray-operator.dev/xraytracing';

export function collectorConfigMapName(tracingName: string): string {
  return `${CollectorConfigMap.namePrefix}${tracingName}`;
}

/** The applied configuration (server-side apply): only the fields we own. */
export function desiredCollectorConfigMap(tracing: XRayTracing, collectorYaml: string, configHash: string): V1ConfigMap {
  const { name = '', namespace, uid = '' } = tracing.metadata;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: collectorConfigMapName(name),
      namespace,
      labels: {
        [Labels.managedBy]: MANAGED_BY_VALUE,
        [Labels.name]: CollectorConfigMap.appName,
        // Label values stop at 63 characters; object names may be longer (the owner reference still links them).
        ...(name.length <= 63 ? { [TRACING_LABEL]: name } : {}),
      },
      ownerReferences: [{ apiVersion: API_GROUP_VERSION, kind: XRAY_TRACING_KIND, name, uid, controller: true, blockOwnerDeletion: true }],
    },
    data: { [COLLECTOR_CONFIG_KEY]: collectorYaml, [CONFIG_HASH_KEY]: configHash },
  };
}

/**
 * Whether the cached ConfigMap already holds what we would apply, so a reconcile can skip the write (pod events re-run
 * reconciles often). The cache keeps no collector config text (strip.ts), so an empty one counts as equal when the hash matches.
 */
export function collectorConfigMapUpToDate(cached: V1ConfigMap | undefined, desired: V1ConfigMap): boolean {
  if (!cached) return false;
  const owner = desired.metadata?.ownerReferences?.[0];
  const ownedByUs = cached.metadata?.ownerReferences?.some((ref) => ref.uid === owner?.uid && ref.controller === true) ?? false;
  const labelsMatch = Object.entries(desired.metadata?.labels ?? {}).every(([key, value]) => cached.metadata?.labels?.[key] === value);
  const yaml = cached.data?.[COLLECTOR_CONFIG_KEY];
  return (
    ownedByUs &&
    labelsMatch &&
    cached.data?.[CONFIG_HASH_KEY] === desired.data?.[CONFIG_HASH_KEY] &&
    (!yaml || yaml === desired.data?.[COLLECTOR_CONFIG_KEY])
  );
}
