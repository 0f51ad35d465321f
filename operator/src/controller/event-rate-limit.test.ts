import { describe, expect, it } from 'vitest';
import type { EventRecorder, InvolvedObject } from '../k8s/events.js';
import { rateLimitEventsPerNamespace } from './event-rate-limit.js';

function recording(): { recorder: EventRecorder; namespaces: string[] } {
  const namespaces: string[] = [];
  return { namespaces, recorder: { record: (object) => (namespaces.push(object.namespace ?? 'default'), Promise.resolve()) } };
}

const inNamespace = (namespace: string): InvolvedObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web', uid: 'u1' });

describe('rateLimitEventsPerNamespace', () => {
  it('drops Events over the burst in a namespace and lets them through again as tokens refill', async () => {
    const { recorder, namespaces } = recording();
    let now = 0;
    const dropped: string[] = [];
    const limited = rateLimitEventsPerNamespace(recorder, { limit: { perSecond: 1, burst: 3 }, now: () => now, onDropped: (namespace) => dropped.push(namespace) });
    for (let i = 0; i < 10; i++) await limited.record(inNamespace('shop'), 'Warning', 'NotInjected', `attempt ${i}`);
    expect(namespaces).toEqual(['shop', 'shop', 'shop']);
    expect(dropped).toHaveLength(7);
    now += 2_000;
    for (let i = 0; i < 10; i++) await limited.record(inNamespace('shop'), 'Warning', 'NotInjected', `later ${i}`);
    expect(namespaces).toHaveLength(5);
  });

  it('gives every namespace its own bucket, so one flooding namespace does not silence another', async () => {
    const { recorder, namespaces } = recording();
    const limited = rateLimitEventsPerNamespace(recorder, { limit: { perSecond: 1, burst: 2 }, now: () => 0 });
    for (let i = 0; i < 50; i++) await limited.record(inNamespace('noisy'), 'Warning', 'NotInjected', 'flood');
    await limited.record(inNamespace('shop'), 'Normal', 'Rolled', 'Rolled');
    expect(namespaces.filter((namespace) => namespace === 'noisy')).toHaveLength(2);
    expect(namespaces).toContain('shop');
  });

  it('keeps at most maxNamespaces buckets', async () => {
    const { recorder, namespaces } = recording();
    const limited = rateLimitEventsPerNamespace(recorder, { limit: { perSecond: 1, burst: 1 }, maxNamespaces: 2, now: () => 0 });
    await limited.record(inNamespace('a'), 'Normal', 'R', 'm');
    await limited.record(inNamespace('b'), 'Normal', 'R', 'm');
    await limited.record(inNamespace('c'), 'Normal', 'R', 'm');
    // `a`'s bucket was forgotten: it starts full again.
    await limited.record(inNamespace('a'), 'Normal', 'R', 'm');
    expect(namespaces).toEqual(['a', 'b', 'c', 'a']);
  });
});
