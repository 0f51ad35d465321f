// Extends a container's OTEL_RESOURCE_ATTRIBUTES with ours (the user's keys win), wherever the user's value comes
// from. Entries the SDK would reject are left out with a warning: one of them makes it drop every attribute,
// k8s.namespace.name too, which namespace-scoped sampling rules match.
import type { V1EnvVar } from '@kubernetes/client-node';
import { Env } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import { withoutRejectedEntries } from './attribute-format.js';
import { escapeForKubelet, extendValueFromEntry, lastExplicitIndex, literal, unescapeForKubelet, type EffectiveEnv, type EnvSource } from './env-sources.js';
import { derivedAttributes, mergeAttributes, namespaceBinding, type ResourceAttributeFacts } from './resource-attributes.js';
import type { ContainerLike } from './types.js';

/** Holds the user's `valueFrom` OTEL_RESOURCE_ATTRIBUTES so ours can include it with `$(…)`. */
export const USER_RESOURCE_ATTRIBUTES_ENV = 'XRAY_OPERATOR_USER_OTEL_RESOURCE_ATTRIBUTES';

export interface ResourceAttributesInput {
  /** The user's env, worked out once for the container. */
  effective: EffectiveEnv;
  spec: ResolvedSpec;
  attributes: ResourceAttributeFacts;
}

export interface ResourceAttributesStep {
  /** The container's env, with the user's entry rewritten in place where it had one. */
  env: V1EnvVar[];
  /** Our OTEL_RESOURCE_ATTRIBUTES when the container had no explicit entry to rewrite. */
  appended: V1EnvVar[];
  warnings: string[];
}

/**
 * The user's `valueFrom` kept under another name and referenced after ours: the SDK lets a later key win, and skips
 * the empty entry an empty value leaves.
 */
function extendValueFrom(env: V1EnvVar[], ours: [string, string][]): ResourceAttributesStep {
  const index = lastExplicitIndex(env, Env.resourceAttributes);
  const extend = (reference: string): string => [mergeAttributes(undefined, ours), reference, ...namespaceBinding(ours)].join(',');
  return { env: extendValueFromEntry(env, index, Env.resourceAttributes, USER_RESOURCE_ATTRIBUTES_ENV, extend), appended: [], warnings: [] };
}

/** An optional source may be absent, and a raw `$(…)` would make the SDK drop every attribute: leave it alone. */
function unextendable(env: V1EnvVar[], container: ContainerLike): ResourceAttributesStep {
  const warning =
    `Container "${container.name}": ${Env.resourceAttributes} comes from an optional valueFrom, so the Kubernetes resource ` +
    `attributes (k8s.namespace.name, k8s.pod.name…) were not added; namespace-scoped sampling rules will not match its spans`;
  return { env, appended: [], warnings: [warning] };
}

/** The user's value without the entries the SDK would reject, and a warning for each. */
function readableUserValue(value: string, container: ContainerLike, asSeen?: (entry: string) => string): { value: string; warnings: string[] } {
  const { value: kept, dropped } = withoutRejectedEntries(value, asSeen);
  const warnings = dropped.map(({ entry, problem }) => {
    const shown = entry.length > 64 ? `${entry.slice(0, 61)}...` : entry;
    return `Container "${container.name}": the entry "${shown}" was left out of its ${Env.resourceAttributes}: ${problem}`;
  });
  return { value: kept, warnings };
}

/** Where our value goes, given where the user's comes from. */
function placeAttributes(env: V1EnvVar[], input: ResourceAttributesInput, source: EnvSource, ours: [string, string][]): ResourceAttributesStep {
  switch (source.kind) {
    case 'literal': {
      const user = readableUserValue(source.value, input.effective.container, unescapeForKubelet);
      // NODE_OPTIONS may have added entries before this one; find it again by name (last one wins in kubelet).
      const index = lastExplicitIndex(env, Env.resourceAttributes);
      const merged = [...env];
      merged[index] = literal(Env.resourceAttributes, mergeAttributes(user.value, ours));
      return { env: merged, appended: [], warnings: user.warnings };
    }
    case 'configMap': {
      const user = readableUserValue(source.value, input.effective.container);
      return { env, appended: [literal(Env.resourceAttributes, mergeAttributes(escapeForKubelet(user.value), ours))], warnings: user.warnings };
    }
    case 'valueFrom':
      return extendValueFrom(env, ours);
    case 'none':
    case 'opaque':
      return { env, appended: [literal(Env.resourceAttributes, mergeAttributes(undefined, ours))], warnings: [] };
  }
}

/** Extends the user's OTEL_RESOURCE_ATTRIBUTES (their keys win), or adds ours. */
export function withResourceAttributes(env: V1EnvVar[], input: ResourceAttributesInput): ResourceAttributesStep {
  const source = input.effective.source(Env.resourceAttributes);
  if (source.kind === 'valueFrom' && source.optional) return unextendable(env, input.effective.container);
  const ours = derivedAttributes(input.attributes, input.spec);
  const step = placeAttributes(env, input, source, ours.attributes);
  return { ...step, warnings: [...ours.warnings, ...step.warnings] };
}
