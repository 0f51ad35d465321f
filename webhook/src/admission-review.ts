// The admission.k8s.io/v1 AdmissionReview wire format: what the API server sends and what it accepts back.

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_REVIEW_KIND = 'AdmissionReview';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** The fields of AdmissionRequest the webhook reads; the API server sends more (userInfo, options…). */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  operation: AdmissionOperation;
  namespace?: string;
  name?: string;
  /** The object being admitted; absent (null) for DELETE and CONNECT. */
  object?: Record<string, unknown>;
  dryRun?: boolean;
}

declare const base64Brand: unique symbol;
/** Text in the base64 alphabet (A–Z a–z 0–9 + / =), none of which JSON escapes. */
export type Base64 = string & { readonly [base64Brand]: true };

export interface AdmissionResponse {
  uid: string;
  allowed: true;
  patchType?: 'JSONPatch';
  /** Base64 of the RFC 6902 JSON patch. */
  patch?: Base64;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_REVIEW_KIND;
  response: AdmissionResponse;
}

/** The request body is not an AdmissionReview the webhook can answer: the caller gets HTTP 400. */
export class InvalidReviewError extends Error {
  override readonly name = 'InvalidReviewError';
}

const OPERATIONS: ReadonlySet<string> = new Set<AdmissionOperation>(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** Checks the shape of a parsed request body and returns its request; throws InvalidReviewError saying what is wrong. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isObject(body)) throw new InvalidReviewError('Request body is not a JSON object');
  if (body.kind !== ADMISSION_REVIEW_KIND) {
    throw new InvalidReviewError(`Expected kind ${ADMISSION_REVIEW_KIND}, got ${describe(body.kind)}`);
  }
  if (body.apiVersion !== ADMISSION_API_VERSION) {
    throw new InvalidReviewError(`Expected apiVersion ${ADMISSION_API_VERSION}, got ${describe(body.apiVersion)}`);
  }
  const request = body.request;
  if (!isObject(request)) throw new InvalidReviewError('AdmissionReview has no request');
  if (typeof request.uid !== 'string' || request.uid === '') throw new InvalidReviewError('AdmissionReview request has no uid');
  if (typeof request.operation !== 'string' || !OPERATIONS.has(request.operation)) {
    throw new InvalidReviewError(`AdmissionReview request has an unknown operation ${describe(request.operation)}`);
  }
  if (!isGroupVersion(request.kind, 'kind') || !isGroupVersion(request.resource, 'resource')) {
    throw new InvalidReviewError('AdmissionReview request needs kind {group, version, kind} and resource {group, version, resource}');
  }
  const hasObject = request.object !== undefined && request.object !== null;
  if (hasObject && !isObject(request.object)) throw new InvalidReviewError('AdmissionReview request object is not a JSON object');
  // The API server always sends the object for CREATE and UPDATE; only DELETE and CONNECT go without.
  if (!hasObject && (request.operation === 'CREATE' || request.operation === 'UPDATE')) {
    throw new InvalidReviewError(`AdmissionReview ${request.operation} request has no object`);
  }
  return request as unknown as AdmissionRequest;
}

/** Whether the webhook acts on this request: creating a Pod (not a subresource). Everything else is admitted as is. */
export function isPodCreate(request: AdmissionRequest): boolean {
  return (
    request.operation === 'CREATE' &&
    request.kind.group === '' &&
    request.kind.version === 'v1' &&
    request.kind.kind === 'Pod' &&
    request.resource.resource === 'pods' &&
    !request.subResource
  );
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_REVIEW_KIND, response };
}

/**
 * The response body: `reviewResponse` as JSON bytes, with the patch copied in rather than passed through
 * JSON.stringify, which would scan its few KiB character by character for nothing to escape. Bytes, not a string:
 * the socket would otherwise measure and convert the whole text again for every answer.
 */
export function serializeReviewResponse(response: AdmissionResponse): Buffer {
  const { patch, ...rest } = response;
  const json = JSON.stringify(reviewResponse(rest));
  if (patch === undefined) return Buffer.from(json);
  // `json` ends with the two closing braces of the response and the review; base64 is ASCII, a byte per character.
  const head = `${json.slice(0, -2)},"patch":"`;
  const headBytes = Buffer.byteLength(head);
  const body = Buffer.allocUnsafe(headBytes + patch.length + 3);
  body.write(head, 0);
  body.write(patch, headBytes, 'latin1');
  body.write('"}}', headBytes + patch.length, 'latin1');
  return body;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isGroupVersion(value: unknown, nameField: 'kind' | 'resource'): boolean {
  return isObject(value) && typeof value.group === 'string' && typeof value.version === 'string' && typeof value[nameField] === 'string';
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 64);
}
