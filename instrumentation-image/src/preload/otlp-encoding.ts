// OTLP/protobuf for spans, encoded when a span ends instead of when its batch is exported. Upstream's batch processor
// keeps every ended span (its attributes, events, time tuples, context) until the export, ~70 ms to 5 s later: they
// survive scavenges, get promoted, and the export walks them twice (size, then bytes). Here a span leaves the SDK as
// its Span message's bytes in a shared slab, plus a small record; the export only frames those bytes.
// The bytes are those of upstream's ProtobufTraceSerializer (same fields, order and omissions; checked against it in
// test/otlp-encoding.test.ts for both lines). No runtime imports: the module serves both OpenTelemetry lines.
import type { Attributes, AttributeValue, HrTime, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/** Wire types. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;
const SAMPLED = 1;
const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** A growable byte buffer with protobuf primitives. Lengths are reserved as one byte and widened when needed. */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(size: number): void {
    if (this.pos + size <= this.buf.length) return;
    let length = this.buf.length * 2;
    while (length < this.pos + size) length *= 2;
    const grown = Buffer.allocUnsafe(length);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    // 64 bits, negative ones as two's complement (int64).
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = (~low + 1) >>> 0;
      high = low === 0 ? (~high + 1) >>> 0 : ~high >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** HrTime as fixed64 nanoseconds, split so that no product leaves the safe-integer range. */
  hrTime(time: HrTime): void {
    const seconds = time[0];
    const fromLow = (seconds & 0xffff) * 1e9;
    const fromHigh = ((seconds / 0x10000) >>> 0) * 1e9;
    const lowSum = (fromLow >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + time[1];
    const high = (Math.floor(fromLow / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + Math.floor(lowSum / 0x100000000)) >>> 0;
    this.ensure(8);
    this.buf.writeUInt32LE(lowSum >>> 0, this.pos);
    this.buf.writeUInt32LE(high, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  string(text: string): void {
    const length = text.length;
    let ascii = length < 0x4000;
    for (let i = 0; ascii && i < length; i++) ascii = text.charCodeAt(i) < 0x80;
    if (ascii) {
      this.varint(length);
      this.ensure(length);
      const buf = this.buf;
      for (let i = 0; i < length; i++) buf[this.pos++] = text.charCodeAt(i);
      return;
    }
    // Lone surrogates become U+FFFD here as with TextEncoder.
    const bytes = Buffer.byteLength(text, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(text, this.pos, bytes, 'utf8');
  }

  bytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  slice(source: Buffer, start: number, end: number): void {
    this.varint(end - start);
    this.ensure(end - start);
    this.pos += source.copy(this.buf, this.pos, start, end);
  }

  /** A span or trace ID: hex text as bytes (upstream's hexToBinary, so malformed IDs encode alike). */
  hexId(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    for (let i = 0; i < length; i++) this.buf[this.pos++] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
  }

  /** Reserves the length of a nested message; returns where it starts. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(start: number): void {
    const length = this.pos - start - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size, start + 1, this.pos);
      this.pos += size - 1;
    }
    let at = start;
    let v = length;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function anyValue(w: Writer, value: unknown): void {
  const type = typeof value;
  if (type === 'string') {
    w.tag(1, LENGTH);
    w.string(value as string);
  } else if (type === 'boolean') {
    w.tag(2, VARINT);
    w.varint(value ? 1 : 0);
  } else if (type === 'number') {
    const number = value as number;
    if (Number.isInteger(number) && number >= MIN_INT64 && number < MAX_INT64) {
      w.tag(3, VARINT);
      w.varint(number);
    } else {
      w.tag(4, FIXED64);
      w.double(number);
    }
  } else if (value instanceof Uint8Array) {
    w.tag(7, LENGTH);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.tag(5, LENGTH);
    const array = w.begin();
    for (const item of value) {
      w.tag(1, LENGTH);
      const start = w.begin();
      anyValue(w, item);
      w.end(start);
    }
    w.end(array);
  } else if (type === 'object' && value !== null) {
    w.tag(6, LENGTH);
    const list = w.begin();
    const object = value as Record<string, unknown>;
    for (const key in object) {
      if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
      w.tag(1, LENGTH);
      const pair = w.begin();
      keyValue(w, key, object[key]);
      w.end(pair);
    }
    w.end(list);
  }
  // Other types (null, undefined): an empty AnyValue, as upstream.
}

function keyValue(w: Writer, key: string, value: unknown): void {
  w.tag(1, LENGTH);
  w.string(key);
  w.tag(2, LENGTH);
  const start = w.begin();
  anyValue(w, value);
  w.end(start);
}

function attributes(w: Writer, attributes: Attributes | Record<string, AttributeValue | undefined>, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    w.tag(field, LENGTH);
    const start = w.begin();
    keyValue(w, key, attributes[key]);
    w.end(start);
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | SPAN_FLAGS_HAS_IS_REMOTE | (isRemote ? SPAN_FLAGS_IS_REMOTE : 0);
}

function event(w: Writer, event: TimedEvent): void {
  const start = w.begin();
  w.tag(1, FIXED64);
  w.hrTime(event.time);
  w.tag(2, LENGTH);
  w.string(event.name);
  if (event.attributes) attributes(w, event.attributes, 3);
  w.tag(4, VARINT);
  w.varint(event.droppedAttributesCount || 0);
  w.end(start);
}

/** trace_id, span_id and trace_state: fields 1-3 of both Span and Span.Link. */
function contextFields(w: Writer, context: SpanContext): void {
  w.tag(1, LENGTH);
  w.hexId(context.traceId);
  w.tag(2, LENGTH);
  w.hexId(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.tag(3, LENGTH);
    w.string(traceState);
  }
}

function link(w: Writer, link: Link): void {
  const start = w.begin();
  const context = link.context;
  contextFields(w, context);
  if (link.attributes) attributes(w, link.attributes, 4);
  w.tag(5, VARINT);
  w.varint(link.droppedAttributesCount || 0);
  w.tag(6, FIXED32);
  w.fixed32(spanFlags(context.traceFlags, context.isRemote));
  w.end(start);
}

function status(w: Writer, status: SpanStatus): void {
  const start = w.begin();
  if (status.message) {
    w.tag(2, LENGTH);
    w.string(status.message);
  }
  w.tag(3, VARINT);
  w.varint(status.code);
  w.end(start);
}

/** The fields of one Span message (no tag, no length), as upstream's serializeSpan writes them. */
function spanFields(w: Writer, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  contextFields(w, context);
  if (parent?.spanId) {
    w.tag(4, LENGTH);
    w.hexId(parent.spanId);
  }
  w.tag(5, LENGTH);
  w.string(span.name);
  // OTLP's SpanKind counts from UNSPECIFIED = 0.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.tag(6, VARINT);
    w.varint(kind);
  }
  w.tag(7, FIXED64);
  w.hrTime(span.startTime);
  w.tag(8, FIXED64);
  w.hrTime(span.endTime);
  if (span.attributes) attributes(w, span.attributes, 9);
  w.tag(10, VARINT);
  w.varint(span.droppedAttributesCount);
  for (const item of span.events) {
    w.tag(11, LENGTH);
    event(w, item);
  }
  w.tag(12, VARINT);
  w.varint(span.droppedEventsCount);
  for (const item of span.links) {
    w.tag(13, LENGTH);
    link(w, item);
  }
  w.tag(14, VARINT);
  w.varint(span.droppedLinksCount);
  w.tag(15, LENGTH);
  status(w, span.status);
  w.tag(16, FIXED32);
  w.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

const SAMPLED_CONTEXT = Object.freeze({ traceFlags: SAMPLED });

/**
 * An ended, sampled span as its Span message (bytes `start`..`end` of `slab`). It stands in for the ReadableSpan in
 * the SDK's BatchSpanProcessor, which reads only `spanContext().traceFlags` and `resource` (to await async resource
 * attributes before exporting).
 */
export class EncodedSpan {
  constructor(
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    readonly slab: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  spanContext(): { readonly traceFlags: number } {
    return SAMPLED_CONTEXT;
  }
}

/** Slabs hold many spans' bytes: one allocation per ~200 spans instead of one per span. */
const SLAB_BYTES = 64 * 1024;
const spanWriter = new Writer(4096);
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

export function encodeSpan(span: ReadableSpan): EncodedSpan {
  spanWriter.pos = 0;
  spanFields(spanWriter, span);
  const length = spanWriter.pos;
  if (slabUsed + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, length));
    slabUsed = 0;
  }
  const start = slabUsed;
  spanWriter.buf.copy(slab, start, 0, length);
  slabUsed += length;
  return new EncodedSpan(span.resource, span.instrumentationScope, slab, start, slabUsed);
}

function scopeMessage(w: Writer, scope: InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number }): void {
  w.tag(1, LENGTH);
  const start = w.begin();
  w.tag(1, LENGTH);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, LENGTH);
    w.string(scope.version);
  }
  if (scope.attributes) attributes(w, scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    w.tag(4, VARINT);
    w.varint(scope.droppedAttributesCount);
  }
  w.end(start);
}

function resourceMessage(w: Writer, resource: Resource): void {
  w.tag(1, LENGTH);
  const start = w.begin();
  if (resource.attributes) attributes(w, resource.attributes, 1);
  w.tag(2, VARINT);
  w.varint(0);
  w.end(start);
}

const requestWriter = new Writer(64 * 1024);

/**
 * An ExportTraceServiceRequest of encoded spans: grouped by resource, then by scope (by identity, in order of first
 * appearance), as upstream groups ReadableSpans. Returns a copy the transport may keep while it retries.
 */
export function encodeTraceRequest(spans: readonly EncodedSpan[]): Uint8Array {
  const byResource = new Map<Resource, Map<InstrumentationScope, EncodedSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (!byScope) byResource.set(span.resource, (byScope = new Map<InstrumentationScope, EncodedSpan[]>()));
    const list = byScope.get(span.instrumentationScope);
    if (list) list.push(span);
    else byScope.set(span.instrumentationScope, [span]);
  }
  const w = requestWriter;
  w.pos = 0;
  for (const [resource, byScope] of byResource) {
    w.tag(1, LENGTH);
    const resourceSpans = w.begin();
    resourceMessage(w, resource);
    for (const [scope, list] of byScope) {
      w.tag(2, LENGTH);
      const scopeSpans = w.begin();
      scopeMessage(w, scope);
      for (const span of list) {
        w.tag(2, LENGTH);
        w.slice(span.slab, span.start, span.end);
      }
      if (scope.schemaUrl) {
        w.tag(3, LENGTH);
        w.string(scope.schemaUrl);
      }
      w.end(scopeSpans);
    }
    if (resource.schemaUrl) {
      w.tag(3, LENGTH);
      w.string(resource.schemaUrl);
    }
    w.end(resourceSpans);
  }
  return Uint8Array.prototype.slice.call(w.buf, 0, w.pos);
}

/** ExportTraceServiceResponse as upstream's exporter reads it (it logs a partial success). */
export interface TraceServiceResponse {
  partialSuccess?: { rejectedSpans?: number; errorMessage?: string };
}

/** Reads protobuf fields of one message: `field` gets each (number, wire type) and reads or skips its value. */
class Reader {
  pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    for (let shift = 0; this.pos < this.buf.length; shift += 7) {
      const byte = this.buf[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error('Truncated buffer: unexpected end of data while reading varint');
  }

  bytes(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.buf.length) throw new Error(`Truncated buffer: expected ${length} bytes at position ${this.pos}`);
    this.pos += length;
    return this.buf.subarray(this.pos - length, this.pos);
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === FIXED64) this.pos += 8;
    else if (wireType === LENGTH) this.bytes();
    else if (wireType === FIXED32) this.pos += 4;
    else throw new Error(`Unknown wire type ${wireType}, cannot safely skip`);
  }
}

/** Upstream's deserializeExportTraceServiceResponse, without loading otlp-transformer (its other serializers). */
export function decodeTraceResponse(data: Uint8Array): TraceServiceResponse {
  const response: TraceServiceResponse = {};
  const reader = new Reader(data);
  while (!reader.done) {
    const tag = reader.varint();
    if (tag === ((1 << 3) | LENGTH)) {
      const partial: NonNullable<TraceServiceResponse['partialSuccess']> = {};
      const inner = new Reader(reader.bytes());
      while (!inner.done) {
        const innerTag = inner.varint();
        if (innerTag === ((1 << 3) | VARINT)) partial.rejectedSpans = inner.varint();
        else if (innerTag === ((2 << 3) | LENGTH)) partial.errorMessage = Buffer.from(inner.bytes()).toString('utf8');
        else inner.skip(innerTag & 7);
      }
      response.partialSuccess = partial;
    } else reader.skip(tag & 7);
  }
  return response;
}
