// Which containers get instrumented: the `container-names` annotation, else the default-container annotation,
// else the first container. Names may point at init containers too.
import { Annotations } from '../constants.js';
import type { PodMetadataLike } from './types.js';
import type { V1PodSpec } from '@kubernetes/client-node';

export interface ContainerSelection {
  /** Selected names of regular containers, in pod order. */
  containers: string[];
  /** Selected names of init containers, in pod order. */
  initContainers: string[];
  warnings: string[];
}

function parseNames(value: string): string[] {
  return [...new Set(value.split(',').map((name) => name.trim()).filter(Boolean))];
}

export function selectContainers(metadata: PodMetadataLike, spec: V1PodSpec): ContainerSelection {
  const containerNames = (spec.containers ?? []).map((c) => c.name);
  const initNames = (spec.initContainers ?? []).map((c) => c.name);
  const annotations = metadata.annotations ?? {};
  const listed = annotations[Annotations.containerNames];
  const warnings: string[] = [];
  if (listed !== undefined && listed.trim() !== '') {
    const wanted = parseNames(listed);
    const unknown = wanted.filter((name) => !containerNames.includes(name) && !initNames.includes(name));
    if (unknown.length) {
      warnings.push(`${Annotations.containerNames} names containers the pod does not have: ${unknown.join(', ')}`);
    }
    return {
      containers: containerNames.filter((name) => wanted.includes(name)),
      initContainers: initNames.filter((name) => wanted.includes(name)),
      warnings,
    };
  }
  const preferred = annotations[Annotations.defaultContainer]?.trim();
  if (preferred && containerNames.includes(preferred)) return { containers: [preferred], initContainers: [], warnings };
  if (preferred) warnings.push(`${Annotations.defaultContainer} names container "${preferred}" that the pod does not have; instrumented the first container`);
  const first = containerNames[0];
  return { containers: first === undefined ? [] : [first], initContainers: [], warnings };
}
