// Small builders for the structural OpenAPI v3 schema of the CRD: every field gets a description (for
// `kubectl explain`) and every string, list and map a bound (for the API server's CEL cost budget).

export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueDuplicate';
}

export interface JSONSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JSONSchema>;
  additionalProperties?: JSONSchema | boolean;
  required?: string[];
  items?: JSONSchema;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  pattern?: string;
  format?: string;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

type Extra = Omit<JSONSchema, 'type' | 'description'>;

export const str = (description: string, extra: Extra = {}): JSONSchema => ({ type: 'string', description, ...extra });
export const bool = (description: string, extra: Extra = {}): JSONSchema => ({ type: 'boolean', description, ...extra });
export const int = (description: string, extra: Extra = {}): JSONSchema => ({ type: 'integer', description, ...extra });
export const num = (description: string, extra: Extra = {}): JSONSchema => ({ type: 'number', description, ...extra });

export const obj = (description: string, properties: Record<string, JSONSchema>, extra: Extra = {}): JSONSchema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});

export const list = (description: string, items: JSONSchema, maxItems: number, extra: Extra = {}): JSONSchema => ({
  type: 'array',
  description,
  items,
  maxItems,
  ...extra,
});

/** A map of strings (`additionalProperties: {type: string}`). */
export const stringMap = (description: string, maxProperties: number, value: JSONSchema, extra: Extra = {}): JSONSchema => ({
  type: 'object',
  description,
  additionalProperties: value,
  maxProperties,
  ...extra,
});

/** The Kubernetes resource.Quantity syntax, as a string. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export const quantity = (description: string): JSONSchema => str(description, { maxLength: 32, pattern: QUANTITY_PATTERN });

export const resourceRequirements = (what: string): JSONSchema => {
  const amounts = (kind: string): JSONSchema =>
    obj(`${kind} for the ${what}.`, {
      cpu: quantity(`CPU ${kind.toLowerCase()} (Kubernetes quantity, e.g. 100m).`),
      memory: quantity(`Memory ${kind.toLowerCase()} (Kubernetes quantity, e.g. 64Mi).`),
    });
  return obj(`Compute resources of the ${what}. Default: set by the operator version.`, {
    requests: amounts('Requests'),
    limits: amounts('Limits'),
  });
};

export const pullPolicy = (what: string): JSONSchema =>
  str(`Image pull policy of the ${what}.`, { enum: ['Always', 'IfNotPresent', 'Never'], default: 'IfNotPresent' });
