// Schema of XRayTracing status (written by the controller through the status subresource).
import type { JSONSchema } from './schema-builders.js';
import { int, list, obj, str } from './schema-builders.js';

const conditionSchema = obj(
  'A condition of the XRayTracing (Kubernetes condition conventions).',
  {
    type: str('Ready, CollectorConfigReady, SamplingRulesSynced, …', { maxLength: 316 }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('Machine-readable reason in CamelCase.', { maxLength: 1024 }),
    message: str('Human-readable explanation.', { maxLength: 32768 }),
    lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
    observedGeneration: int('The metadata.generation the condition was computed from.', { minimum: 0 }),
  },
  { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
);

const ownedRuleSchema = obj(
  'An X-Ray sampling rule the operator owns for this XRayTracing.',
  {
    name: str('Name of the rule in the XRayTracing.'),
    ruleName: str('Name of the rule in X-Ray.'),
    ruleARN: str('ARN of the rule in X-Ray.'),
  },
  { required: ['name', 'ruleName'] },
);

export const statusSchema: JSONSchema = obj('Observed state, written by the operator.', {
  observedGeneration: int('The metadata.generation the status was computed from.', { minimum: 0 }),
  conditions: list('Current conditions.', conditionSchema, 16, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  samplingRules: list('X-Ray sampling rules the operator owns for this XRayTracing.', ownedRuleSchema, 32),
  exportMode: str('The exporter injected pods use: collector.exporter, with auto resolved from the account.', { enum: ['otlp', 'xray'] }),
  clusterName: str('Cluster name the owned X-Ray sampling rules are tagged with (the operator refuses to change it silently).'),
  injectedWorkloads: int('Workloads whose pods run with the injection of this XRayTracing.', { minimum: 0 }),
  configHash: str('Hash of the injection config pods are compared against.'),
  sampling: str('Summary shown by kubectl get: centralized (N rules) or local (ratio).'),
  lastError: str('The last error the operator met while reconciling.'),
});
