// Extends a container's NODE_OPTIONS with the preload, wherever the user's value comes from, or says why it cannot.
import type { V1EnvVar } from '@kubernetes/client-node';
import { Env, NODE_OPTIONS_PRELOAD } from '../constants.js';
import type { ConfigMapLike } from '../ports.js';
import { envSource, escapeForKubelet } from './env-sources.js';
import type { ContainerLike } from './types.js';

/** Holds the user's `valueFrom` NODE_OPTIONS so ours can extend it with `$(…)`. */
export const USER_NODE_OPTIONS_ENV = 'XRAY_OPERATOR_USER_NODE_OPTIONS';

export type NodeOptionsResult =
  /** `appended`: NODE_OPTIONS is a new entry at the end (ours, free to move), not the user's entry rewritten in place. */
  | { ok: true; env: V1EnvVar[]; appended: boolean; warnings: string[] }
  | { ok: false; warning: string };

const withPreload = (value: string): string => (value.trim() === '' ? NODE_OPTIONS_PRELOAD : `${value} ${NODE_OPTIONS_PRELOAD}`);

function replaceAt(env: readonly V1EnvVar[], index: number, entries: V1EnvVar[]): V1EnvVar[] {
  return [...env.slice(0, index), ...entries, ...env.slice(index + 1)];
}

/**
 * The container's env with NODE_OPTIONS carrying the preload. Returns `ok: false` when the value cannot be extended
 * safely (an optional `valueFrom`: if absent, kubelet would pass a literal `$(…)` to node, which refuses to start).
 */
export function extendNodeOptions(
  container: ContainerLike,
  getConfigMap: (name: string) => ConfigMapLike | undefined,
): NodeOptionsResult {
  const env = container.env ?? [];
  const source = envSource(container, Env.nodeOptions, getConfigMap);
  const where = `container "${container.name}"`;
  switch (source.kind) {
    case 'none':
      return { ok: true, env: [...env, { name: Env.nodeOptions, value: NODE_OPTIONS_PRELOAD }], appended: true, warnings: [] };
    case 'literal':
      if (source.value.includes(NODE_OPTIONS_PRELOAD)) return { ok: true, env: [...env], appended: false, warnings: [] };
      return {
        ok: true,
        env: replaceAt(env, source.index, [{ name: Env.nodeOptions, value: withPreload(source.value) }]),
        appended: false,
        warnings: [],
      };
    case 'configMap': {
      if (source.value.includes(NODE_OPTIONS_PRELOAD)) return { ok: true, env: [...env], appended: false, warnings: [] };
      const value = withPreload(escapeForKubelet(source.value));
      return { ok: true, env: [...env, { name: Env.nodeOptions, value }], appended: true, warnings: [] };
    }
    case 'valueFrom': {
      const original = env[source.index];
      if (!original || source.optional) {
        return {
          ok: false,
          warning:
            `Skipped ${where}: its ${Env.nodeOptions} comes from an optional valueFrom that may be absent, so it cannot be extended safely; ` +
            `make the reference non-optional or set ${Env.nodeOptions} as a literal`,
        };
      }
      const kept: V1EnvVar = { name: USER_NODE_OPTIONS_ENV, valueFrom: original.valueFrom };
      const extended: V1EnvVar = { name: Env.nodeOptions, value: withPreload(`$(${USER_NODE_OPTIONS_ENV})`) };
      return { ok: true, env: replaceAt(env, source.index, [kept, extended]), appended: false, warnings: [] };
    }
    case 'opaque': {
      const assumed = source.otherwise ? `the value of ConfigMap "${source.otherwise.configMapName}" and the preload` : 'only the preload';
      return {
        ok: true,
        env: [...env, { name: Env.nodeOptions, value: withPreload(escapeForKubelet(source.otherwise?.value ?? '')) }],
        appended: true,
        warnings: [
          `Container "${container.name}": ${source.sourceKind} "${source.sourceName}" (envFrom) may set ${Env.nodeOptions}, which the webhook cannot read; ` +
            `an explicit ${Env.nodeOptions} with ${assumed} was added and takes precedence. To keep your options, ` +
            `set ${Env.nodeOptions} explicitly in env (a literal, or valueFrom the same ${source.sourceKind} key)`,
        ],
      };
    }
  }
}
