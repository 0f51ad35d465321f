// The difference between the admitted pod and the injected one, as an RFC 6902 patch computed by a library diff.
// jsondiffpatch: it skips subtrees the injected pod shares with the admitted one by reference (the engine copies on
// write, so that is everything but the containers, volumes and annotations it changed) and, unlike fast-json-patch,
// does not deep-clone the values it adds; they are only serialized once, into the answer. bench/patch-libraries.ts
// measures the libraries on the webhook's pods.
import { create } from 'jsondiffpatch';
import { format, type Op } from 'jsondiffpatch/formatters/jsonpatch';
import type { Base64 } from './admission-review.js';

export type Operation = Op;

// Arrays: items are matched by reference (unchanged containers, env vars, volumes are the input's objects) and by
// position otherwise. No moves: every operation then has one path, which the check below covers. No text diffs:
// RFC 6902 has none, and strings are replaced whole.
const differ = create({ arrays: { detectMove: false } });

/**
 * Paths a mutating webhook must leave alone on CREATE: identity the API server checks against the request
 * (kind, name, namespace) and fields it owns (uid, resourceVersion, status…). A patch touching them is an engine bug.
 */
const FORBIDDEN_PATH =
  /^\/(apiVersion|kind|status|metadata\/(name|generateName|namespace|uid|resourceVersion|generation|creationTimestamp|deletionTimestamp|deletionGracePeriodSeconds|managedFields))(\/|$)/;

/**
 * The patch that turns `original` into `mutated`. `mutated` must be plain JSON data (no `undefined`, Dates or
 * class instances): what the patch carries is exactly what the API server will see. The operations' values are
 * `mutated`'s own objects, not copies: encode them before anything changes `mutated`.
 */
export function podPatch(original: object, mutated: object): Operation[] {
  const delta = differ.diff(original, mutated);
  const operations = delta === undefined ? [] : format(delta);
  for (const operation of operations) {
    if (FORBIDDEN_PATH.test(operation.path)) throw new Error(`Injection changed ${operation.path}, which admission must not change`);
  }
  return operations;
}

export function encodePatch(operations: readonly Operation[]): Base64 {
  return Buffer.from(JSON.stringify(operations)).toString('base64') as Base64;
}
