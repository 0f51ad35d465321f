// The context manager: upstream's AsyncLocalStorage one with cheaper binding, because instrumentation-http binds the
// request and response of every incoming request and every outgoing request's ClientRequest and response.
//
// Upstream binds an EventEmitter by replacing its on/addListener/once/prepend…/removeListener/off/
// removeAllListeners with wrappers and keeping a map from each listener to a wrapped copy: ~15 µs per request, sampled
// or not. Wrapping the emitter's `emit` once has the same effect on every listener added after the bind (each runs in
// the bound context) for a fraction of that; listeners added before it run there too, where upstream left them in
// whatever context emitted (instrumentation-http binds request, response and ClientRequest before the app sees them,
// and binds the one earlier listener, a ClientRequest's response callback, to the same context itself).
// removeListener, listeners() and rawListeners() see the app's own functions, not wrappers.
import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { EventEmitter } from 'node:events';

/** The context an emitter's `emit` was bound to: the first bind wins, as with upstream's binding. */
const BOUND_CONTEXT = Symbol('xray-operator.bound-context');

type AnyFunction = (...args: unknown[]) => unknown;
type Bindable = EventEmitter & { [BOUND_CONTEXT]?: Context };

export class LeanContextManager extends AsyncLocalStorageContextManager {
  override bind<T>(context: Context, target: T): T {
    if (target instanceof EventEmitter) {
      return this.bindEmit(context, target) as T;
    }
    if (typeof target === 'function') return this.bindFunction(context, target as AnyFunction) as T;
    return target;
  }

  private bindEmit(context: Context, emitter: Bindable): EventEmitter {
    if (emitter[BOUND_CONTEXT] !== undefined) return emitter;
    emitter[BOUND_CONTEXT] = context;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the emitter as `this`
    const emit = emitter.emit;
    const run = this.runner(context);
    emitter.emit = function boundEmit(this: unknown): boolean {
      // eslint-disable-next-line prefer-rest-params -- forwards any arguments without an array copy
      return run(emit, this, arguments) as boolean;
    };
    return emitter;
  }

  /** Calls a function with a `this` and arguments in the context. */
  private runner(context: Context): (fn: (...args: never[]) => unknown, thisArg: unknown, args: ArrayLike<unknown>) => unknown {
    return (fn, thisArg, args): unknown => this.with(context, Reflect.apply, undefined, fn, thisArg, args) as unknown;
  }

  /** As upstream's, without a closure per call: the wrapper keeps the target's length (frameworks read it). */
  private bindFunction(context: Context, target: AnyFunction): AnyFunction {
    const run = this.runner(context);
    const contextWrapper = function (this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params -- forwards any arguments without an array copy
      return run(target, this, arguments);
    };
    Object.defineProperty(contextWrapper, 'length', { enumerable: false, configurable: true, writable: false, value: target.length });
    return contextWrapper;
  }
}
