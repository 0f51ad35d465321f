import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { samplerEnv } from './sampler-env.js';

const sidecarless = { direct: false, otlpEndpoint: 'http://gw:4318', sidecar: false } as const;

describe('sampler env', () => {
  it('polls the sampling proxy of the plan in centralized mode', () => {
    const { env, warnings } = samplerEnv(resolveSpec({}), { ...sidecarless, samplingEndpoint: 'http://gw:2000' });
    expect(env).toEqual([
      { name: 'OTEL_TRACES_SAMPLER', value: 'xray' },
      { name: 'OTEL_TRACES_SAMPLER_ARG', value: 'endpoint=http://gw:2000,polling_interval=60' },
    ]);
    expect(warnings).toEqual([]);
  });

  it('samples locally at the catch-all rate, and says how to get centralized sampling, when no proxy is reachable', () => {
    const spec = resolveSpec({ collector: { endpoint: 'http://gw:4318' }, sampling: { fixedRate: 0.25 } });
    const { env, warnings } = samplerEnv(spec, { ...sidecarless, samplingEndpoint: undefined });
    expect(env).toEqual([
      { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
      { name: 'OTEL_TRACES_SAMPLER_ARG', value: '0.25' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/samples locally at sampling.fixedRate \(0.25, parent-based\).*set collector.samplingEndpoint/);
  });

  it('uses the local ratio without a warning in local mode', () => {
    const { env, warnings } = samplerEnv(resolveSpec({ sampling: { mode: 'local', fixedRate: 0.5 } }), { ...sidecarless, samplingEndpoint: undefined });
    expect(env.map((e) => e.value)).toEqual(['parentbased_traceidratio', '0.5']);
    expect(warnings).toEqual([]);
  });

  it('without a collector, names no endpoint: the preload polls the X-Ray API itself', () => {
    const { env, warnings } = samplerEnv(resolveSpec({ collector: { mode: 'none' }, sampling: { pollingIntervalSeconds: 30 } }), { direct: true, sidecar: false });
    expect(env).toEqual([
      { name: 'OTEL_TRACES_SAMPLER', value: 'xray' },
      { name: 'OTEL_TRACES_SAMPLER_ARG', value: 'polling_interval=30' },
    ]);
    expect(warnings).toEqual([]);
  });
});
