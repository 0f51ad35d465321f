// X-Ray remote sampling through a local fake of the sidecar's sampling proxy, scoped by namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLING_NAMESPACE_ATTRIBUTE } from '../../core/src/constants.js';
import { engineEnv, startApp, type RunningApp } from './support/app-runner.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { SERVER } from './support/spans.js';
import { startXRayProxyFake, type XRayProxyFake } from './support/xray-proxy-fake.js';

let receiver: OtlpReceiver;
let proxy: XRayProxyFake;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  proxy = await startXRayProxyFake([
    // Another namespace's rule: would drop /api for its own pods only.
    { RuleName: 'other-ns-api-off', Priority: 1, FixedRate: 0, ReservoirSize: 0, URLPath: '/api*', Attributes: { [SAMPLING_NAMESPACE_ATTRIBUTE]: 'other-team' } },
    { RuleName: 'shop-api', Priority: 2, FixedRate: 1, ReservoirSize: 0, URLPath: '/api*', Attributes: { [SAMPLING_NAMESPACE_ATTRIBUTE]: 'shop' } },
    { RuleName: 'health-off', Priority: 3, FixedRate: 0, ReservoirSize: 0, URLPath: '/health*' },
    { RuleName: 'Default', Priority: 10000, FixedRate: 1, ReservoirSize: 0 },
  ]);
});
afterAll(async () => {
  await receiver.close();
  await proxy.close();
});

async function startSampledApp(service: string, namespace: string): Promise<RunningApp> {
  const app = await startApp({
    app: 'http-app.cjs',
    env: { ...engineEnv({ otlpEndpoint: receiver.endpoint, samplerEndpoint: proxy.endpoint, namespace, service }), DOWNSTREAM_URL: 'http://127.0.0.1:9' },
  });
  await proxy.waitForRuleRequest();
  // The rules response is applied when it arrives; give it a moment after the request was seen.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return app;
}

const serverPaths = (service: string): string[] =>
  receiver.spans.filter((s) => s.resource['service.name'] === service && s.kind === SERVER).map((s) => String(s.attributes['url.path']));

describe('X-Ray sampling rules from the sampling proxy', () => {
  it('samples /api by its rule and drops /health, ignoring another namespace\'s rule', async () => {
    const app = await startSampledApp('sampled-shop', 'shop');
    try {
      for (let i = 0; i < 5; i++) {
        await app.get('/health');
        await app.get(`/api/items`);
      }
      await app.get('/other');
      await receiver.waitForSpans(() => serverPaths('sampled-shop').includes('/other'));
      const paths = serverPaths('sampled-shop');
      expect(paths.filter((p) => p === '/api/items')).toHaveLength(5);
      expect(paths).not.toContain('/health');
    } finally {
      await app.stop();
    }
  });

  it('applies a namespace-scoped rule to pods of that namespace, without adding the attribute to spans', async () => {
    const app = await startSampledApp('sampled-other', 'other-team');
    try {
      for (let i = 0; i < 3; i++) await app.get('/api/items');
      await app.get('/other');
      await receiver.waitForSpans(() => serverPaths('sampled-other').includes('/other'));
      expect(serverPaths('sampled-other')).not.toContain('/api/items');
      const other = receiver.spans.find((s) => s.resource['service.name'] === 'sampled-other' && s.kind === SERVER)!;
      expect(other.attributes[SAMPLING_NAMESPACE_ATTRIBUTE]).toBeUndefined();
      expect(other.resource[SAMPLING_NAMESPACE_ATTRIBUTE]).toBe('other-team');
    } finally {
      await app.stop();
    }
  });
});
