// What the kubelet does to a container's env and command before it starts it: downward-API
// fieldRefs and `$(VAR)` expansion.
import type { V1Container, V1Pod } from '@kubernetes/client-node';

export interface PodPlacement {
  nodeName: string;
  podIP: string;
  hostIP: string;
}

function mapKeyRef(path: string, source: Record<string, string> | undefined): string | undefined {
  const match = /^metadata\.(?:labels|annotations)\['([^']+)'\]$/.exec(path);
  return match ? source?.[match[1]!] ?? '' : undefined;
}

/** The value of a downward-API `fieldRef.fieldPath`, as the kubelet gives it. */
export function downwardApiValue(pod: V1Pod, fieldPath: string, placement: PodPlacement): string {
  const metadata = pod.metadata ?? {};
  const simple: Record<string, string | undefined> = {
    'metadata.name': metadata.name,
    'metadata.namespace': metadata.namespace,
    'metadata.uid': metadata.uid,
    'spec.nodeName': pod.spec?.nodeName ?? placement.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': placement.podIP,
    'status.podIPs': placement.podIP,
    'status.hostIP': placement.hostIP,
    'status.hostIPs': placement.hostIP,
  };
  if (fieldPath in simple) return simple[fieldPath] ?? '';
  const fromMap = fieldPath.startsWith('metadata.labels')
    ? mapKeyRef(fieldPath, metadata.labels)
    : mapKeyRef(fieldPath, metadata.annotations);
  if (fromMap === undefined) throw new Error(`Pod runner does not support fieldRef ${fieldPath}`);
  return fromMap;
}

/** Kubelet `$(VAR)` expansion: defined names are replaced, unknown ones kept, `$$` escapes a `$`. */
export function expandVariables(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return variables.get(name) ?? whole;
  });
}

/** The container's env in kubelet order (literal values, `$(VAR)` over earlier vars, fieldRefs). */
export function resolveContainerEnv(pod: V1Pod, container: V1Container, placement: PodPlacement): Map<string, string> {
  if (container.envFrom?.length) throw new Error(`Pod runner does not support envFrom (container ${container.name})`);
  const env = new Map<string, string>();
  for (const variable of container.env ?? []) {
    if (variable.valueFrom) {
      const fieldPath = variable.valueFrom.fieldRef?.fieldPath;
      if (!fieldPath) throw new Error(`Pod runner supports only fieldRef valueFrom (env ${variable.name})`);
      env.set(variable.name, downwardApiValue(pod, fieldPath, placement));
    } else {
      env.set(variable.name, expandVariables(variable.value ?? '', env));
    }
  }
  return env;
}

/** The argv the kubelet runs: command + args with `$(VAR)` expanded (no image entrypoint here). */
export function containerArgv(container: V1Container, env: ReadonlyMap<string, string>): string[] {
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((part) => expandVariables(part, env));
  if (argv.length === 0) throw new Error(`Container ${container.name} has no command; the pod runner has no image entrypoint`);
  return argv;
}
