// The OTEL_RESOURCE_ATTRIBUTES format as the OpenTelemetry JS SDK reads it (@opentelemetry/resources, env detector):
// the value is split on `,` (blank entries skipped), each entry on `=`; key and value are trimmed and percent-decoded
// with decodeURIComponent. An entry without exactly one `=`, an empty key, a bad escape, or a key or value longer than
// 255 UTF-16 code units AFTER decoding makes the SDK drop EVERY attribute of the variable.
import { ResourceAttributeLimits } from '../api/schema.js';

const { maxKeyLength, maxValueLength, whyLimited } = ResourceAttributeLimits;

/**
 * What is written raw: W3C Baggage value octets (the format OTEL_RESOURCE_ATTRIBUTES follows) except `=` (the SDK's
 * key/value separator), `%` (it decodes escapes) and `$` (kubelet expands `$(VAR)`). Everything else is
 * percent-encoded as UTF-8, which decodeURIComponent turns back into the same text.
 */
const RAW_CHARACTERS = '\\x21\\x23\\x26-\\x2b\\x2d-\\x3a\\x3c\\x3e-\\x5b\\x5d-\\x7e';
const NEEDS_ENCODING = new RegExp(`[^${RAW_CHARACTERS}]`, 'gu');
/** Text that needs no encoding: nearly every key and value on the admission path; one test is cheaper than two replaces. */
const WRITTEN_RAW = new RegExp(`^[${RAW_CHARACTERS}]*$`);
/** A lone UTF-16 surrogate cannot be UTF-8 encoded (encodeURIComponent would throw): it becomes U+FFFD. */
const LONE_SURROGATE = /\p{Surrogate}/gu;

/** Percent-encodes a key or value so the SDK decodes it back unchanged. */
export function encodeAttributeText(text: string): string {
  if (WRITTEN_RAW.test(text)) return text;
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(NEEDS_ENCODING, (char) => encodeURIComponent(char));
}

/** Why the SDK would reject this decoded key and value (and with them every attribute), if it would. */
export function attributeLengthProblem(key: string, value: string): string | undefined {
  if (key.length === 0) return 'its key is empty';
  if (key.length > maxKeyLength) return `its key has ${key.length} characters (limit ${maxKeyLength}) and ${whyLimited}`;
  if (value.length > maxValueLength) return `its value has ${value.length} characters (limit ${maxValueLength}) and ${whyLimited}`;
  return undefined;
}

const safeDecode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

type Entry = { key: string; problem?: undefined } | { key?: undefined; problem: string };

/** An entry (`key=value`, percent-encoded) as the SDK reads it: its decoded key, or why it rejects the variable. */
function readEntry(entry: string): Entry {
  const parts = entry.split('=');
  if (parts.length !== 2) return { problem: "it is not one key=value pair (',' and '=' must be percent-encoded)" };
  const [key, value] = parts.map((part) => safeDecode(part.trim()));
  if (key === undefined || value === undefined) return { problem: 'it has a malformed percent-escape' };
  const problem = attributeLengthProblem(key, value);
  return problem ? { problem } : { key };
}

/** Decoded keys of the entries the SDK accepts. */
export function attributeKeys(value: string): Set<string> {
  const keys = new Set<string>();
  for (const entry of value.split(',')) {
    const { key } = entry.trim() ? readEntry(entry) : {};
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

export interface ReadableAttributes {
  /** The value without the entries the SDK would reject (unchanged when there are none). */
  value: string;
  /** Each left-out entry and why. */
  dropped: { entry: string; problem: string }[];
}

/**
 * Leaves out the entries that would make the SDK drop every attribute. `asSeen` maps an entry to the text the process
 * will see (kubelet turns `$$` into `$` in explicit values); `$(VAR)` references are taken as written.
 */
export function withoutRejectedEntries(value: string, asSeen: (entry: string) => string = (entry) => entry): ReadableAttributes {
  const dropped: ReadableAttributes['dropped'] = [];
  const kept = value.split(',').filter((entry) => {
    if (!entry.trim()) return true;
    const { problem } = readEntry(asSeen(entry));
    if (problem) dropped.push({ entry: entry.trim(), problem });
    return !problem;
  });
  return { value: dropped.length ? kept.join(',') : value, dropped };
}
