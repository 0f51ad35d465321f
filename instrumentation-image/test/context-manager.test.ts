// The preload's context manager binds emitters by wrapping emit: listeners must see the bound context, as with
// upstream's listener patching, and the emitter must otherwise behave as before.
import { createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { LeanContextManager } from '../src/preload/context-manager.js';

const KEY = createContextKey('test.request');
const manager = new LeanContextManager().enable();
afterAll(() => manager.disable());

const named = (name: string): Context => ROOT_CONTEXT.setValue(KEY, name);
const nameOf = (context: Context): unknown => context.getValue(KEY);

describe('LeanContextManager.bind on an EventEmitter', () => {
  it('runs listeners in the bound context, whichever context added or emitted them', () => {
    const emitter = manager.bind(named('request'), new EventEmitter());
    const seen: unknown[] = [];
    manager.with(named('adder'), () => {
      emitter.on('data', () => seen.push(nameOf(manager.active())));
      emitter.once('end', () => seen.push(nameOf(manager.active())));
      emitter.prependListener('data', () => seen.push(nameOf(manager.active())));
    });
    manager.with(named('emitter'), () => {
      emitter.emit('data');
      emitter.emit('end');
    });
    expect(seen).toEqual(['request', 'request', 'request']);
    expect(nameOf(manager.active())).toBeUndefined();
  });

  it('keeps the first bind, as upstream does', () => {
    const emitter = manager.bind(named('first'), new EventEmitter());
    manager.bind(named('second'), emitter);
    let seen: unknown;
    emitter.on('x', () => (seen = nameOf(manager.active())));
    emitter.emit('x');
    expect(seen).toBe('first');
  });

  it('leaves listeners the app can remove and list as its own, and passes arguments and the result through', () => {
    const emitter = manager.bind(named('request'), new EventEmitter());
    const listener = (a: number, b: number): void => void emitter.emit('sum', a + b);
    let sum: unknown;
    emitter.on('pair', listener);
    emitter.on('sum', (value: number) => (sum = value));
    expect(emitter.listeners('pair')).toEqual([listener]);
    expect(emitter.emit('pair', 2, 3)).toBe(true);
    expect(sum).toBe(5);
    emitter.removeListener('pair', listener);
    expect(emitter.emit('pair', 1, 1)).toBe(false);
  });
});

describe('LeanContextManager.bind on a function', () => {
  it('calls it in the bound context with its this and arguments, keeping its length', () => {
    function handler(this: { base: number }, a: number, b: number): [number, unknown] {
      return [this.base + a + b, nameOf(manager.active())];
    }
    const bound = manager.bind(named('request'), handler);
    expect(bound.length).toBe(2);
    expect(manager.with(named('caller'), () => bound.call({ base: 1 }, 2, 3))).toEqual([6, 'request']);
  });

  it('leaves anything else as it is', () => {
    const value = { not: 'bindable' };
    expect(manager.bind(named('request'), value)).toBe(value);
  });
});
