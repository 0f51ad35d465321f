// The CRD's CEL rules (x-kubernetes-validations in schema.ts) and list-map key uniqueness, mirrored in TypeScript so
// the CLI and the controller report exactly what the API server would reject. Runs on a schema-valid spec.
import { SAMPLING_NAMESPACE_ATTRIBUTE } from '../constants.js';
import { monitoringErrors } from './monitoring-checks.js';
import { isReservedResourceAttribute } from './reserved-attributes.js';
import { RESERVED_KEYS_MESSAGE, ResourceAttributeLimits, SamplingLimits } from './schema.js';
import { selectionErrors } from './selection-schema.js';
import type { XRayTracingSpec } from './types.js';

export interface FieldError {
  /** Dotted path from the object root, e.g. `spec.sampling.rules[0].name`. */
  path: string;
  message: string;
}

type Check = (spec: XRayTracingSpec) => FieldError[];

const at = (path: string, message: string): FieldError[] => [{ path: `spec.${path}`, message }];

const duplicateKeys = (path: string, keys: string[], what: string): FieldError[] => {
  return keys.flatMap((key, i) =>
    keys.indexOf(key) < i ? at(`${path}[${i}].name`, `duplicate ${what} "${key}"; names must be unique`) : [],
  );
};

/** Like the CEL rule `self.all(k, size(k) >= 1 && size(k) <= max)`: size() counts code points, as `[...k]` does. */
const someKeyLengthOutside = (keys: string[], max: number): boolean => keys.some((k) => k === '' || [...k].length > max);

const gatewayNeedsEndpoint: Check = ({ collector }) =>
  collector?.mode === 'gateway' && !collector.endpoint ? at('collector.endpoint', 'collector.endpoint is required when collector.mode is gateway') : [];

const gatewaySamplingNeedsProxy: Check = ({ collector, sampling }) =>
  collector?.mode === 'gateway' && sampling?.mode !== 'local' && !collector.samplingEndpoint
    ? at('collector.samplingEndpoint', 'collector.samplingEndpoint is required when collector.mode is gateway and sampling.mode is centralized')
    : [];

const instrumentationsDisjoint: Check = ({ instrumentation }) => {
  const disabled = new Set(instrumentation?.disabledInstrumentations ?? []);
  const both = (instrumentation?.enabledInstrumentations ?? []).filter((name) => disabled.has(name));
  return both.length ? at('instrumentation.disabledInstrumentations', `an instrumentation cannot be both enabled and disabled: ${both.join(', ')}`) : [];
};

const rulesOnlyWhenCentralized: Check = ({ sampling }) =>
  sampling?.mode === 'local' && sampling.rules?.length
    ? at('sampling.rules', 'sampling.rules are only used in centralized mode; remove them or set sampling.mode to centralized')
    : [];

const ruleNames: Check = ({ sampling }) => {
  const rules = sampling?.rules ?? [];
  const reserved = rules.flatMap((rule, i) =>
    rule.name === SamplingLimits.catchAllRuleName
      ? at(
          `sampling.rules[${i}].name`,
          `rule name "${SamplingLimits.catchAllRuleName}" is reserved for the namespace's catch-all rule (set sampling.fixedRate and sampling.reservoirSize instead)`,
        )
      : [],
  );
  return [...reserved, ...duplicateKeys('sampling.rules', rules.map((r) => r.name), 'sampling rule name')];
};

const ruleAttributes: Check = ({ sampling }) =>
  (sampling?.rules ?? []).flatMap((rule, i) => {
    const keys = Object.keys(rule.attributes ?? {});
    const path = `sampling.rules[${i}].attributes`;
    return [
      ...(someKeyLengthOutside(keys, 32) ? at(path, 'attribute keys must be 1 to 32 characters') : []),
      ...(keys.includes(SAMPLING_NAMESPACE_ATTRIBUTE)
        ? at(path, `${SAMPLING_NAMESPACE_ATTRIBUTE} is set by the operator to scope rules to the namespace`)
        : []),
    ];
  });

const { maxKeyLength, keyPattern, keyCharacters, whyLimited } = ResourceAttributeLimits;
const KEY_PATTERN = new RegExp(keyPattern);

const resourceAttributeKeys: Check = ({ resourceAttributes }) => {
  const keys = Object.keys(resourceAttributes ?? {});
  const badCharacters = keys.some((k) => !KEY_PATTERN.test(k));
  return [
    ...(someKeyLengthOutside(keys, maxKeyLength) ? at('resourceAttributes', `attribute keys must be 1 to ${maxKeyLength} characters: ${whyLimited}`) : []),
    ...(badCharacters ? at('resourceAttributes', `attribute keys may contain only ${keyCharacters}`) : []),
    ...(keys.some(isReservedResourceAttribute) ? at('resourceAttributes', RESERVED_KEYS_MESSAGE) : []),
  ];
};

/** The awsxray exporter (PutTraceSegments) refuses trace IDs without X-Ray's timestamp. */
const w3cIdsNeedOtlp: Check = ({ instrumentation, collector }) =>
  instrumentation?.traceIds === 'w3c' && collector?.exporter !== 'otlp' && collector?.mode !== 'none'
    ? at('instrumentation.traceIds', 'w3c trace IDs need collector.exporter otlp or collector.mode none: the awsxray exporter, which auto may choose, refuses them')
    : [];

/** Without a collector the preload is the exporter, and it only speaks OTLP. */
const noCollectorExportsOtlp: Check = ({ collector }) =>
  collector?.mode === 'none' && collector.exporter === 'xray'
    ? at('collector.exporter', "collector.mode none exports to X-Ray's OTLP endpoint: collector.exporter cannot be xray")
    : [];

const envNames: Check = ({ instrumentation }) =>
  duplicateKeys('instrumentation.env', (instrumentation?.env ?? []).map((e) => e.name), 'env var');

const CHECKS: readonly Check[] = [
  selectionErrors,
  gatewayNeedsEndpoint,
  gatewaySamplingNeedsProxy,
  instrumentationsDisjoint,
  rulesOnlyWhenCentralized,
  ruleNames,
  ruleAttributes,
  resourceAttributeKeys,
  envNames,
  w3cIdsNeedOtlp,
  monitoringErrors,
  noCollectorExportsOtlp,
];

/** Every cross-field error of a schema-valid spec. */
export function crossFieldErrors(spec: XRayTracingSpec): FieldError[] {
  return CHECKS.flatMap((check) => check(spec));
}
