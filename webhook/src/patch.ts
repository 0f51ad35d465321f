// The difference between the admitted pod and the injected one, as an RFC 6902 patch computed by a library diff.
// jsondiffpatch: it skips subtrees the injected pod shares with the admitted one by reference and, unlike
// fast-json-patch, does not deep-clone the values it adds; they are only serialized once, into the answer.
// bench/patch-libraries.ts measures the libraries on the webhook's pods.
// The engine copies on write: the pod, its metadata and its spec are new objects, and below them only the fields it
// changed (containers, volumes, annotations…) are. So the diff walks those three objects itself and hands only the
// fields that differ to the library, then formats the deltas as one: the same operations as a diff of the whole pod,
// without the library's per-field work on the dozens of fields the engine left alone.
import { create } from 'jsondiffpatch';
import type { ArrayDelta, Delta } from 'jsondiffpatch';
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
 * What is walked here rather than handed to the library: the fields of an object (the engine's copies on write), with
 * the spines of those of its fields that are walked too, or the items of an array, pair by pair.
 */
type Spine = { fields: ReadonlyMap<string, Spine> } | { items: Spine };
const CONTAINER_SPINE: Spine = { fields: new Map() };
const POD_SPINE: Spine = {
  fields: new Map([
    ['metadata', { fields: new Map() }],
    [
      'spec',
      {
        fields: new Map([
          ['containers', { items: CONTAINER_SPINE }],
          ['initContainers', { items: CONTAINER_SPINE }],
        ]),
      },
    ],
  ]),
};

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The library's delta of two values, walking what the spine names the way the library would, so that formatting it
 * gives the operations, in order, of the library's diff of the whole. (Plain loops: a closure per object cost more
 * than the walk itself.)
 */
function spineDelta(left: unknown, right: unknown, spine: Spine): Delta {
  if ('items' in spine) return Array.isArray(left) && Array.isArray(right) ? itemsDelta(left, right, spine.items) : differ.diff(left, right);
  if (!isObject(left) || !isObject(right)) return differ.diff(left, right);
  let delta: Record<string, Delta> | undefined;
  for (const field of Object.keys(left)) {
    const before = left[field];
    const after = right[field];
    if (before === after) continue;
    const inner = spine.fields.get(field);
    const fieldDelta = inner ? spineDelta(before, after, inner) : differ.diff(before, after);
    if (fieldDelta !== undefined) (delta ??= {})[field] = fieldDelta;
  }
  for (const field of Object.keys(right)) {
    if (left[field] !== undefined) continue;
    const fieldDelta = differ.diff(undefined, right[field]);
    if (fieldDelta !== undefined) (delta ??= {})[field] = fieldDelta;
  }
  return delta;
}

/**
 * Arrays whose items the engine changed in place (a container gets env and a mount; none added, removed or moved):
 * the library matches such items by position and diffs each pair, and so does this, with the item's spine. Anything
 * else (another length, an item found at another index, a value that is not an object) goes to the library whole.
 */
function itemsDelta(left: unknown[], right: unknown[], item: Spine): Delta {
  if (left.length !== right.length) return differ.diff(left, right);
  for (let i = 0; i < left.length; i++) {
    if (left[i] !== right[i] && !(isObject(left[i]) && isObject(right[i]))) return differ.diff(left, right);
    if (right.some((other, j) => j !== i && other === left[i])) return differ.diff(left, right);
  }
  let delta: ArrayDelta | undefined;
  for (let i = 0; i < left.length; i++) {
    if (left[i] === right[i]) continue;
    const itemDelta = spineDelta(left[i], right[i], item);
    if (itemDelta !== undefined) (delta ??= { _t: 'a' })[i] = itemDelta;
  }
  return delta;
}

/**
 * The patch that turns `original` into `mutated`. `mutated` must be plain JSON data (no `undefined`, Dates or
 * class instances): what the patch carries is exactly what the API server will see. The operations' values are
 * `mutated`'s own objects, not copies: encode them before anything changes `mutated`.
 */
export function podPatch(original: object, mutated: object): Operation[] {
  const delta = spineDelta(original, mutated, POD_SPINE);
  const operations = delta === undefined ? [] : format(delta);
  for (const operation of operations) {
    if (FORBIDDEN_PATH.test(operation.path)) throw new Error(`Injection changed ${operation.path}, which admission must not change`);
  }
  return operations;
}

/**
 * JSON of the frozen objects encoded so far. The engine shares the parts it builds from a spec between pods, deeply
 * frozen (core/src/injection/shared-parts.ts): their JSON cannot change, and stringifying them (the collector config,
 * with a newline to escape on every line) was nearly half the cost of encoding a small pod's patch. Large ones are
 * kept as UTF-8 bytes, copied into the answer; small ones (env entries) as text, joined to the text around them: a
 * copy per entry cost more than the entry.
 */
const frozenJson = new WeakMap<object, string | Buffer>();
/** JSON this long or longer is kept as bytes. */
const FROZEN_BYTES_MIN_LENGTH = 1024;

const isFrozenObject = (value: unknown): value is object => typeof value === 'object' && value !== null && Object.isFrozen(value);

function frozenJsonOf(value: object): string | Buffer {
  let json = frozenJson.get(value);
  if (json === undefined) {
    const text = JSON.stringify(value);
    json = text.length >= FROZEN_BYTES_MIN_LENGTH ? Buffer.from(text) : text;
    frozenJson.set(value, json);
  }
  return json;
}

/** Whether the value's JSON comes from the frozen objects' bytes: it is one, or an array holding one. */
function holdsFrozen(value: unknown): boolean {
  return isFrozenObject(value) || (Array.isArray(value) && value.some(isFrozenObject));
}

/** `text` followed by a frozen value's JSON: the text that follows, with the bytes put in `pieces` when they are bytes. */
function withFrozen(pieces: (string | Buffer)[], text: string, value: object): string {
  const json = frozenJsonOf(value);
  if (typeof json === 'string') return text + json;
  pieces.push(text, json);
  return '';
}

/**
 * The operations as JSON, byte for byte what JSON.stringify gives, then base64. The JSON is put together as bytes:
 * large frozen values are copied from their cached bytes, and the text between them (small frozen values' cached
 * text, and the runs of other operations, one JSON.stringify call each: a call per operation cost more than the
 * text) is written once. Building it as one string
 * instead cost four copies of the patch in garbage, which the webhook then paid for in collections.
 */
export function encodePatch(operations: readonly Operation[]): Base64 {
  const pieces: (string | Buffer)[] = [];
  let text = '[';
  let runStart = 0;
  const endRun = (end: number): void => {
    if (end > runStart) text += `${runStart > 0 ? ',' : ''}${JSON.stringify(operations.slice(runStart, end)).slice(1, -1)}`;
  };
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i]!;
    if (!('value' in operation) || !holdsFrozen(operation.value)) continue;
    endRun(i);
    runStart = i + 1;
    text += `${i > 0 ? ',' : ''}{"op":"${operation.op}","path":${JSON.stringify(operation.path)},"value":`;
    const value = operation.value;
    if (!Array.isArray(value)) {
      text = withFrozen(pieces, text, value as object) + '}';
      continue;
    }
    text += '[';
    for (let item = 0; item < value.length; item++) {
      if (item > 0) text += ',';
      const itemValue: unknown = value[item];
      text = isFrozenObject(itemValue) ? withFrozen(pieces, text, itemValue) : text + JSON.stringify(itemValue);
    }
    text += ']}';
  }
  endRun(operations.length);
  pieces.push(`${text}]`);
  let length = 0;
  for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
  const json = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of pieces) offset += typeof piece === 'string' ? json.write(piece, offset) : piece.copy(json, offset);
  return json.toString('base64') as Base64;
}
