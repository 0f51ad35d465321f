// The difference between the admitted pod and the injected one, as an RFC 6902 patch computed by a library diff.
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

/**
 * Paths a mutating webhook must leave alone on CREATE: identity the API server checks against the request
 * (kind, name, namespace) and fields it owns (uid, resourceVersion, status…). A patch touching them is an engine bug.
 */
const FORBIDDEN_PATH =
  /^\/(apiVersion|kind|status|metadata\/(name|generateName|namespace|uid|resourceVersion|generation|creationTimestamp|deletionTimestamp|deletionGracePeriodSeconds|managedFields))(\/|$)/;

/**
 * The patch that turns `original` into `mutated`. `mutated` must be plain JSON data (no `undefined`, Dates or
 * class instances): what the patch carries is exactly what the API server will see.
 */
export function podPatch(original: object, mutated: object): Operation[] {
  const operations = jsonPatch.compare(original, mutated);
  for (const operation of operations) {
    if (FORBIDDEN_PATH.test(operation.path)) throw new Error(`Injection changed ${operation.path}, which admission must not change`);
  }
  return operations;
}

export function encodePatch(operations: readonly Operation[]): string {
  return Buffer.from(JSON.stringify(operations)).toString('base64');
}
