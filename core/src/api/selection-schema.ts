// Schema of the spec fields that let an XRayTracing select workloads itself (selector, selectAll, exclude), with
// their CEL rules and the same rules in TypeScript for the CLI and the controller (cross-field.ts runs them).
import { LABEL_SELECTOR_OPERATORS, type LabelSelector } from '../selection/label-selector.js';
import type { CelRule, JSONSchema } from './schema-builders.js';
import { bool, list, obj, str, stringMap } from './schema-builders.js';
import type { FieldError } from './cross-field.js';
import type { SelectableWorkloadKind, XRayTracingSpec } from './types.js';

export const SELECTABLE_WORKLOAD_KINDS: readonly SelectableWorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

const SELECTOR_HAS_TERMS = '(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)';
const EMPTY_SELECTOR_MESSAGE = 'a selector needs matchLabels or matchExpressions; to select every pod of the namespace set selectAll: true';
const VALUES_MESSAGE = 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist';

const labelSelector = (description: string): JSONSchema =>
  obj(
    description,
    {
      matchLabels: stringMap('Labels the pod must carry with these values.', 64, str('Label value.', { maxLength: 63 })),
      matchExpressions: list(
        'Requirements on labels, ANDed with matchLabels and each other.',
        obj(
          'A label requirement.',
          {
            key: str('Label key.', { minLength: 1, maxLength: 317 }),
            operator: str('How the label is compared.', { enum: [...LABEL_SELECTOR_OPERATORS] }),
            values: list('Values for In and NotIn; empty for Exists and DoesNotExist.', str('A label value.', { maxLength: 63 }), 64),
          },
          {
            required: ['key', 'operator'],
            'x-kubernetes-validations': [
              {
                rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
                message: VALUES_MESSAGE,
                fieldPath: '.values',
                reason: 'FieldValueInvalid',
              },
            ],
          },
        ),
        32,
      ),
    },
    { 'x-kubernetes-validations': [{ rule: SELECTOR_HAS_TERMS, message: EMPTY_SELECTOR_MESSAGE, reason: 'FieldValueRequired' }] },
  );

/** Properties of the spec, next to serviceNaming, collector, sampling… */
export const selectionProperties: Record<string, JSONSchema> = {
  selector: labelSelector(
    'Selects pods by their labels (a Deployment\'s pod template labels) without the inject-nodejs annotation. A pod or workload annotated inject-nodejs "false" is never selected; one annotated "true" is injected whether selected or not.',
  ),
  selectAll: bool('Select every pod of the namespace (but those in exclude) without the inject-nodejs annotation.'),
  exclude: obj('Pods never selected by selector or selectAll, nor by the namespace\'s inject-nodejs annotation; their own annotation still opts them in.', {
    selector: labelSelector('Pods whose labels match are left out.'),
    workloads: list(
      'Workloads left out, by name (and kind).',
      obj(
        'A workload.',
        {
          name: str('Workload name.', { minLength: 1, maxLength: 253 }),
          kind: str('Workload kind; absent: any kind with that name.', { enum: [...SELECTABLE_WORKLOAD_KINDS] }),
        },
        { required: ['name'] },
      ),
      256,
    ),
  }),
};

const EXCLUSIVE_MESSAGE = 'selector and selectAll are exclusive: selectAll already selects every pod of the namespace (use exclude to leave some out)';

/** Spec-level CEL rules. */
export const SELECTION_SPEC_RULES: readonly CelRule[] = [
  { rule: '!has(self.selectAll) || !self.selectAll || !has(self.selector)', message: EXCLUSIVE_MESSAGE, fieldPath: '.selectAll', reason: 'FieldValueForbidden' },
];

const selectorErrors = (path: string, selector: LabelSelector | undefined): FieldError[] => {
  if (selector === undefined) return [];
  const expressions = selector.matchExpressions ?? [];
  const values = expressions.flatMap(({ operator, values = [] }, i) =>
    (operator === 'In' || operator === 'NotIn') === (values.length === 0) ? [{ path: `spec.${path}.matchExpressions[${i}].values`, message: VALUES_MESSAGE }] : [],
  );
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && expressions.length === 0;
  return [...values, ...(empty ? [{ path: `spec.${path}`, message: EMPTY_SELECTOR_MESSAGE }] : [])];
};

/** The CEL rules above, for a schema-valid spec. */
export function selectionErrors(spec: XRayTracingSpec): FieldError[] {
  return [
    ...(spec.selectAll === true && spec.selector !== undefined ? [{ path: 'spec.selectAll', message: EXCLUSIVE_MESSAGE }] : []),
    ...selectorErrors('selector', spec.selector),
    ...selectorErrors('exclude.selector', spec.exclude?.selector),
  ];
}
