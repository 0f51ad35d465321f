// Resource attribute keys the operator sets itself: an XRayTracing may not set them. k8s.namespace.name scopes the
// namespace's X-Ray sampling rules, so claiming another namespace's would spend that namespace's reservoir; the
// others describe where a span really came from. Pod labels and annotations (k8s.pod.label.*, k8s.pod.annotation.*)
// are the user's to add: the operator sets none.
export const RESERVED_RESOURCE_ATTRIBUTES = {
  prefixes: ['k8s.', 'cloud.'],
  keys: ['service.name'],
  userPrefixes: ['k8s.pod.label.', 'k8s.pod.annotation.'],
} as const;

const { prefixes, keys, userPrefixes } = RESERVED_RESOURCE_ATTRIBUTES;

export function isReservedResourceAttribute(key: string): boolean {
  if (userPrefixes.some((prefix) => key.startsWith(prefix))) return false;
  return (keys as readonly string[]).includes(key) || prefixes.some((prefix) => key.startsWith(prefix));
}

/** The same test as a CEL rule over the map's keys, for the CRD. */
export const RESERVED_KEYS_RULE = `self.all(k, ${[
  ...userPrefixes.map((prefix) => `k.startsWith("${prefix}")`),
  `(${[...prefixes.map((prefix) => `!k.startsWith("${prefix}")`), ...keys.map((key) => `k != "${key}"`)].join(' && ')})`,
].join(' || ')})`;

/** For messages: `k8s.*, cloud.*, service.name`. */
export const reservedAttributesText = [...prefixes.map((p) => `${p}*`), ...keys].join(', ');
