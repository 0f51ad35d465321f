import { describe, expect, it } from 'vitest';
import { ApiException, type CoreV1Event } from '@kubernetes/client-node';
import type { CoreApi } from './rest/core.js';
import { pino } from 'pino';
import { createEventRecorder, MAX_EVENT_MESSAGE_BYTES, truncateEventMessage } from './events.js';

/** The two Event calls the recorder makes, kept in memory with the API server's 404 for an expired Event. */
function eventsApi(): { api: CoreApi; events: Map<string, CoreV1Event>; expire: (name: string) => void } {
  const events = new Map<string, CoreV1Event>();
  let counter = 0;
  const api = {
    createNamespacedEvent: ({ body }: { namespace: string; body: CoreV1Event }) =>
      Promise.resolve().then(() => {
        const name = `${body.metadata.generateName ?? ''}${++counter}`;
        const created = { ...body, metadata: { ...body.metadata, name } };
        events.set(name, created);
        return created;
      }),
    patchNamespacedEvent: ({ name, body }: { name: string; body: Partial<CoreV1Event> }) =>
      Promise.resolve().then(() => {
        const current = events.get(name);
        if (!current) throw new ApiException(404, 'not found', '', {});
        const patched = { ...current, ...body };
        events.set(name, patched);
        return patched;
      }),
  };
  return { api: api as unknown as CoreApi, events, expire: (name) => events.delete(name) };
}

const object = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'u1' };
const logger = pino({ level: 'silent' });

describe('EventRecorder', () => {
  it('aggregates repeats of the same Event into one with a count and a newer lastTimestamp', async () => {
    const { api, events } = eventsApi();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const recorder = createEventRecorder({ core: api, logger, now: () => now });
    await recorder.record(object, 'Warning', 'MissedInjection', 'Rolled once');
    now += 5_000;
    await recorder.record(object, 'Warning', 'MissedInjection', 'Rolled once');
    await recorder.record(object, 'Warning', 'OtherReason', 'Something else');
    expect(events.size).toBe(2);
    const aggregated = [...events.values()].find((event) => event.reason === 'MissedInjection');
    expect(aggregated).toMatchObject({ count: 2, lastTimestamp: '2026-01-01T00:00:05.000Z', involvedObject: object, type: 'Warning' });
  });

  it('bumps one Event when the same Event is recorded concurrently', async () => {
    const { api, events } = eventsApi();
    const recorder = createEventRecorder({ core: api, logger });
    await Promise.all([1, 2, 3].map(() => recorder.record(object, 'Normal', 'Ready', 'Ready')));
    expect([...events.values()].map((event) => event.count)).toEqual([3]);
  });

  it('starts a new Event when the aggregated one expired or the window passed', async () => {
    const { api, events, expire } = eventsApi();
    let now = 0;
    const recorder = createEventRecorder({ core: api, logger, now: () => now, aggregationWindowMs: 60_000 });
    await recorder.record(object, 'Normal', 'Ready', 'Ready');
    expire([...events.keys()][0] ?? '');
    await recorder.record(object, 'Normal', 'Ready', 'Ready');
    now += 60_000;
    await recorder.record(object, 'Normal', 'Ready', 'Ready');
    expect([...events.values()].map((event) => event.count)).toEqual([1, 1]);
  });

  it('never throws when the API refuses, so a reconcile is not failed by its Event', async () => {
    const api = { createNamespacedEvent: () => Promise.reject(new ApiException(403, 'forbidden', '', {})) } as unknown as CoreApi;
    await expect(createEventRecorder({ core: api, logger }).record(object, 'Normal', 'Ready', 'Ready')).resolves.toBeUndefined();
  });
});

describe('Event messages', () => {
  it('are cut to 1 KiB so one Event cannot carry a megabyte of user input', async () => {
    const { api, events } = eventsApi();
    await createEventRecorder({ core: api, logger }).record(object, 'Warning', 'NotInjected', `Pod web: ${'x'.repeat(1024 * 1024)}`);
    const [event] = [...events.values()];
    expect(Buffer.byteLength(event?.message ?? '', 'utf8')).toBeLessThanOrEqual(MAX_EVENT_MESSAGE_BYTES);
    expect(event?.message).toMatch(/^Pod web: x+ \[truncated\]$/);
  });

  it('are cut on a character boundary and left alone when short', () => {
    const cut = truncateEventMessage('é'.repeat(2000));
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(MAX_EVENT_MESSAGE_BYTES);
    expect(cut).toMatch(/^é+ \[truncated\]$/);
    expect(truncateEventMessage('Rolled once')).toBe('Rolled once');
  });
});
