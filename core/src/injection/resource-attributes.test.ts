import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { derivedAttributes, encodeAttributeValue, mergeAttributes } from './resource-attributes.js';

describe('resource attributes', () => {
  it('percent-encodes values that the OTel format or kubelet would misread', () => {
    expect(encodeAttributeValue('prod eu,1=2;$x%')).toBe('prod%20eu%2C1%3D2%3B%24x%25');
  });

  it('lets the XRayTracing override derived attributes in place and keeps pod name/uid as kubelet references', () => {
    const spec = resolveSpec({ resourceAttributes: { 'cloud.platform': 'custom', team: 'a b' } });
    const attributes = new Map(derivedAttributes({ namespace: 'shop', containerName: 'app' }, spec));
    expect(attributes.get('cloud.platform')).toBe('custom');
    expect(attributes.get('team')).toBe('a%20b');
    expect(attributes.get('k8s.pod.name')).toBe('$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)');
    expect([...attributes.keys()].indexOf('cloud.platform')).toBeLessThan([...attributes.keys()].indexOf('team'));
  });

  it("keeps the user's own keys and appends only the missing ones", () => {
    expect(mergeAttributes('team=x, k8s.namespace.name=mine', [['k8s.namespace.name', 'shop'], ['a', '1']])).toBe('team=x, k8s.namespace.name=mine,a=1');
    expect(mergeAttributes(undefined, [['a', '1']])).toBe('a=1');
    expect(mergeAttributes('  ', [['a', '1']])).toBe('a=1');
  });
});
