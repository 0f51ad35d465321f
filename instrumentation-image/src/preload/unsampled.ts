// Work skipped for requests that are not sampled — in production, nearly all of them.
//
// A request whose caller already decided "not sampled" (traceparent flags 00, X-Amzn-Trace-Id without Sampled=1)
// under a parent-based sampler (X-Ray's, parentbased_*) needs no decision: it runs in a context holding an unrecorded
// span of the caller's trace, as upstream's would, without the attributes, span start, listeners and end upstream
// adds. Root requests and sampled callers take upstream's path, so sampling rules see the same attributes.
//
// Upstream's instrumentations do the same work for a span that is not recorded as for one that is: instrumentation-http
// computes the outgoing call's attributes and metric attributes and starts a span, Express and router wrap every layer
// and `next`, build the route and start a span per layer; all of it is thrown away. Here, inside a request whose span
// is not recorded, an outgoing HTTP call only gets the trace context injected (and its callbacks bound, as upstream
// does), Express and router layers run unwrapped, and the server span's end work is skipped. The sampling decision
// itself stays upstream's: the server span is started as before, with the attributes sampling rules match on.
//
// Also here: router's middleware layers run unwrapped unless middleware spans are asked for (see leanRouter).
//
// Why skipping is safe: every sampler the preload builds decides a child like its parent when the parent is not
// sampled (parent-based ones by rule; traceidratio by the same trace ID; always_off always), so no span below an
// unsampled one would have been recorded. Recording requests take upstream's path unchanged.
import { context, INVALID_TRACEID, isSpanContextValid, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { RPCType, setRPCMetadata } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { URL } from 'node:url';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type Wrapped = AnyFunction & { __original?: AnyFunction };

/**
 * The span of a request that is not sampled, or undefined: a span that is not recorded, of a real trace (not the
 * invalid context upstream gives spans it suppresses), with the sampled flag off. Runs for every layer: no regex
 * validation of the IDs (the SDK made them, or the propagator validated them).
 */
function unsampledSpan(ctx: Context): Span | undefined {
  const span = trace.getSpan(ctx);
  if (span === undefined || span.isRecording()) return undefined;
  const spanContext = span.spanContext();
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === 0 && spanContext.traceId !== INVALID_TRACEID ? span : undefined;
}

/** Span IDs for unrecorded server spans, from a pooled random buffer: one crypto call per 512 IDs. */
const idPool = Buffer.alloc(4096);
let idPoolOffset = idPool.length;
function randomSpanId(): string {
  if (idPoolOffset === idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  idPoolOffset += 8;
  const id = idPool.toString('hex', idPoolOffset - 8, idPoolOffset);
  return id === '0000000000000000' ? randomSpanId() : id;
}

/** The headers the propagators read (OTEL_PROPAGATORS), known once the global propagator is set. */
let traceHeaderNames: string[] | undefined;
function carriesTraceHeader(headers: IncomingHttpHeaders): boolean {
  traceHeaderNames ??= propagation.fields();
  for (const name of traceHeaderNames) if (headers[name] !== undefined) return true;
  return false;
}

/**
 * The context of a request whose caller decided not to sample it, or undefined (no caller's trace, or a sampled one):
 * the caller's trace in an unrecorded span of its own, as the SDK makes it for a not-sampled decision.
 */
function unsampledCallerContext(headers: IncomingHttpHeaders): Context | undefined {
  if (!carriesTraceHeader(headers)) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const caller = trace.getSpanContext(parent);
  if (caller === undefined || (caller.traceFlags & TraceFlags.SAMPLED) !== 0 || !isSpanContextValid(caller)) return undefined;
  const span = trace.wrapSpanContext({ traceId: caller.traceId, spanId: randomSpanId(), traceFlags: TraceFlags.NONE, traceState: caller.traceState });
  return setRPCMetadata(trace.setSpan(parent, span), { type: RPCType.HTTP, span });
}

interface HttpInstrumentationInternals {
  getConfig(): Record<string, unknown>;
  _incomingRequestFunction(component: string, original: AnyFunction): AnyFunction;
  _outgoingRequestFunction(component: string, original: AnyFunction): AnyFunction;
  _onServerResponseFinish(request: unknown, response: unknown, span: Span, ...rest: unknown[]): void;
}

/** Hooks that see spans or requests: with any of them set, every request takes upstream's path. */
const HTTP_HOOKS = [
  'ignoreIncomingRequestHook',
  'ignoreOutgoingRequestHook',
  'startIncomingSpanHook',
  'startOutgoingSpanHook',
  'requestHook',
  'responseHook',
  'applyCustomAttributesOnSpan',
];

type Headers = Record<string, unknown>;

/**
 * http.request(url | options, [options], [callback]) with the trace context in a copy of the headers; undefined when
 * the arguments are a shape left to upstream (raw header arrays, anything unexpected).
 */
function withTraceHeaders(ctx: Context, args: unknown[]): unknown[] | undefined {
  const [first, second] = args;
  const inject = (headers: unknown): Headers | undefined => {
    if (headers !== undefined && (headers === null || typeof headers !== 'object' || Array.isArray(headers))) return undefined;
    const copy: Headers = Object.assign({}, headers as Headers | undefined);
    propagation.inject(ctx, copy);
    return copy;
  };
  if (typeof first === 'string' || first instanceof URL) {
    if (second !== null && typeof second === 'object') {
      const headers = inject((second as { headers?: unknown }).headers);
      return headers && [first, Object.assign({}, second, { headers }), ...args.slice(2)];
    }
    const headers = inject(undefined);
    return headers && [first, { headers }, ...args.slice(1)];
  }
  if (first === null || typeof first !== 'object') return undefined;
  const headers = inject((first as { headers?: unknown }).headers);
  return headers && [Object.assign({}, first, { headers }), ...args.slice(1)];
}

function leanHttp(instrumentation: HttpInstrumentationInternals, options: LeanOptions): void {
  const config = instrumentation.getConfig();
  if (HTTP_HOOKS.some((hook) => config[hook] !== undefined)) return;
  if (options.callerDecidesUnsampled) {
    const incoming = instrumentation._incomingRequestFunction.bind(instrumentation);
    instrumentation._incomingRequestFunction = (component, original) => {
      const instrumented = incoming(component, original);
      return function incomingRequest(this: unknown, event: unknown, request: unknown, response: unknown): unknown {
        const ctx = event === 'request' ? unsampledCallerContext((request as IncomingMessage).headers) : undefined;
        // eslint-disable-next-line prefer-rest-params -- forwards any arguments without an array copy
        if (ctx === undefined) return Reflect.apply(instrumented, this, arguments);
        context.bind(ctx, request);
        context.bind(ctx, response);
        // eslint-disable-next-line prefer-rest-params -- forwards any arguments without an array copy
        return context.with(ctx, Reflect.apply, undefined, original, this, arguments);
      };
    };
  }
  const outgoing = instrumentation._outgoingRequestFunction.bind(instrumentation);
  instrumentation._outgoingRequestFunction = (component, original) => {
    const instrumented = outgoing(component, original);
    return function outgoingRequest(this: unknown, ...args: unknown[]): unknown {
      const parent = context.active();
      const lean = unsampledSpan(parent) && withTraceHeaders(parent, args);
      if (!lean) return instrumented.apply(this, args);
      // As upstream: the response callback and the ClientRequest's listeners run in the caller's context.
      const last = lean.length - 1;
      if (typeof lean[last] === 'function') lean[last] = context.bind(parent, lean[last] as AnyFunction);
      const request = original.apply(this, lean) as NodeJS.EventEmitter;
      context.bind(parent, request);
      request.prependListener('response', (response: NodeJS.EventEmitter) => context.bind(parent, response));
      return request;
    };
  };
  const finish = instrumentation._onServerResponseFinish.bind(instrumentation);
  // Sets attributes and status on the server span and ends it (and records metrics, which the preload does not export).
  instrumentation._onServerResponseFinish = (request, response, span, ...rest) => {
    if (span.isRecording()) finish(request, response, span, ...rest);
  };
}

interface ExpressInstrumentationInternals {
  _applyPatch(layer: { handle: Wrapped }, layerPath: unknown): void;
}

/** Express layers: upstream's wrapper (route tracking, a span per handler) only where a span is recorded. */
function leanExpress(instrumentation: ExpressInstrumentationInternals): void {
  const applyPatch = instrumentation._applyPatch.bind(instrumentation);
  instrumentation._applyPatch = (layer, layerPath) => {
    const before = layer.handle;
    applyPatch(layer, layerPath);
    const instrumented = layer.handle;
    const original = instrumented.__original;
    if (instrumented === before || original === undefined || original === instrumented) return;
    // Named and shaped like upstream's wrapper: router's instrumentation names middleware spans after it and routers
    // read a handler's length.
    const patched = function patched(this: unknown, _req: unknown, _res: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params -- forwards any arguments without an array copy
      return Reflect.apply(unsampledSpan(context.active()) ? original : instrumented, this, arguments);
    };
    Object.defineProperties(patched, {
      // The bundler may rename the function; the name is what router's middleware spans show.
      name: { value: instrumented.name, configurable: true },
      __original: { value: original, configurable: true },
      __wrapped: { value: true, configurable: true },
    });
    layer.handle = patched;
  };
}

/** A router Layer: `method` is set on a route's handlers, absent on middleware (router's own test for its span type). */
interface RouterLayer {
  readonly method?: string;
}
type LayerMethod = (this: RouterLayer, ...args: unknown[]) => unknown;

interface RouterInstrumentationInternals {
  _requestHandlerPatcher(original: LayerMethod): LayerMethod;
  _errorHandlerPatcher(original: LayerMethod): LayerMethod;
}

/**
 * router's Layer.handleRequest/handleError (Express 5 routes through it): a span per layer only where a span is
 * recorded, and for middleware only when middleware spans are asked for — router's instrumentation makes them
 * whatever Express's instrumentation is told (named after Express's wrapper: "middleware - patched").
 */
function leanRouter(instrumentation: RouterInstrumentationInternals, options: LeanOptions): void {
  const skip = (layer: RouterLayer): boolean => (!options.middlewareSpans && !layer.method) || unsampledSpan(context.active()) !== undefined;
  const requestPatcher = instrumentation._requestHandlerPatcher.bind(instrumentation);
  instrumentation._requestHandlerPatcher = (original) => {
    const instrumented = requestPatcher(original);
    return function wrapped_handle_request(this: RouterLayer, req: unknown, res: unknown, next: unknown): unknown {
      return (skip(this) ? original : instrumented).call(this, req, res, next);
    };
  };
  const errorPatcher = instrumentation._errorHandlerPatcher.bind(instrumentation);
  instrumentation._errorHandlerPatcher = (original) => {
    const instrumented = errorPatcher(original);
    return function wrapped_handle_request(this: RouterLayer, error: unknown, req: unknown, res: unknown, next: unknown): unknown {
      return (skip(this) ? original : instrumented).call(this, error, req, res, next);
    };
  };
}

export interface LeanOptions {
  /** Spans for middleware layers (the XRayTracing's instrumentation.middlewareSpans). */
  readonly middlewareSpans: boolean;
  /** The sampler follows a remote parent's "not sampled" (parent-based: X-Ray's and parentbased_*). */
  readonly callerDecidesUnsampled: boolean;
}

const LEAN: Record<string, (instrumentation: never, options: LeanOptions) => void> = {
  '@opentelemetry/instrumentation-http': leanHttp,
  '@opentelemetry/instrumentation-express': leanExpress,
  '@opentelemetry/instrumentation-router': leanRouter,
};

/** Must run before the instrumented modules load: the overrides take effect when a module is patched. */
export function skipUnrecordedWork(instrumentations: readonly Instrumentation[], options: LeanOptions): void {
  for (const instrumentation of instrumentations) LEAN[instrumentation.instrumentationName]?.(instrumentation as never, options);
}
