import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { encodeAttributeText } from './attribute-format.js';
import { derivedAttributes, mergeAttributes } from './resource-attributes.js';

describe('resource attributes', () => {
  it('percent-encodes values that the OTel format or kubelet would misread', () => {
    expect(encodeAttributeText('prod eu,1=2;$x%')).toBe('prod%20eu%2C1%3D2%3B%24x%25');
  });

  it('lets the XRayTracing override derived attributes in place and keeps pod name/uid as kubelet references', () => {
    const spec = resolveSpec({ resourceAttributes: { 'service.namespace': 'storefront', team: 'a b' } });
    const attributes = new Map(derivedAttributes({ namespace: 'shop', containerName: 'app' }, spec).attributes);
    expect(attributes.get('service.namespace')).toBe('storefront');
    expect(attributes.get('team')).toBe('a%20b');
    expect(attributes.get('k8s.pod.name')).toBe('$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME)');
    expect([...attributes.keys()].indexOf('service.namespace')).toBeLessThan([...attributes.keys()].indexOf('team'));
  });

  it('never lets an XRayTracing set the keys the operator owns, even one that skipped validation', () => {
    const spec = resolveSpec({ resourceAttributes: { 'k8s.namespace.name': 'payments', 'cloud.platform': 'gcp', 'service.name': 'x', 'k8s.pod.label.team': 't' } });
    const attributes = new Map(derivedAttributes({ namespace: 'shop', containerName: 'app' }, spec).attributes);
    expect(attributes.get('k8s.namespace.name')).toBe('shop');
    expect(attributes.get('cloud.platform')).toBe('aws_eks');
    expect(attributes.has('service.name')).toBe(false);
    expect(attributes.get('k8s.pod.label.team')).toBe('t');
  });

  it('leaves out, with a warning, a derived or XRayTracing attribute the SDK would drop every attribute over', () => {
    const spec = resolveSpec({ resourceAttributes: { 'service.namespace': '🚀'.repeat(128), team: 'a' } });
    const { attributes, warnings } = derivedAttributes({ namespace: 'shop', containerName: 'app', clusterName: 'c'.repeat(256) }, spec);
    const byKey = new Map(attributes);
    expect(byKey.has('k8s.cluster.name')).toBe(false);
    expect(byKey.get('service.namespace')).toBe('shop');
    expect(byKey.get('k8s.namespace.name')).toBe('shop');
    expect(warnings).toEqual([
      expect.stringMatching(/^Resource attribute "k8s.cluster.name" was left out of OTEL_RESOURCE_ATTRIBUTES: its value has 256 characters/),
      expect.stringMatching(/^Resource attribute "service.namespace" was left out/),
    ]);
  });

  it('percent-encodes keys too, since the SDK decodes them', () => {
    expect(mergeAttributes(undefined, [['k8s.odd kind.name', 'x']])).toBe('k8s.odd%20kind.name=x');
  });

  it("keeps the user's own keys and appends only the missing ones, but binds the namespace last, where the SDK lets it win", () => {
    expect(mergeAttributes('team=x, k8s.namespace.name=mine', [['k8s.namespace.name', 'shop'], ['a', '1']])).toBe(
      'team=x, k8s.namespace.name=mine,a=1,k8s.namespace.name=shop',
    );
    expect(mergeAttributes('team=x', [['k8s.namespace.name', 'shop']])).toBe('team=x,k8s.namespace.name=shop');
    expect(mergeAttributes(undefined, [['a', '1']])).toBe('a=1');
    expect(mergeAttributes('  ', [['a', '1']])).toBe('a=1');
  });
});
