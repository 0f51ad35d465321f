// Spans encoded as they end must reach the collector as the very bytes upstream's ProtobufTraceSerializer makes from
// the same spans, on both OpenTelemetry lines: real SDK spans of every kind, and hand-made ones with the values the
// SDK's setters do not let through (nested objects, bytes, null) and lengths that need multi-byte varints.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTraceResponse, encodeSpan, encodeTraceRequest } from '../src/preload/otlp-encoding.js';
import { decodeTraceRequest } from './support/otlp-receiver.js';
import { IMAGE_ROOT } from './support/paths.js';
import type * as Api from '@opentelemetry/api';
import type * as Core from '@opentelemetry/core';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type * as Transformer from '@opentelemetry/otlp-transformer';

interface Line {
  api: typeof Api;
  core: typeof Core;
  resources: typeof Resources;
  sdk: typeof SdkTrace;
  transformer: typeof Transformer;
}

function loadLine(name: string): Line {
  const lineRequire = createRequire(join(IMAGE_ROOT, 'lines', name, 'package.json'));
  return {
    api: lineRequire('@opentelemetry/api') as typeof Api,
    core: lineRequire('@opentelemetry/core') as typeof Core,
    resources: lineRequire('@opentelemetry/resources') as typeof Resources,
    sdk: lineRequire('@opentelemetry/sdk-trace') as typeof SdkTrace,
    transformer: lineRequire('@opentelemetry/otlp-transformer') as typeof Transformer,
  };
}

/** Ended spans from a real TracerProvider of the line: kinds, parents, remote parents, events, links, status. */
function sdkSpans({ api, core, resources, sdk }: Line): SdkTrace.ReadableSpan[] {
  const ended: SdkTrace.ReadableSpan[] = [];
  const collect: SdkTrace.SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const resource = resources.resourceFromAttributes({ 'service.name': 'orders', 'k8s.namespace.name': 'shop', 'process.pid': 4242, 'host.arch': 'amd64' });
  const provider = new sdk.TracerProvider({ resource, spanProcessors: [collect] });
  const http = provider.getTracer('@opentelemetry/instrumentation-http', '0.208.0');
  const express = provider.getTracer('@opentelemetry/instrumentation-express', '0.57.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const noVersion = provider.getTracer('app');

  const remoteContext: Api.SpanContext = {
    traceId: '6a1b2c3d4e5f60718293a4b5c6d7e8f9',
    spanId: '0123456789abcdef',
    traceFlags: api.TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new core.TraceState('vendor=a,other=b'),
  };
  const remote = api.trace.setSpanContext(api.ROOT_CONTEXT, remoteContext);
  const server = http.startSpan('GET /api/items/:id', {
    kind: api.SpanKind.SERVER,
    startTime: [1_764_000_000, 123_456_789],
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/api/items/42',
      'http.response.status_code': 200,
      'server.port': 8080,
      'negative': -17,
      'big': 2 ** 40,
      'huge': 2 ** 60,
      'ratio': 0.25,
      'flag': true,
      'off': false,
      'tags': ['a', 'b'],
      'codes': [1, 2, 3],
      'mixed.floats': [1.5, -2.25],
      'bools': [true, false],
      'empty': [],
      'non.ascii': 'größe ✓ 𝄞',
      'long': 'x'.repeat(300),
      'longer': 'y'.repeat(20_000),
    },
  }, remote);
  const serverContext = api.trace.setSpan(api.ROOT_CONTEXT, server);
  const route = express.startSpan('request handler - /api/items/:id', { attributes: { 'express.type': 'request_handler' } }, serverContext);
  route.addEvent('cache miss', { key: 'item:42', attempt: 2 }, [1_764_000_000, 200_000_000]);
  route.addEvent('no attributes');
  route.end([1_764_000_000, 300_000_000]);
  const client = http.startSpan('GET', { kind: api.SpanKind.CLIENT, links: [{ context: remoteContext, attributes: { reason: 'retry' } }] }, serverContext);
  client.setStatus({ code: api.SpanStatusCode.ERROR, message: 'upstream answered 503' });
  client.recordException(new Error('boom'));
  client.end();
  const producer = noVersion.startSpan('publish', { kind: api.SpanKind.PRODUCER, root: true });
  producer.setStatus({ code: api.SpanStatusCode.OK });
  producer.end();
  server.end([1_764_000_001, 5]);
  return ended;
}

/** A ReadableSpan's fields as a plain object, to vary (spreading a Span loses its spanContext method). */
function fieldsOf(span: SdkTrace.ReadableSpan): SdkTrace.ReadableSpan {
  const { name, kind, parentSpanContext, startTime, endTime, status, attributes, links, events, duration, ended, resource, instrumentationScope } = span;
  const context = span.spanContext();
  const { droppedAttributesCount, droppedEventsCount, droppedLinksCount } = span;
  return {
    name, kind, spanContext: () => context, parentSpanContext, startTime, endTime, status, attributes, links, events, duration, ended,
    resource, instrumentationScope, droppedAttributesCount, droppedEventsCount, droppedLinksCount,
  };
}

/** Hand-made spans with AnyValues the SDK setters drop, and a second resource with a schema URL. */
function handMadeSpans({ api, resources }: Line, template: SdkTrace.ReadableSpan): SdkTrace.ReadableSpan[] {
  const other = resources.resourceFromAttributes({ 'service.name': 'other' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  const scope = { name: 'hand', version: '1', schemaUrl: 'https://example.test/schema' };
  const manyAttributes = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`attribute.${i}`, `value ${i}`]));
  const base = {
    ...fieldsOf(template),
    spanContext: () => ({ traceId: 'ABCDEF0123456789abcdef0123456789', spanId: 'fedcba9876543210', traceFlags: 1, traceState: { serialize: () => 'xray=1,vendor=a' } as unknown as Api.TraceState }),
    parentSpanContext: undefined,
    kind: api.SpanKind.INTERNAL,
    resource: other,
    instrumentationScope: scope,
    events: [],
    links: [{ context: { traceId: '00000000000000000000000000000001', spanId: '0000000000000002', traceFlags: 0, isRemote: false }, droppedAttributesCount: 3 }],
    droppedAttributesCount: 2,
    droppedEventsCount: 1,
    droppedLinksCount: 4,
  };
  return [
    { ...base, name: 'nested values', attributes: { object: { a: 1, b: ['x', { c: null }], d: new Uint8Array([1, 2, 255]) }, nothing: null, missing: undefined } as unknown as Api.Attributes },
    { ...base, name: 'many attributes', attributes: manyAttributes },
    { ...fieldsOf(template), name: 'same scope, other resource', resource: other },
  ] as SdkTrace.ReadableSpan[];
}

describe.each(['legacy', 'current'])('spans encoded as they end, %s line', (lineName) => {
  const line = loadLine(lineName);

  it('make the same ExportTraceServiceRequest bytes as upstream\'s protobuf serializer', () => {
    const spans = sdkSpans(line);
    expect(spans).toHaveLength(4);
    const all = [...spans, ...handMadeSpans(line, spans[0]!)];
    const expected = line.transformer.ProtobufTraceSerializer.serializeRequest(all)!;
    const actual = encodeTraceRequest(all.map(encodeSpan));
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
    // And a collector reads them: names, resources and attributes where they belong.
    const received = decodeTraceRequest(actual);
    expect(received.map((span) => span.name)).toEqual(expect.arrayContaining(['GET /api/items/:id', 'GET', 'nested values', 'same scope, other resource']));
  });

  it('stay intact across slabs while a batch waits, whatever was encoded since', () => {
    const spans = sdkSpans(line);
    // ~200 KiB of spans: several slabs, and a span larger than one.
    const big: SdkTrace.ReadableSpan = { ...fieldsOf(spans[0]!), attributes: { blob: 'z'.repeat(100_000) } };
    const batch = Array.from({ length: 10 }, () => [...spans, big]).flat();
    const encoded = batch.map(encodeSpan);
    for (let i = 0; i < 50; i++) sdkSpans(line).forEach(encodeSpan);
    const expected = line.transformer.ProtobufTraceSerializer.serializeRequest(batch)!;
    expect(Buffer.from(encodeTraceRequest(encoded)).equals(Buffer.from(expected))).toBe(true);
  });

  it('returns a request the next export does not overwrite', () => {
    const spans = sdkSpans(line);
    const first = encodeTraceRequest(spans.map(encodeSpan));
    const copy = Buffer.from(first);
    encodeTraceRequest(sdkSpans(line).reverse().map(encodeSpan));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });

  it('reads collector responses as upstream\'s deserializer does: partial successes, unknown fields, empty bodies', () => {
    const message = Buffer.from('span limit ✓');
    const partial = Buffer.concat([Buffer.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]), Buffer.from([0x12, message.length]), message, Buffer.from([0x18, 0x07])]);
    const responses = [
      Buffer.alloc(0),
      Buffer.from([0x0a, 0x00]),
      Buffer.concat([Buffer.from([0x0a, partial.length]), partial]),
      // Unknown fields of every wire type around the partial success.
      Buffer.concat([Buffer.from([0x10, 0x01, 0x19]), Buffer.alloc(8), Buffer.from([0x25]), Buffer.alloc(4), Buffer.from([0x2a, 0x02, 0x01, 0x02, 0x0a, 0x02, 0x08, 0x05])]),
    ];
    for (const response of responses) {
      expect(decodeTraceResponse(response)).toEqual(line.transformer.ProtobufTraceSerializer.deserializeResponse(response));
    }
    expect(decodeTraceResponse(responses[2]!)).toEqual({ partialSuccess: { rejectedSpans: 2 ** 40, errorMessage: 'span limit ✓' } });
    expect(() => decodeTraceResponse(Buffer.from([0x0a, 0x05, 0x08]))).toThrow(/Truncated/);
  });
});
