// bench:preload's floor: the least a tracing preload must do on every request when nothing is sampled. It reads the
// incoming trace context (traceparent or X-Amzn-Trace-Id; a new X-Ray trace ID when there is none), carries it with
// AsyncLocalStorage through the request (also into the request's and response's event listeners) and injects
// traceparent and X-Amzn-Trace-Id, not sampled, into outgoing node:http requests. No OpenTelemetry, no spans, no
// export. Not shipped: a yardstick for what the real preload's unsampled path costs.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');
const { randomFillSync } = require('node:crypto');
const http = require('node:http');

const storage = new AsyncLocalStorage();

/** Random hex from a pooled buffer: one crypto call per 256 IDs. */
const pool = Buffer.alloc(2048);
let poolOffset = pool.length;
function randomHex(bytes) {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const XRAY_ROOT = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/;

/** The trace this request belongs to, and a span ID of its own to name as the parent of outgoing calls. */
function extract(headers) {
  const traceparent = headers.traceparent;
  const w3c = typeof traceparent === 'string' && TRACEPARENT.exec(traceparent);
  if (w3c) return { traceId: w3c[1], spanId: randomHex(8) };
  const xray = typeof headers['x-amzn-trace-id'] === 'string' && XRAY_ROOT.exec(headers['x-amzn-trace-id']);
  if (xray) return { traceId: xray[1] + xray[2], spanId: randomHex(8) };
  return { traceId: Math.floor(Date.now() / 1000).toString(16) + randomHex(12), spanId: randomHex(8) };
}

function bindEmit(emitter, trace) {
  const emit = emitter.emit;
  emitter.emit = function boundEmit() {
    return storage.run(trace, Reflect.apply, emit, this, arguments);
  };
}

const serverEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function emit(event, req, res) {
  if (event !== 'request') return Reflect.apply(serverEmit, this, arguments);
  const trace = extract(req.headers);
  bindEmit(req, trace);
  bindEmit(res, trace);
  return storage.run(trace, Reflect.apply, serverEmit, this, arguments);
};

function traceHeaders(headers, trace) {
  const copy = Object.assign({}, headers);
  copy.traceparent = `00-${trace.traceId}-${trace.spanId}-00`;
  copy['x-amzn-trace-id'] = `Root=1-${trace.traceId.slice(0, 8)}-${trace.traceId.slice(8)};Parent=${trace.spanId};Sampled=0`;
  return copy;
}

function withTraceHeaders(args, trace) {
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) {
    if (second !== null && typeof second === 'object') return [first, Object.assign({}, second, { headers: traceHeaders(second.headers, trace) }), ...args.slice(2)];
    return [first, { headers: traceHeaders(undefined, trace) }, ...args.slice(1)];
  }
  return [Object.assign({}, first, { headers: traceHeaders(first.headers, trace) }), ...args.slice(1)];
}

const request = http.request;
http.request = function tracedRequest(...args) {
  const trace = storage.getStore();
  return request.apply(this, trace ? withTraceHeaders(args, trace) : args);
};
http.get = function tracedGet(...args) {
  const req = http.request(...args);
  req.end();
  return req;
};
