// Where a container's environment variable gets its value, following kubelet's rules: `envFrom` sources in order
// (a later one wins), then explicit `env` entries (which beat every `envFrom`; a later duplicate wins).
import type { V1EnvVar } from '@kubernetes/client-node';
import type { ConfigMapLike } from '../ports.js';
import type { ContainerLike } from './types.js';

export type EnvSource =
  | { kind: 'none' }
  /** An explicit `env` entry with a literal value (possibly empty). */
  | { kind: 'literal'; index: number; value: string }
  /** An explicit `env` entry with `valueFrom`. */
  | { kind: 'valueFrom'; index: number; optional: boolean }
  /** An `envFrom` ConfigMap the view holds, with the key present. */
  | { kind: 'configMap'; configMapName: string; value: string }
  /**
   * An `envFrom` source whose content the engine cannot see (a Secret, or a ConfigMap not found) and that may define
   * it; `otherwise` is the value an earlier, readable ConfigMap gives when that source does not.
   */
  | { kind: 'opaque'; sourceKind: 'Secret' | 'ConfigMap'; sourceName: string; otherwise?: { value: string; configMapName: string } };

/** Index of the entry kubelet takes for `name` (the last one), or -1. */
export function lastExplicitIndex(env: readonly V1EnvVar[], name: string): number {
  for (let i = env.length - 1; i >= 0; i--) if (env[i]?.name === name) return i;
  return -1;
}

function valueFromIsOptional(entry: V1EnvVar): boolean {
  const from = entry.valueFrom;
  return from?.configMapKeyRef?.optional === true || from?.secretKeyRef?.optional === true;
}

function fromEnvFrom(container: ContainerLike, name: string, getConfigMap: (name: string) => ConfigMapLike | undefined): EnvSource {
  const sources = container.envFrom ?? [];
  const latest = fromEnvFromSources(sources, sources.length - 1, name, getConfigMap);
  if (latest.source.kind !== 'opaque') return latest.source;
  const earlier = fromEnvFromSources(sources, latest.index - 1, name, getConfigMap).source;
  return earlier.kind === 'configMap' ? { ...latest.source, otherwise: { value: earlier.value, configMapName: earlier.configMapName } } : latest.source;
}

/** The last source at or before `from` that defines (or may define) `name`, and its index. */
function fromEnvFromSources(
  sources: NonNullable<ContainerLike['envFrom']>,
  from: number,
  name: string,
  getConfigMap: (name: string) => ConfigMapLike | undefined,
): { source: EnvSource; index: number } {
  for (let i = from; i >= 0; i--) {
    const source = sources[i];
    const prefix = source?.prefix ?? '';
    if (!source || !name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    if (source.configMapRef) {
      const cmName = source.configMapRef.name ?? '';
      const configMap = getConfigMap(cmName);
      if (!configMap) {
        // An optional ConfigMap that does not exist contributes nothing; a required one blocks the container until it exists.
        if (source.configMapRef.optional === true) continue;
        return { source: { kind: 'opaque', sourceKind: 'ConfigMap', sourceName: cmName }, index: i };
      }
      const value = configMap.data?.[key];
      if (value !== undefined) return { source: { kind: 'configMap', configMapName: cmName, value }, index: i };
      if (configMap.incomplete) return { source: { kind: 'opaque', sourceKind: 'ConfigMap', sourceName: cmName }, index: i };
    } else if (source.secretRef) {
      return { source: { kind: 'opaque', sourceKind: 'Secret', sourceName: source.secretRef.name ?? '' }, index: i };
    }
  }
  return { source: { kind: 'none' }, index: -1 };
}

/**
 * A container's environment as the user wrote it, worked out once: where each variable gets its value. Every step of
 * the injection asks this one view (never the env array another step has already changed), so the answers do not
 * depend on the order in which the steps run. Indexes are those of the user's `env`.
 */
export interface EffectiveEnv {
  readonly container: ContainerLike;
  /** Where `name` gets its value. */
  source(name: string): EnvSource;
  /**
   * Whether the user set `name` (explicitly or through a ConfigMap the engine can read). Opaque sources do not count:
   * every un-prefixed Secret "might" define every variable, and treating that as set would disable injection.
   */
  isUserSet(name: string): boolean;
}

export function effectiveEnv(container: ContainerLike, getConfigMap: (name: string) => ConfigMapLike | undefined): EffectiveEnv {
  const env = container.env ?? [];
  // Kubelet takes the last explicit entry of a name.
  const lastIndex = new Map<string, number>();
  env.forEach((entry, index) => lastIndex.set(entry.name, index));
  const sources = new Map<string, EnvSource>();
  const resolve = (name: string): EnvSource => {
    const index = lastIndex.get(name);
    const entry = index === undefined ? undefined : env[index];
    if (index !== undefined && entry) {
      if (entry.valueFrom) return { kind: 'valueFrom', index, optional: valueFromIsOptional(entry) };
      return { kind: 'literal', index, value: entry.value ?? '' };
    }
    return fromEnvFrom(container, name, getConfigMap);
  };
  const source = (name: string): EnvSource => {
    let found = sources.get(name);
    if (!found) sources.set(name, (found = resolve(name)));
    return found;
  };
  return {
    container,
    source,
    isUserSet(name) {
      const kind = source(name).kind;
      return kind === 'literal' || kind === 'valueFrom' || kind === 'configMap';
    },
  };
}

/**
 * Kubelet expands `$(VAR)` in explicit values and reads `$$` as `$`; any other `$` stays as written. So escaping only
 * a `$` that precedes `$` or `(` makes kubelet hand the process exactly `value`, and leaves values without such pairs
 * (a collector config's `${env:AWS_REGION}`) as they read.
 */
export function escapeForKubelet(value: string): string {
  return value.replace(/\$(?=[$(])/g, '$$$$');
}

/** What kubelet makes of `$$` in an explicit value (`$(VAR)` references are left as written). */
export function unescapeForKubelet(value: string): string {
  return value.replaceAll('$$', '$');
}

/** An explicit env entry with a literal value. */
export const literal = (name: string, value: string): V1EnvVar => ({ name, value });

export function replaceAt(env: readonly V1EnvVar[], index: number, entries: V1EnvVar[]): V1EnvVar[] {
  return [...env.slice(0, index), ...entries, ...env.slice(index + 1)];
}

/**
 * Replaces the user's `valueFrom` entry of `name` at `index` with a copy under `keptName` followed by our literal
 * `name`, whose value includes it as `$(keptName)` (kubelet expands references to earlier entries).
 */
export function extendValueFromEntry(env: readonly V1EnvVar[], index: number, name: string, keptName: string, extend: (reference: string) => string): V1EnvVar[] {
  const kept: V1EnvVar = { name: keptName, valueFrom: env[index]?.valueFrom };
  return replaceAt(env, index, [kept, literal(name, extend(`$(${keptName})`))]);
}
