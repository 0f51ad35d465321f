import { GetSamplingRulesCommand } from '@aws-sdk/client-xray';
import { afterEach, describe, expect, it } from 'vitest';
import { startSilentServer, type SilentServer } from '../test-support/silent-server.js';
import { createXRayClient, XRAY_REQUEST_TIMEOUTS } from './client.js';

let server: SilentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the X-Ray client', () => {
  it('gives up on an endpoint that accepts and never answers', async () => {
    server = await startSilentServer();
    const client = createXRayClient({
      region: 'eu-west-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      timeouts: { connectionTimeout: 200, requestTimeout: 300 },
    });
    const error = await client.send(new GetSamplingRulesCommand({})).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(server.requests()).toBe(1);
    expect(error?.name).toBe('TimeoutError');
  });

  it('has request timeouts by default, shorter than a reconcile waits', () => {
    expect(XRAY_REQUEST_TIMEOUTS.requestTimeout).toBeLessThan(30_000);
    expect(XRAY_REQUEST_TIMEOUTS.connectionTimeout).toBeLessThan(XRAY_REQUEST_TIMEOUTS.requestTimeout);
  });
});
