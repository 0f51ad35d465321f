// Test support: the environment a container really starts with, following kubelet's rules (envFrom sources in order,
// then env entries in order, each explicit value expanded against what is defined so far: `$(VAR)` → its value when
// defined, else left as is; `$$` → `$`). Lets tests compare what a process sees before and after injection.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { ConfigMapLike } from '../../ports.js';
import type { ContainerLike } from '../types.js';

export interface ValueSources {
  configMap: (name: string) => ConfigMapLike | undefined;
  /** Secret data as the test imagines it (the engine never sees it). */
  secret: (name: string) => Record<string, string> | undefined;
  /** Downward API values, by field path. */
  field: (fieldPath: string) => string;
}

/** Kubelet's `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion). */
export function expand(value: string, defined: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const next = value[i + 1];
    if (ch !== '$' || next === undefined) {
      out += ch;
    } else if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = value.indexOf(')', i + 2);
      if (close < 0) {
        out += value.slice(i);
        break;
      }
      const name = value.slice(i + 2, close);
      out += defined.get(name) ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

function fromEnvFrom(container: ContainerLike, sources: ValueSources, env: Map<string, string>): void {
  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef ? sources.configMap(source.configMapRef.name ?? '')?.data : source.secretRef ? sources.secret(source.secretRef.name ?? '') : undefined;
    for (const [key, value] of Object.entries(data ?? {})) env.set(`${source.prefix ?? ''}${key}`, value);
  }
}

function resolveValueFrom(entry: V1EnvVar, sources: ValueSources): string | undefined {
  const from = entry.valueFrom;
  if (from?.fieldRef) return sources.field(from.fieldRef.fieldPath);
  if (from?.configMapKeyRef) return sources.configMap(from.configMapKeyRef.name ?? '')?.data?.[from.configMapKeyRef.key];
  if (from?.secretKeyRef) return sources.secret(from.secretKeyRef.name ?? '')?.[from.secretKeyRef.key];
  return undefined;
}

/** The container's environment at start. Optional references that resolve to nothing leave the variable unset. */
export function effectiveEnv(container: ContainerLike, sources: ValueSources): Map<string, string> {
  const env = new Map<string, string>();
  fromEnvFrom(container, sources, env);
  for (const entry of container.env ?? []) {
    const value = entry.valueFrom ? resolveValueFrom(entry, sources) : expand(entry.value ?? '', env);
    if (value !== undefined) env.set(entry.name, value);
  }
  return env;
}
