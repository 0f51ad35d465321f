// Pure parts of the preload: runtime → line selection, env → config, main module → ESM detection.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNodeVersion, selectOtelLine } from '../src/runtime.js';
import { DEFAULT_PROPAGATORS, readPreloadConfig } from '../src/preload/config.js';
import { hookedSpecifiers, mainMayBeEsm } from '../src/preload/esm.js';

describe('selectOtelLine', () => {
  it.each([
    ['16.20.2', 'no'],
    ['18.18.2', 'no'],
    ['18.19.0', 'legacy'],
    ['19.9.0', 'no'],
    ['20.5.1', 'no'],
    ['20.6.0', 'legacy'],
    ['21.7.3', 'legacy'],
    ['22.14.0', 'legacy'],
    ['22.15.0', 'current'],
    ['24.21.0', 'current'],
    ['26.0.0', 'current'],
  ])('Node.js %s runs the %s line', (version, line) => {
    expect(selectOtelLine(parseNodeVersion(version)!) ?? 'no').toBe(line);
  });
});

describe('readPreloadConfig', () => {
  it('defaults to baggage,xray,tracecontext propagation and OTLP http/protobuf export', () => {
    const config = readPreloadConfig({});
    expect(config.propagators).toEqual([...DEFAULT_PROPAGATORS]);
    expect(config.traceExporters).toEqual(['otlp']);
    expect(config.otlpProtocol).toBe('http/protobuf');
    expect(config.sampler).toEqual({ kind: 'standard', name: 'parentbased_always_on', ratio: 1 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [undefined, false],
    ['true', true],
    [' TRUE ', true],
    ['false', false],
    ['yes', false],
  ])('makes middleware spans only when XRAY_OPERATOR_MIDDLEWARE_SPANS is "true" (%s → %s)', (value, expected) => {
    expect(readPreloadConfig(value === undefined ? {} : { XRAY_OPERATOR_MIDDLEWARE_SPANS: value }).middlewareSpans).toBe(expected);
  });

  it.each([
    [{}, false],
    [{ LAMBDA_TASK_ROOT: '/var/task' }, false],
    [{ _HANDLER: 'index.handler' }, false],
    [{ LAMBDA_TASK_ROOT: '/var/task', _HANDLER: 'index.handler' }, true],
  ])('tells a Lambda function (%o) from any other process: %s', (env, expected) => {
    expect(readPreloadConfig(env).lambda).toBe(expected);
  });

  it('reads the ADOT-style xray sampler argument', () => {
    const config = readPreloadConfig({
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://localhost:2000/,polling_interval=60',
    });
    expect(config.sampler).toEqual({ kind: 'xray', endpoint: 'http://localhost:2000', pollingIntervalSeconds: 60, signed: false });
  });

  it('reads a standard ratio sampler and falls back to parentbased_always_on for unknown names', () => {
    expect(readPreloadConfig({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' }).sampler).toEqual({
      kind: 'standard',
      name: 'parentbased_traceidratio',
      ratio: 0.05,
    });
    const unknown = readPreloadConfig({ OTEL_TRACES_SAMPLER: 'jaeger_remote' });
    expect(unknown.sampler).toEqual({ kind: 'standard', name: 'parentbased_always_on', ratio: 1 });
    expect(unknown.warnings.join()).toContain('jaeger_remote');
  });

  it('reports a bad polling interval and keeps the sampler default', () => {
    const config = readPreloadConfig({ OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: 'polling_interval=soon' });
    expect(config.sampler).toEqual({ kind: 'xray', endpoint: 'http://localhost:2000', pollingIntervalSeconds: undefined, signed: false });
    expect(config.warnings.join()).toContain('polling_interval "soon"');
  });

  it('keeps the OTEL_PROPAGATORS order and adds the console exporter in debug mode', () => {
    const config = readPreloadConfig({ OTEL_PROPAGATORS: 'tracecontext, XRAY', XRAY_OPERATOR_DEBUG: 'true' });
    expect(config.propagators).toEqual(['tracecontext', 'xray']);
    expect(config.traceExporters).toEqual(['otlp', 'console']);
    expect(config.debug).toBe(true);
  });

  it('turns export off with OTEL_TRACES_EXPORTER=none and reads OTEL_BSP_* as numbers', () => {
    const config = readPreloadConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_BSP_SCHEDULE_DELAY: '250', OTEL_BSP_MAX_QUEUE_SIZE: '-1' });
    expect(config.traceExporters).toEqual([]);
    expect(config.batch).toEqual({ scheduledDelayMillis: 250 });
    expect(config.warnings.join()).toContain('OTEL_BSP_MAX_QUEUE_SIZE');
  });
});

describe('readPreloadConfig without a collector (XRAY_OPERATOR_EXPORT=direct)', () => {
  const direct = { XRAY_OPERATOR_EXPORT: 'direct', OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: 'polling_interval=30' };

  it.each([
    ['the pod\'s AWS_REGION', { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' }, 'eu-west-1', 'https://xray.eu-west-1.amazonaws.com'],
    ['AWS_DEFAULT_REGION when AWS_REGION is unset', { AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1', 'https://xray.ap-south-1.amazonaws.com'],
    ['the XRayTracing\'s region over the pod\'s', { XRAY_OPERATOR_XRAY_REGION: 'us-west-2', AWS_REGION: 'eu-west-1' }, 'us-west-2', 'https://xray.us-west-2.amazonaws.com'],
    ['the XRayTracing\'s endpoint, without a trailing slash', { AWS_REGION: 'eu-west-1', XRAY_OPERATOR_XRAY_ENDPOINT: 'https://vpce.example/' }, 'eu-west-1', 'https://vpce.example'],
  ])('finds X-Ray from %s, and the sampler asks it, signed', (_name, env, region, endpoint) => {
    const config = readPreloadConfig({ ...direct, ...env });
    expect(config.direct).toEqual({ region, endpoint });
    expect(config.sampler).toEqual({ kind: 'xray', endpoint, pollingIntervalSeconds: 30, signed: true });
    expect(config.traceExporters).toEqual(['otlp']);
    expect(config.warnings).toEqual([]);
  });

  it('keeps a sampling endpoint the user names, unsigned', () => {
    const config = readPreloadConfig({ ...direct, AWS_REGION: 'eu-west-1', OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://proxy:2000' });
    expect(config.sampler).toMatchObject({ endpoint: 'http://proxy:2000', signed: false });
  });

  it('exports nothing, and says why, when no region is known', () => {
    const config = readPreloadConfig({ ...direct, XRAY_OPERATOR_DEBUG: 'true' });
    expect(config.direct).toBeUndefined();
    expect(config.traceExporters).toEqual(['console']);
    expect(config.warnings.join()).toMatch(/Spans are not exported: .* no region/);
  });

  it('reports an unknown export mode and exports as configured', () => {
    const config = readPreloadConfig({ XRAY_OPERATOR_EXPORT: 'sideways', AWS_REGION: 'eu-west-1' });
    expect(config.direct).toBeUndefined();
    expect(config.traceExporters).toEqual(['otlp']);
    expect(config.warnings.join()).toContain('Unknown XRAY_OPERATOR_EXPORT "sideways"');
  });
});

describe('mainMayBeEsm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xo-esm-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('decides by extension, then package.json type, then import/export syntax', () => {
    expect(mainMayBeEsm(file('a.mjs', ''))).toBe(true);
    expect(mainMayBeEsm(file('a.cjs', 'import x from "y"'))).toBe(false);
    expect(mainMayBeEsm(file('plain.js', 'const x = require("y");\nmodule.exports = x;'))).toBe(false);
    expect(mainMayBeEsm(file('syntax.js', '// app\nimport express from "express";'))).toBe(true);
    expect(mainMayBeEsm(undefined)).toBe(false);
  });

  it('follows the nearest package.json type', () => {
    const pkg = mkdtempSync(join(dir, 'pkg-'));
    writeFileSync(join(pkg, 'package.json'), '{"type":"module"}');
    writeFileSync(join(pkg, 'main.js'), 'const x = 1;');
    expect(mainMayBeEsm(join(pkg, 'main.js'))).toBe(true);
  });

  it('hooks both spellings of built-in modules', () => {
    expect(hookedSpecifiers(['http', 'express', 'node:net'])).toEqual(['http', 'node:http', 'express', 'node:net']);
  });
});
