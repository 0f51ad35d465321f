// A local OTLP/HTTP trace receiver: decodes the real http/protobuf payloads the preload exports.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

// The subset of opentelemetry/proto/{collector/trace,trace,resource,common}/v1 the tests read (field numbers as in
// the OTLP protos).
const kv = { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } };
const root = protobuf.Root.fromJSON({
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: {
      fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } },
    },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
      },
    },
    KeyValue: kv,
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
  },
});
const ExportRequest = root.lookupType('ExportTraceServiceRequest');

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;
export type Attributes = Record<string, AttributeValue>;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly scope: string;
  readonly attributes: Attributes;
  readonly resource: Attributes;
}

interface DecodedAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | { toNumber(): number };
  doubleValue?: number;
  arrayValue?: { values?: DecodedAnyValue[] };
}
interface DecodedKeyValue {
  key: string;
  value?: DecodedAnyValue;
}

function anyValue(value: DecodedAnyValue | undefined): AttributeValue {
  if (!value) return undefined;
  switch (value.value) {
    case 'stringValue': return value.stringValue;
    case 'boolValue': return value.boolValue;
    case 'intValue': return typeof value.intValue === 'number' ? value.intValue : value.intValue?.toNumber();
    case 'doubleValue': return value.doubleValue;
    case 'arrayValue': return (value.arrayValue?.values ?? []).map(anyValue);
    default: return undefined;
  }
}

function attributes(list: DecodedKeyValue[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, anyValue(entry.value)]));
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');

export function decodeTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const message = ExportRequest.decode(body) as unknown as {
    resourceSpans: { resource?: { attributes?: DecodedKeyValue[] }; scopeSpans?: {
      scope?: { name?: string };
      spans?: { traceId: Uint8Array; spanId: Uint8Array; parentSpanId?: Uint8Array; name: string; kind: number; attributes?: DecodedKeyValue[] }[];
    }[] }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of message.resourceSpans) {
    const resource = attributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          scope: scopeSpans.scope?.name ?? '',
          attributes: attributes(span.attributes),
          resource,
        });
      }
    }
  }
  return spans;
}

export interface OtlpReceiver {
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  readonly contentTypes: string[];
  waitForSpans(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        contentTypes.push(String(req.headers['content-type']));
        spans.push(...decodeTraceRequest(Buffer.concat(chunks)));
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    async waitForSpans(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(spans)) {
        if (Date.now() > deadline) throw new Error(`Spans expected within ${timeoutMs} ms; received: ${JSON.stringify(spans.map((s) => s.name))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return spans;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
