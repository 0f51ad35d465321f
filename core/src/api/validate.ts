// Validates an XRayTracing against the CRD schema (ajv, like the API server with kubectl's strict field validation:
// unknown fields are errors) and the CEL rules mirrored in TypeScript, then resolves its defaults.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { API_GROUP_VERSION, XRAY_TRACING_KIND } from '../constants.js';
import { crossFieldErrors } from './cross-field.js';
import type { FieldError } from './cross-field.js';
import { resolveSpec, type OperatorDefaults } from './defaults.js';
import { awsEndpointErrors } from './endpoint-policy.js';
import type { JSONSchema } from './schema-builders.js';
import { ResourceAttributeLimits, openAPIV3Schema } from './schema.js';
import type { ResolvedSpec, XRayTracing } from './types.js';

export type { FieldError } from './cross-field.js';

export type ValidationResult = { ok: true; tracing: XRayTracing; spec: ResolvedSpec } | { ok: false; errors: FieldError[] };

const KUBERNETES_KEYWORDS = ['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-preserve-unknown-fields'];

/** The CRD schema made strict for ajv: closed objects (unknown fields are errors) and unique `set` lists. */
function strictSchema(schema: JSONSchema): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, strictSchema(v)]));
    if (schema.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = strictSchema(schema.additionalProperties);
  if (schema.items) out.items = strictSchema(schema.items);
  if (schema['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  return out;
}

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, keywords: KUBERNETES_KEYWORDS, formats: { 'date-time': true } }).compile(
    strictSchema(openAPIV3Schema),
  );
  return compiled;
}

/** `/spec/sampling/rules/0/name` → `spec.sampling.rules[0].name`. */
function toFieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1);
  if (child !== undefined) segments.push(child);
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

const shown = (value: unknown): string => JSON.stringify(value);

function describeAjvError(e: ErrorObject): FieldError {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as JSONSchema | undefined)?.properties ?? {});
      return { path: toFieldPath(e.instancePath, String(params.additionalProperty)), message: `unknown field; allowed fields: ${allowed.join(', ')}` };
    }
    case 'required':
      return { path: toFieldPath(e.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'enum':
      return { path: toFieldPath(e.instancePath), message: `must be one of ${(params.allowedValues as unknown[]).map(shown).join(', ')} (got ${shown(e.data)})` };
    case 'pattern':
      return { path: toFieldPath(e.instancePath), message: `must match ${String(params.pattern)} (got ${shown(e.data)})` };
    case 'uniqueItems':
      return { path: toFieldPath(e.instancePath), message: `must not contain duplicates (items ${String(params.j)} and ${String(params.i)} are equal)` };
    case 'maxLength': {
      const path = toFieldPath(e.instancePath);
      // The one limit that is not ours to choose; say whose it is.
      const why = path.startsWith('spec.resourceAttributes.') ? `: ${ResourceAttributeLimits.whyLimited}` : '';
      return { path, message: `${e.message ?? 'is too long'} (got ${[...String(e.data)].length})${why}` };
    }
    case 'minimum':
    case 'maximum':
    case 'type':
      return { path: toFieldPath(e.instancePath), message: `${e.message ?? 'is invalid'} (got ${shown(e.data)})` };
    default:
      return { path: toFieldPath(e.instancePath), message: e.message ?? 'is invalid' };
  }
}

function envelopeErrors(obj: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  if (obj.apiVersion !== API_GROUP_VERSION) errors.push({ path: 'apiVersion', message: `must be "${API_GROUP_VERSION}" (got ${shown(obj.apiVersion)})` });
  if (obj.kind !== XRAY_TRACING_KIND) errors.push({ path: 'kind', message: `must be "${XRAY_TRACING_KIND}" (got ${shown(obj.kind)})` });
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (typeof metadata?.name !== 'string' || metadata.name === '') errors.push({ path: 'metadata.name', message: 'is required' });
  return errors;
}

/**
 * Checks an XRayTracing (parsed YAML/JSON, or from the API server) and resolves its spec. A missing spec counts as
 * `spec: {}`, which is always valid. Never throws; never mutates its input.
 */
export function validateXRayTracing(obj: unknown, operatorDefaults?: OperatorDefaults): ValidationResult {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { ok: false, errors: [{ path: '', message: `must be an XRayTracing object (got ${Array.isArray(obj) ? 'an array' : shown(obj)})` }] };
  }
  const tracing = structuredClone(obj) as Record<string, unknown>;
  tracing.spec ??= {};
  const validate = schemaValidator();
  // Status is the operator's own output (validated by the API server's status subresource), not user input.
  const { status: _status, ...input } = tracing;
  const schemaErrors = validate(input) ? [] : (validate.errors ?? []).map(describeAjvError);
  const errors = [...envelopeErrors(tracing), ...schemaErrors];
  // CEL rules only run on a spec that passed the schema, as in the API server.
  if (schemaErrors.length === 0) {
    const { spec } = tracing as unknown as XRayTracing;
    errors.push(...crossFieldErrors(spec), ...awsEndpointErrors(spec, operatorDefaults?.awsEndpointAllowPattern));
  }
  if (errors.length > 0) return { ok: false, errors };
  const valid = tracing as unknown as XRayTracing;
  // Status is not validated (see above): take the account's export mode only when it is one.
  const accountExport = valid.status?.exportMode === 'otlp' || valid.status?.exportMode === 'xray' ? valid.status.exportMode : undefined;
  return { ok: true, tracing: valid, spec: resolveSpec(valid.spec, operatorDefaults, accountExport) };
}
