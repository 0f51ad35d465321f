import { describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTOR_IMAGE, DEFAULT_INSTRUMENTATION_IMAGE } from '../constants.js';
import { resolveSpec } from './defaults.js';
import { validateXRayTracing } from './validate.js';

const mirrors = { instrumentationImage: 'registry.internal/xo/nodejs:0.1.0', collectorImage: 'registry.internal/adot:v0.49.0' };

describe('resolveSpec with installation-wide defaults', () => {
  it('uses the built-in images when neither the installation nor the XRayTracing names one', () => {
    const spec = resolveSpec({});
    expect(spec.instrumentation.image).toBe(DEFAULT_INSTRUMENTATION_IMAGE);
    expect(spec.collector.image).toBe(DEFAULT_COLLECTOR_IMAGE);
  });

  it('uses the installation images (private registry mirrors) for an XRayTracing that names none', () => {
    const spec = resolveSpec({ collector: { region: 'eu-west-1' } }, mirrors);
    expect(spec.instrumentation.image).toBe(mirrors.instrumentationImage);
    expect(spec.collector.image).toBe(mirrors.collectorImage);
    expect(spec.collector.region).toBe('eu-west-1');
  });

  it("lets the XRayTracing's own image win over the installation's", () => {
    const spec = resolveSpec({ instrumentation: { image: 'team/own:1' } }, mirrors);
    expect(spec.instrumentation.image).toBe('team/own:1');
    expect(spec.collector.image).toBe(mirrors.collectorImage);
  });

  it('is applied by validation, which the controller and the webhook resolve through', () => {
    const result = validateXRayTracing({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default' }, spec: {} }, mirrors);
    expect(result.ok && result.spec.collector.image).toBe(mirrors.collectorImage);
  });
});
