import { describe, expect, it } from 'vitest';
import { InvalidReviewError, isPodCreate, parseAdmissionReview, reviewResponse, serializeReviewResponse } from './admission-review.js';
import type { AdmissionResponse, Base64 } from './admission-review.js';
import { fixture } from './testing/fixtures.js';

describe('parseAdmissionReview', () => {
  it('returns the request of a v1 AdmissionReview', () => {
    const review = fixture('small-pod');
    expect(parseAdmissionReview(review)).toBe(review.request);
  });

  it('accepts DELETE without an object (the API server sends only oldObject)', () => {
    const review = fixture('update-operation');
    review.request.operation = 'DELETE';
    review.request.object = null;
    expect(parseAdmissionReview(review).operation).toBe('DELETE');
  });

  it.each([
    ['null', null, /not a JSON object/],
    ['an unknown operation', { request: { operation: 'PATCH' } }, /unknown operation "PATCH"/],
    ['a request without kind', { request: { kind: undefined } }, /needs kind/],
    ['an object that is an array', { request: { object: [] } }, /object is not a JSON object/],
    ['an empty uid', { request: { uid: '' } }, /no uid/],
  ])('rejects %s saying what is wrong', (_name, change, message) => {
    const review = fixture('small-pod');
    const body = change === null ? null : { ...review, request: { ...review.request, ...change.request } };
    expect(() => parseAdmissionReview(body)).toThrow(InvalidReviewError);
    expect(() => parseAdmissionReview(body)).toThrow(message);
  });
});

describe('isPodCreate', () => {
  it('is true only for CREATE of core/v1 pods, not for subresources, updates or other kinds', () => {
    const pod = fixture('small-pod').request;
    expect(isPodCreate(pod)).toBe(true);
    expect(isPodCreate({ ...pod, subResource: 'ephemeralcontainers' })).toBe(false);
    expect(isPodCreate(fixture('update-operation').request)).toBe(false);
    expect(isPodCreate(fixture('non-pod-resource').request)).toBe(false);
  });
});

describe('serializeReviewResponse', () => {
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/annotations/a~1b', value: 'x"\\\n' }])).toString('base64') as Base64;
  it.each<[string, AdmissionResponse]>([
    ['without a patch', { uid: 'u-1', allowed: true }],
    ['with a patch', { uid: 'u-2', allowed: true, patchType: 'JSONPatch', patch }],
    ['with a patch and warnings that JSON escapes', { uid: 'u-"3"', allowed: true, patchType: 'JSONPatch', patch, warnings: ['a "quoted" \\ warning', 'é…'] }],
    ['with an empty patch', { uid: 'u-4', allowed: true, patchType: 'JSONPatch', patch: '' as Base64 }],
  ])('%s: is JSON of the review response', (_name, response) => {
    expect(JSON.parse(serializeReviewResponse(response).toString())).toEqual(reviewResponse(response));
  });
});
