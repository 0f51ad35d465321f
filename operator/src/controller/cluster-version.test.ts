import { ApiException } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { detectNativeSidecars } from './cluster-version.js';

const logger = pino({ level: 'silent' });

/** A version endpoint that fails with the given errors first, then answers. */
function versionApi(failures: Error[], answer: { major: string; minor: string }) {
  let calls = 0;
  return {
    calls: () => calls,
    clients: {
      version: {
        getCode: () => {
          const failure = failures[calls++];
          return failure === undefined ? Promise.resolve(answer) : Promise.reject(failure);
        },
      },
    } as never,
  };
}

describe('detectNativeSidecars', () => {
  it('waits out throttling and outages instead of guessing "no native sidecars"', async () => {
    const throttled = new ApiException(429, 'Too Many Requests', {}, {});
    const api = versionApi([throttled, new Error('connect ECONNREFUSED'), throttled], { major: '1', minor: '31+' });
    const waits: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    const supported = await detectNativeSidecars(api.clients, { logger, sleep });
    expect(supported).toBe(true);
    expect(api.calls()).toBe(4);
    expect(waits).toHaveLength(3);
    expect(waits[2]!).toBeGreaterThan(waits[0]!);
  });

  it('answers from the first reply for an old cluster', async () => {
    const api = versionApi([], { major: '1', minor: '28' });
    expect(await detectNativeSidecars(api.clients, { logger, sleep: () => Promise.resolve() })).toBe(false);
    expect(api.calls()).toBe(1);
  });
});
