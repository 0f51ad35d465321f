// Work-queue keys: `namespace/name` for XRayTracings, `Kind/namespace/name` for workloads.

export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function splitObjectKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
