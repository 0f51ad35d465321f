// Extends a container's NODE_OPTIONS with the preload, wherever the user's value comes from, or says why it cannot.
import type { V1EnvVar } from '@kubernetes/client-node';
import { Env, NODE_OPTIONS_PRELOAD } from '../constants.js';
import { escapeForKubelet, extendValueFromEntry, replaceAt, type EffectiveEnv, type EnvSource } from './env-sources.js';
import type { ContainerLike } from './types.js';

/** Holds the user's `valueFrom` NODE_OPTIONS so ours can extend it with `$(…)`. */
export const USER_NODE_OPTIONS_ENV = 'XRAY_OPERATOR_USER_NODE_OPTIONS';

export type NodeOptionsResult =
  /** `appended`: NODE_OPTIONS is a new entry at the end (ours, free to move), not the user's entry rewritten in place. */
  | { ok: true; env: V1EnvVar[]; appended: boolean; warnings: string[] }
  | { ok: false; warning: string };

const withPreload = (value: string): string => (value.trim() === '' ? NODE_OPTIONS_PRELOAD : `${value} ${NODE_OPTIONS_PRELOAD}`);

const unchangedEnv = (env: V1EnvVar[]): NodeOptionsResult => ({ ok: true, env: [...env], appended: false, warnings: [] });
const appendedEnv = (env: V1EnvVar[], value: string, warnings: string[] = []): NodeOptionsResult => ({
  ok: true,
  env: [...env, { name: Env.nodeOptions, value }],
  appended: true,
  warnings,
});

/** A `valueFrom` kept under another name, in place, with NODE_OPTIONS extending it through `$(…)`. */
function extendValueFrom(container: ContainerLike, env: V1EnvVar[], index: number, optional: boolean): NodeOptionsResult {
  if (!env[index] || optional) {
    return {
      ok: false,
      warning:
        `Skipped container "${container.name}": its ${Env.nodeOptions} comes from an optional valueFrom that may be absent, so it cannot be ` +
        `extended safely; make the reference non-optional or set ${Env.nodeOptions} as a literal`,
    };
  }
  const extended = extendValueFromEntry(env, index, Env.nodeOptions, USER_NODE_OPTIONS_ENV, withPreload);
  return { ok: true, env: extended, appended: false, warnings: [] };
}

/** An envFrom source the webhook cannot read may set NODE_OPTIONS: ours wins, so say so and how to keep theirs. */
function overrideOpaque(container: ContainerLike, env: V1EnvVar[], source: Extract<EnvSource, { kind: 'opaque' }>): NodeOptionsResult {
  const assumed = source.otherwise ? `the value of ConfigMap "${source.otherwise.configMapName}" and the preload` : 'only the preload';
  const warning =
    `Container "${container.name}": ${source.sourceKind} "${source.sourceName}" (envFrom) may set ${Env.nodeOptions}, which the webhook cannot read; ` +
    `an explicit ${Env.nodeOptions} with ${assumed} was added and takes precedence. To keep your options, ` +
    `set ${Env.nodeOptions} explicitly in env (a literal, or valueFrom the same ${source.sourceKind} key)`;
  return appendedEnv(env, withPreload(escapeForKubelet(source.otherwise?.value ?? '')), [warning]);
}

/**
 * The container's env with NODE_OPTIONS carrying the preload. Returns `ok: false` when the value cannot be extended
 * safely (an optional `valueFrom`: if absent, kubelet would pass a literal `$(…)` to node, which refuses to start).
 */
export function extendNodeOptions(effective: EffectiveEnv): NodeOptionsResult {
  const { container } = effective;
  const env = container.env ?? [];
  const source = effective.source(Env.nodeOptions);
  switch (source.kind) {
    case 'none':
      return appendedEnv(env, NODE_OPTIONS_PRELOAD);
    case 'literal': {
      if (source.value.includes(NODE_OPTIONS_PRELOAD)) return unchangedEnv(env);
      const extended = replaceAt(env, source.index, [{ name: Env.nodeOptions, value: withPreload(source.value) }]);
      return { ok: true, env: extended, appended: false, warnings: [] };
    }
    case 'configMap':
      // envFrom values are not expanded by kubelet, explicit values are: escape `$` to keep the value as it was.
      return source.value.includes(NODE_OPTIONS_PRELOAD) ? unchangedEnv(env) : appendedEnv(env, withPreload(escapeForKubelet(source.value)));
    case 'valueFrom':
      return extendValueFrom(container, env, source.index, source.optional);
    case 'opaque':
      return overrideOpaque(container, env, source);
  }
}
