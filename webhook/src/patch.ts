// The difference between the admitted pod and the injected one, as an RFC 6902 patch computed by a library diff.
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

/**
 * Paths a mutating webhook must leave alone on CREATE: identity the API server checks against the request
 * (kind, name, namespace) and fields it owns (uid, resourceVersion, status…). A patch touching them is an engine bug.
 */
const FORBIDDEN_PATHS = [
  '/apiVersion',
  '/kind',
  '/status',
  '/metadata/name',
  '/metadata/generateName',
  '/metadata/namespace',
  '/metadata/uid',
  '/metadata/resourceVersion',
  '/metadata/generation',
  '/metadata/creationTimestamp',
  '/metadata/deletionTimestamp',
  '/metadata/deletionGracePeriodSeconds',
  '/metadata/managedFields',
];

/**
 * The patch that turns `original` into `mutated`. `mutated` must be plain JSON data (no `undefined`, Dates or
 * class instances): what the patch carries is exactly what the API server will see.
 */
export function podPatch(original: object, mutated: object): Operation[] {
  const operations = jsonPatch.compare(original, mutated);
  for (const operation of operations) {
    const forbidden = FORBIDDEN_PATHS.find((path) => operation.path === path || operation.path.startsWith(`${path}/`));
    if (forbidden !== undefined) throw new Error(`Injection changed ${operation.path}, which admission must not change`);
  }
  return operations;
}

export function encodePatch(operations: readonly Operation[]): string {
  return Buffer.from(JSON.stringify(operations)).toString('base64');
}
